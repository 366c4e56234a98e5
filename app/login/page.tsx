import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { connection } from "next/server";
import { getCurrentUser } from "@/app/_lib/auth";
import { safeNextPath } from "@/app/_lib/request-security";
import { LoginForm } from "./login-form-client";

export const metadata: Metadata = { title: "Sign in" };

/** The sign-in page; a signed-in visitor goes straight on to `next`. */
export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await connection();
  const raw = (await searchParams).next;
  const next = safeNextPath(typeof raw === "string" ? raw : null);
  if (await getCurrentUser()) redirect(next);
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-4">
      <h1 className="mb-6 text-2xl font-semibold">Jobdeck</h1>
      <LoginForm next={next} />
    </main>
  );
}
