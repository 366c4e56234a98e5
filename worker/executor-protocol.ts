/**
 * How the worker's main thread and its executor threads talk.
 *
 * Jobs go to a thread in batches (one message per batch); the thread runs them one at a time and
 * writes each outcome into a result slot of a SharedArrayBuffer it shares with the main thread,
 * so finished jobs cost no message each. The same buffer says which job is running since when,
 * so the main thread enforces hard timeouts without hearing from the thread, and lets the main
 * thread take back the jobs of a batch that have not started (a seal), so a slow job never holds
 * up the jobs queued behind it. Everything a killed thread finished is still in its slots.
 *
 * Layout of a thread's buffer (Int32 indices unless noted):
 *   [0] claim word: bits 0-15 next job index, bits 16-29 batch generation, bit 30 sealed
 *   [1] index of the running job, -1 when none
 *   [2] bell armed: the main thread waits; the thread posts a "bell" after its next outcome
 *   bytes 16-23: BigInt64 start time (epoch ms) of the running job, 0 when none
 *   bytes 64- : MAX_BATCH result slots of SLOT_BYTES: Int32 status, Int32 payload bytes,
 *               Float64 startedAt, Float64 stoppedAt, then the payload (UTF-8)
 */
import type { TaskInfo } from "@/db/queries/tasks";

/** Largest batch of jobs one thread holds. */
export const MAX_BATCH = 256;
/** Bytes per result slot; larger outcomes are posted as a message instead. */
export const SLOT_BYTES = 1024;
const HEADER_BYTES = 64;
const SLOT_HEADER_BYTES = 24;
/** Payload bytes that fit in a slot. */
export const SLOT_PAYLOAD_BYTES = SLOT_BYTES - SLOT_HEADER_BYTES;
/** Total size of one thread's shared buffer. */
export const SHARED_BYTES = HEADER_BYTES + MAX_BATCH * SLOT_BYTES;

export const CLAIM = 0;
export const CURRENT = 1;
export const ARMED = 2;
const SEALED = 1 << 30;
const GEN_MASK = 0x3fff;

/** Slot status: empty, a success result inline, an error inline, the outcome was posted. */
export const SLOT_EMPTY = 0;
export const SLOT_OK = 1;
export const SLOT_ERROR = 2;
export const SLOT_POSTED = 3;

export const pack = (gen: number, index: number, sealed = false) =>
  ((gen & GEN_MASK) << 16) | index | (sealed ? SEALED : 0);
export const genOf = (word: number) => (word >>> 16) & GEN_MASK;
export const indexOf = (word: number) => word & 0xffff;
export const isSealed = (word: number) => (word & SEALED) !== 0;
export const nextGen = (gen: number) => (gen + 1) & GEN_MASK;
export const sealWord = (word: number) => word | SEALED;

/** Typed views of one thread's shared buffer. */
export interface SharedViews {
  i32: Int32Array;
  start: BigInt64Array;
  f64: Float64Array;
  bytes: Buffer;
}

export function sharedViews(sab: SharedArrayBuffer): SharedViews {
  return {
    i32: new Int32Array(sab),
    start: new BigInt64Array(sab, 16, 1),
    f64: new Float64Array(sab),
    bytes: Buffer.from(sab),
  };
}

/** Byte offset of slot `i`. */
export const slotOffset = (i: number) => HEADER_BYTES + i * SLOT_BYTES;

/** One job as a thread receives it. */
export interface BatchJob {
  jobId: number;
  task: string;
  args: string;
  attempt: number;
}

/** An error as it crosses the thread boundary. */
export interface ThreadError {
  name: string;
  message: string;
  stack: string | null;
  isPermanent: boolean;
  isAborted: boolean;
}

/** A finished job as read from a slot or a posted message. */
export type SlotOutcome =
  | { index: number; startedAt: number; stoppedAt: number; ok: true; result: string }
  | { index: number; startedAt: number; stoppedAt: number; ok: false; error: ThreadError };

/** Main -> thread. */
export type ThreadRequest =
  | { type: "batch"; gen: number; jobs: BatchJob[] }
  | { type: "abort"; jobId: number; reason: string };

/**
 * Thread -> main. A thread's first message, "ready", carries the task catalog: the registry (with
 * your tasks' modules and whatever they import) is loaded only in the threads, never in the main
 * thread, whose start stays as light as the worker itself.
 */
export type ThreadReply =
  | { type: "ready"; catalog: TaskInfo[] }
  | { type: "bell" }
  | { type: "progress"; jobId: number; value: number; message: string | null }
  | { type: "outcome"; gen: number; outcome: SlotOutcome };

/**
 * Writes an outcome into slot `index`; false if it does not fit (then it must be posted). The
 * status is stored last, so a reader that sees it sees the whole slot.
 */
export function writeSlot(v: SharedViews, o: SlotOutcome): boolean {
  const at = slotOffset(o.index);
  const payload = o.ok ? o.result : JSON.stringify(o.error);
  // A UTF-8 string takes at most 3 bytes per UTF-16 unit: check cheaply before encoding.
  if (payload.length * 3 > SLOT_PAYLOAD_BYTES && Buffer.byteLength(payload) > SLOT_PAYLOAD_BYTES)
    return false;
  const length = v.bytes.write(payload, at + SLOT_HEADER_BYTES, "utf8");
  v.i32[at / 4 + 1] = length;
  v.f64[at / 8 + 1] = o.startedAt;
  v.f64[at / 8 + 2] = o.stoppedAt;
  Atomics.store(v.i32, at / 4, o.ok ? SLOT_OK : SLOT_ERROR);
  return true;
}

/** Marks slot `index` as posted (its outcome travels as a message, sent before this mark). */
export function markPosted(v: SharedViews, index: number): void {
  Atomics.store(v.i32, slotOffset(index) / 4, SLOT_POSTED);
}

/** The status of slot `index`. */
export const slotStatus = (v: SharedViews, index: number) =>
  Atomics.load(v.i32, slotOffset(index) / 4);

/** Reads an inline outcome from slot `index` (status SLOT_OK or SLOT_ERROR). */
export function readSlot(v: SharedViews, index: number): SlotOutcome {
  const at = slotOffset(index);
  const status = Atomics.load(v.i32, at / 4);
  const length = v.i32[at / 4 + 1]!;
  const text = v.bytes.toString("utf8", at + SLOT_HEADER_BYTES, at + SLOT_HEADER_BYTES + length);
  const startedAt = v.f64[at / 8 + 1]!;
  const stoppedAt = v.f64[at / 8 + 2]!;
  return status === SLOT_OK
    ? { index, startedAt, stoppedAt, ok: true, result: text }
    : { index, startedAt, stoppedAt, ok: false, error: JSON.parse(text) as ThreadError };
}

/** Clears the first `count` slots (the main thread, before it hands out a new batch). */
export function clearSlots(v: SharedViews, count: number): void {
  for (let i = 0; i < count; i++) v.i32[slotOffset(i) / 4] = SLOT_EMPTY;
}
