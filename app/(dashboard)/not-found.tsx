import { ButtonLink } from "@/components/ui/button";

/** Unknown job or schedule inside the dashboard (keeps the layout; answered with status 404). */
export default function NotFound() {
  return (
    <div className="mx-auto mt-16 max-w-lg rounded-xl border border-zinc-200 bg-white p-6 text-center shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      <h1 className="text-lg font-semibold">Not found</h1>
      <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">
        This job or schedule does not exist. Finished jobs may have been deleted or pruned by the
        retention settings.
      </p>
      <ButtonLink href="/" variant="primary" className="mt-4">
        Back to the Overview
      </ButtonLink>
    </div>
  );
}
