/**
 * The idle worker's wake-ups (worker/runner.ts): once the queue has nothing for this worker, it
 * watches for commits by other processes (`store.watchCommits`) and polls the cheap change token,
 * and looks for due jobs again at a commit, when a delayed job comes due, or once a second.
 */
import type { WorkerStore } from "@/db/store/worker";
import type { Logger } from "./log";
import type { RunnerState } from "./runner-state";

/**
 * Idle check interval: how often an idle worker looks at the change token. With the commit
 * watch (see nudge) this is only the fallback.
 */
const IDLE_POLL_MS = Number(process.env.JOBDECK_IDLE_POLL_MS ?? 25);
/** Even without a sign of new commits, look for due jobs this often. */
const FULL_RECHECK_MS = 1000;

/** What the idle wake-ups need from the runner. */
export interface IdleDeps {
  store: WorkerStore;
  idle: RunnerState["idle"];
  rounds: RunnerState["rounds"];
  /** Asks the runner for a round. */
  schedule(): void;
  log: Logger;
}

/** The idle machinery of one runner: `setNoWork` when a claim finds nothing, `look` to resume. */
export function idleWakeUps({ store, idle, rounds, schedule, log }: IdleDeps) {
  /** The queue had nothing more for this worker: watch for commits and delayed jobs coming due. */
  async function setNoWork(): Promise<void> {
    // Watch first, then check: a commit from before the watch shows in the change token (a
    // commit since the last look, while busy and not watching, is the usual case): look again.
    idle.unwatch ??= store.watchCommits(nudge);
    if ((await store.changeToken()) !== idle.token) return look();
    idle.mayHaveWork = false;
    idle.nextRunAt = await store.nextRunAt();
    idle.timer ??= setTimeout(() => void poll(), IDLE_POLL_MS);
  }

  /** Looks for due jobs in the next round. */
  async function look(): Promise<void> {
    idle.unwatch?.();
    idle.unwatch = null;
    idle.token = await store.changeToken();
    idle.lookedAt = store.now();
    idle.mayHaveWork = true;
    schedule();
  }

  /** True when the idle worker should look for due jobs now. */
  async function isWorthALook(now: number): Promise<boolean> {
    if ((await store.changeToken()) !== idle.token) return true;
    // Looked since it came due and found nothing for us (another queue's job): wait.
    if (idle.nextRunAt !== null && idle.nextRunAt <= now && idle.lookedAt < idle.nextRunAt)
      return true;
    return now - idle.lookedAt >= FULL_RECHECK_MS;
  }

  /**
   * The idle check, every IDLE_POLL_MS (and at once on a commit): a commit by another connection
   * (the change token, a few microseconds) or a delayed job coming due makes the next round look
   * (a read; the write lock only if something is due); otherwise once a second.
   */
  async function poll(): Promise<void> {
    idle.timer = null;
    if (rounds.isStopping || idle.mayHaveWork || idle.isPolling) return;
    idle.isPolling = true;
    try {
      // Next run times are on the database's clock.
      if (await isWorthALook(store.now())) return await look();
    } catch (error) {
      log("worker:poll-failed", { error: String(error) }, "error");
    } finally {
      idle.isPolling = false;
    }
    if (rounds.isStopping || idle.mayHaveWork) return;
    idle.timer = setTimeout(() => void poll(), idle.recheckSoon-- > 0 ? 1 : IDLE_POLL_MS);
  }

  /** Something may have changed in the database (the commit watch fired): look now. */
  function nudge(): void {
    if (rounds.isStopping || idle.mayHaveWork) return;
    if (idle.timer) clearTimeout(idle.timer);
    // The watch fires a moment before the commit is visible: if it is not yet, look again in a
    // millisecond rather than at the next idle poll.
    idle.recheckSoon = 3;
    void poll();
  }

  return { setNoWork, look };
}
