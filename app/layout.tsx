import type { Metadata } from "next";
import { cookies } from "next/headers";
import "./globals.css";
import { parseTheme, THEME_COOKIE } from "@/components/ui/theme";

export const metadata: Metadata = {
  title: { default: "Jobdeck", template: "%s · Jobdeck" },
  description: "Background jobs on SQLite, with an admin dashboard.",
  icons: { icon: "/favicon.svg" },
};

/**
 * The root layout: the html shell and the theme (light, dark or the system's, app/globals.css).
 * Reading the cookie also makes every page render per request, which the CSP needs: Next puts
 * the request's nonce on its scripts only when it renders, so a page prerendered at build time
 * (the 404 once was) has scripts the CSP blocks.
 */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" data-theme={theme}>
      <body className="min-h-screen bg-zinc-50 text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        {children}
      </body>
    </html>
  );
}
