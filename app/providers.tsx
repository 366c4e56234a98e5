"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Toaster } from "sonner";

/** Client-side providers of the dashboard: TanStack Query and the toasts. */
export function Providers({ children, isDark }: { children: ReactNode; isDark: boolean }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            // Server-rendered data is fresh for a moment; live lists poll on their own interval.
            staleTime: 2000,
            refetchOnWindowFocus: true,
            retry: 1,
          },
        },
      }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      {children}
      <Toaster theme={isDark ? "dark" : "light"} position="bottom-right" richColors closeButton />
    </QueryClientProvider>
  );
}
