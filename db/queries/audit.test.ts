import { describe, expect, it } from "vitest";
import { MASK } from "../mask-secrets";
import {
  auditedChange,
  compactIds,
  expandIds,
  listAudit,
  MAX_AUDIT_VALUE_CHARS,
  recordAudit,
} from "./audit";
import { enqueueJob } from "./enqueue";
import { setupTestDb } from "./test-db";

const t = setupTestDb();

describe("audit log", () => {
  it("pages newest first by id with a cursor", () => {
    for (let i = 1; i <= 7; i++)
      recordAudit(t.db, { actor: "a", action: "job.retry", target: `job:${i}` }, i);
    const first = listAudit(t.db, { limit: 3 });
    expect(first.rows.map((r) => r.target)).toEqual(["job:7", "job:6", "job:5"]);
    const second = listAudit(t.db, { before: first.nextBefore!, limit: 3 });
    expect(second.rows.map((r) => r.target)).toEqual(["job:4", "job:3", "job:2"]);
    const last = listAudit(t.db, { before: second.nextBefore!, limit: 3 });
    expect(last.rows.map((r) => r.target)).toEqual(["job:1"]);
    expect(last.nextBefore).toBeNull();
  });

  it("stores before/after as valid JSON text, a too long one as a JSON summary", () => {
    recordAudit(t.db, {
      actor: "a",
      action: "schedule.update",
      before: { cron: "* * * * *" },
      after: "x".repeat(MAX_AUDIT_VALUE_CHARS + 50),
    });
    recordAudit(t.db, { actor: "a", action: "note", after: "plain text, not JSON" });
    const [plain, long] = listAudit(t.db, { limit: 2 }).rows;
    expect(long?.before).toBe('{"cron":"* * * * *"}');
    expect(long?.after?.length).toBeLessThan(MAX_AUDIT_VALUE_CHARS);
    expect(JSON.parse(long!.after!)).toMatchObject({
      truncated: true,
      chars: MAX_AUDIT_VALUE_CHARS + 52,
    });
    expect(JSON.parse(plain!.after!)).toBe("plain text, not JSON");
  });

  it("masks secrets before writing, in values and in JSON held in strings", () => {
    recordAudit(t.db, {
      actor: "a",
      action: "job.enqueue",
      after: {
        task: "demo.echo",
        args: { to: "ann", password: "hunter2", tokens: ["tok1"], db: "postgres://u:pgpw@h/x" },
      },
    });
    recordAudit(t.db, {
      actor: "a",
      action: "schedule.create",
      after: { name: "s", args: '{"apiKey":"sk_live_9"}' },
    });
    const stored = t.db.$client.prepare(`SELECT after FROM audit_log`).pluck().all() as string[];
    const all = stored.join("\n");
    expect(all).not.toMatch(/hunter2|tok1|pgpw|sk_live_9/);
    expect(JSON.parse(stored[0]!)).toMatchObject({ task: "demo.echo", args: { to: "ann" } });
    expect(all).toContain(MASK);
  });

  it("records every id of a 5,000-id bulk action in a valid JSON entry", () => {
    // Ids as a filter selects them: mostly runs, with gaps.
    const ids = Array.from({ length: 5000 }, (_, i) => 1000 + i * (i % 3 === 0 ? 2 : 1) + i);
    recordAudit(t.db, {
      actor: "a",
      action: "job.delete",
      before: { count: ids.length, ids: compactIds(ids) },
    });
    const [row] = listAudit(t.db, { limit: 1 }).rows;
    const parsed = JSON.parse(row!.before!) as { count: number; ids: string };
    expect(parsed.count).toBe(5000);
    expect(expandIds(parsed.ids)).toEqual([...ids].sort((a, b) => a - b));
  });

  it("writes compact id ranges and reads them back", () => {
    expect(compactIds([9, 1, 2, 3, 7, 10, 2])).toBe("1-3,7,9-10");
    expect(expandIds("1-3,7,9-10")).toEqual([1, 2, 3, 7, 9, 10]);
    expect(compactIds([])).toBe("");
  });
});

describe("auditedChange", () => {
  const jobCount = () => t.db.$client.prepare(`SELECT count(*) FROM jobs`).pluck().get();
  const auditCount = () => t.db.$client.prepare(`SELECT count(*) FROM audit_log`).pluck().get();

  it("writes the change and its entry together", () => {
    const id = auditedChange(
      t.db,
      () => enqueueJob(t.db, "demo.echo", null),
      (jobId) => ({ actor: "ann", action: "job.enqueue", target: `job:${jobId}` }),
    );
    expect(jobCount()).toBe(1);
    expect(listAudit(t.db, { limit: 10 }).rows.map((e) => e.target)).toEqual([`job:${id}`]);
  });

  it("writes no entry when the audit says there is nothing to record", () => {
    auditedChange(
      t.db,
      () => 0,
      () => null,
    );
    expect(auditCount()).toBe(0);
  });

  it("keeps neither when the entry cannot be made", () => {
    expect(() =>
      auditedChange(
        t.db,
        () => enqueueJob(t.db, "demo.echo", null),
        () => {
          throw new Error("audit failed");
        },
      ),
    ).toThrow("audit failed");
    expect(jobCount()).toBe(0);
    expect(auditCount()).toBe(0);
  });
});
