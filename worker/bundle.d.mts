/** Types of worker/bundle.mjs. */
export interface BundleFiles {
  code: string;
  map: string;
}

export function workerBundles(root?: string): Promise<{ worker: BundleFiles; thread: BundleFiles }>;
