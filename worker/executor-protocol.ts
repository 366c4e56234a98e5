/** Messages between the worker's main thread and its executor threads. */

/** Main -> thread. */
export type ThreadRequest =
  | { type: "run"; jobId: number; task: string; args: string; attempt: number }
  | { type: "abort"; jobId: number; reason: string };

/** An error as it crosses the thread boundary. */
export interface ThreadError {
  name: string;
  message: string;
  stack: string | null;
  isPermanent: boolean;
  isAborted: boolean;
}

/** Thread -> main. */
export type ThreadReply =
  | { type: "ready" }
  | { type: "progress"; jobId: number; value: number; message: string | null }
  | { type: "done"; jobId: number; ok: true; result: string }
  | { type: "done"; jobId: number; ok: false; error: ThreadError };
