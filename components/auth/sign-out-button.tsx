import { signOut } from "@/app/login/actions";

/** A "Sign out" button (a POST form to the signOut server action) for the dashboard layout. */
export function SignOutButton({ className }: { className?: string }) {
  return (
    <form action={signOut}>
      <button type="submit" className={className ?? "text-sm underline-offset-4 hover:underline"}>
        Sign out
      </button>
    </form>
  );
}
