import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAllStores, getStore } from "@/db/store";
import { testRows } from "@/db/testing/dash-rows";
import { GET } from "./[id]/route";
import { malformedEnqueueBodies } from "@/e2e/security-malformed";
import { POST } from "./route";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-api-"));
let admin = "";
let viewer = "";

beforeAll(async () => {
  process.env.DATABASE_URL = path.join(dir, "api.db");
  const { auth } = getStore();
  admin = (await auth.createApiToken({ name: "svc", role: "admin" }, "test")).token;
  viewer = (await auth.createApiToken({ name: "ro", role: "viewer" }, "test")).token;
});
afterAll(async () => {
  testRows().close();
  await closeAllStores();
  fs.rmSync(dir, { recursive: true, force: true });
});

function post(
  body: string | Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = {},
  token = admin,
) {
  return POST(
    new Request("http://127.0.0.1:3000/api/v1/jobs", {
      method: "POST",
      body,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    }),
  );
}
const count = () =>
  testRows().count("jobs") + testRows().count("audit_log", { action: "job.enqueue" });

describe("POST /api/v1/jobs", () => {
  it("enqueues a job for an admin token and audits it", async () => {
    const response = await post(
      JSON.stringify({ task: "demo.echo", args: { a: 1 }, queue: "mail", priority: 2 }),
    );
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: number };
    const got = await GET(
      new Request(`http://x/api/v1/jobs/${id}`, { headers: { authorization: `Bearer ${viewer}` } }),
      {
        params: Promise.resolve({ id: String(id) }),
      },
    );
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({
      job: { id, task: "demo.echo", args: { a: 1 }, queue: "mail", status: "queued" },
    });
    const { rows } = await getStore().reads.listAudit({ limit: 10 });
    const audit = rows.find((r) => r.action === "job.enqueue");
    expect(audit).toMatchObject({ actor: "token:svc", action: "job.enqueue", target: `job:${id}` });
  });

  it.each([
    ['{"task":"demo.echo","delay":1e20}', "delay", /delay must be between 0 and 315360000 seconds/],
    [
      '{"task":"demo.echo","priority":1e308}',
      "priority",
      /priority must be a whole number between/,
    ],
    ['{"task":"demo.echo","timeout":1e300}', "timeout", /timeout must be between 0.001 and/],
    ['{"task":"demo.echo","maxAttempts":5000}', "maxAttempts", /maxAttempts must be a whole/],
    ['{"task":"demo.echo","name":"a\\u0000b"}', "name", /name must not contain a NUL/],
    ['{"task":"demo.echo","queue":"q\\ud800"}', "queue", /queue must not contain a lone surrogate/],
  ])("refuses %s with 400 naming the field and its range", async (body, field, message) => {
    const before = count();
    const response = await post(body);
    expect(response.status).toBe(400);
    const json = (await response.json()) as { field?: string; message: string };
    expect(json.field).toBe(field);
    expect(json.message).toMatch(message);
    expect(count()).toBe(before);
  });

  it("refuses viewers, missing tokens and cross-site origins, writing nothing", async () => {
    const before = count();
    expect((await post('{"task":"demo.echo"}', {}, viewer)).status).toBe(403);
    expect((await post('{"task":"demo.echo"}', {}, "jdk_wrong")).status).toBe(401);
    expect(
      (
        await post('{"task":"demo.echo"}', {
          origin: "https://evil.example",
          host: "127.0.0.1:3000",
        })
      ).status,
    ).toBe(403);
    expect(count()).toBe(before);
  });

  it("answers at least 100 malformed or oversized bodies with a clear 4xx and writes nothing", async () => {
    const corpus = malformedEnqueueBodies();
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    const before = count();
    for (const c of corpus) {
      const response = await post(c.body, c.headers);
      const body = (await response.json()) as { message?: string };
      expect({ body: String(c.body).slice(0, 80), status: response.status }).toEqual({
        body: String(c.body).slice(0, 80),
        status: c.status,
      });
      expect(body.message).toBeTruthy();
    }
    expect(count()).toBe(before);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("names the field at fault", async () => {
    const body = async (b: unknown) =>
      (await (await post(JSON.stringify(b))).json()) as { field?: string };
    expect((await body({ task: "demo.echo", priority: "high" })).field).toBe("priority");
    expect((await body({ task: "demo.echo", colour: "red" })).field).toBe("colour");
    expect((await body({ task: "no.such" })).field).toBe("task");
    expect(
      (await body({ task: "demo.echo", args: { x: { __proto__: 1 } } })).field,
    ).toBeUndefined();
    expect(
      (await (await post('{"task":"demo.echo","args":{"a":{"__proto__":{}}}}')).json()) as {
        field: string;
      },
    ).toMatchObject({ field: "args.a.__proto__" });
  });
});

describe("GET /api/v1/jobs/:id", () => {
  it("answers 400 for a bad id, 404 for an unknown one and 401 without credentials", async () => {
    const get = (id: string, token?: string) =>
      GET(
        new Request(`http://x/api/v1/jobs/${id}`, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
        }),
        {
          params: Promise.resolve({ id }),
        },
      );
    expect((await get("abc", viewer)).status).toBe(400);
    expect((await get("0", viewer)).status).toBe(400);
    expect((await get("1e3", viewer)).status).toBe(400);
    expect((await get("99999", viewer)).status).toBe(404);
    expect((await get("1")).status).toBe(401);
  });
});
