import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../client";
import { listAudit, MAX_AUDIT_VALUE_CHARS, recordAudit } from "./audit";
import { openTestDb } from "./test-db";

let db: Db;
let cleanup: () => void;
beforeEach(() => ({ db, cleanup } = openTestDb()));
afterEach(() => cleanup());

describe("audit log", () => {
  it("pages newest first by id with a cursor", () => {
    for (let i = 1; i <= 7; i++)
      recordAudit(db, { actor: "a", action: "job.retry", target: `job:${i}` }, i);
    const first = listAudit(db, { limit: 3 });
    expect(first.rows.map((r) => r.target)).toEqual(["job:7", "job:6", "job:5"]);
    const second = listAudit(db, { before: first.nextBefore!, limit: 3 });
    expect(second.rows.map((r) => r.target)).toEqual(["job:4", "job:3", "job:2"]);
    const last = listAudit(db, { before: second.nextBefore!, limit: 3 });
    expect(last.rows.map((r) => r.target)).toEqual(["job:1"]);
    expect(last.nextBefore).toBeNull();
  });

  it("stores before/after as JSON text, capped in size", () => {
    recordAudit(db, {
      actor: "a",
      action: "schedule.update",
      before: { cron: "* * * * *" },
      after: "x".repeat(MAX_AUDIT_VALUE_CHARS + 50),
    });
    const [row] = listAudit(db, { limit: 1 }).rows;
    expect(row?.before).toBe('{"cron":"* * * * *"}');
    expect(row?.after?.length).toBeLessThan(MAX_AUDIT_VALUE_CHARS + 50);
    expect(row?.after).toMatch(/50 more characters\]$/);
  });
});
