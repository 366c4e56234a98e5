/**
 * Malformed, hostile or oversized bodies for POST /api/v1/jobs, each with the status it must get.
 * Shared by the unit test (app/api/v1/jobs/route.test.ts) and the e2e spec against the real server.
 */

/** One malformed request: body, extra headers, expected status. */
export interface MalformedCase {
  body: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
  status: number;
}

/** At least 100 malformed, hostile or oversized bodies (default caps: 64 KiB args, 256 KiB body). */
export function malformedEnqueueBodies(): MalformedCase[] {
  const cases: MalformedCase[] = [];
  const bad400 = [
    "",
    " ",
    "{",
    "}",
    "[]",
    "null",
    "1",
    '"x"',
    "true",
    "{task:1}",
    "{'task':'demo.echo'}",
    '{"task":"demo.echo",}',
    '{"task":"demo.echo"',
    "\u0000",
    '{"task":"demo.echo"}garbage',
    "NaN",
    '{"task":NaN}',
    '{"task":Infinity}',
    "[".repeat(5000) + "]".repeat(5000),
  ];
  for (const body of bad400) cases.push({ body, status: 400 });
  const fields: Record<string, unknown[]> = {
    task: [
      null,
      1,
      true,
      [],
      {},
      "",
      " ",
      "no.such.task",
      "x".repeat(201),
      "<script>alert(1)</script>",
    ],
    queue: [1, null, true, [], {}, "", "q".repeat(201)],
    priority: ["1", null, 1.5, [], {}, true, -1e12],
    delay: ["10", -1, null, [], {}, true],
    group: [1, "", "g".repeat(201), [], {}],
    timeout: ["1", 0, -5, null, [], {}],
    maxAttempts: ["3", 0, 1.5, -1, null, {}],
    uniqueKey: [1, "", "u".repeat(201), []],
    name: [2, "", "n".repeat(201)],
  };
  for (const [field, values] of Object.entries(fields)) {
    for (const value of values) {
      cases.push({ body: JSON.stringify({ task: "demo.echo", [field]: value }), status: 400 });
    }
  }
  for (const task of [
    "../../etc/passwd",
    "demo.echo\u0000",
    "demo.echo ",
    "DEMO.ECHO",
    "javascript:alert(1)",
    "'; DROP TABLE jobs; --",
    "\u202edemo.echo",
    "demo.*",
    "%64emo.echo",
    "constructor",
  ]) {
    cases.push({ body: JSON.stringify({ task }), status: 400 });
  }
  for (const key of [
    "extra",
    "Task",
    "run_at",
    "runAt",
    "hook",
    "scheduleId",
    "retryOf",
    "",
    " ",
  ]) {
    cases.push({ body: JSON.stringify({ task: "demo.echo", [key]: 1 }), status: 400 });
  }
  for (const pollution of [
    '{"task":"demo.echo","__proto__":{"admin":true}}',
    '{"task":"demo.echo","args":{"__proto__":{"x":1}}}',
    '{"task":"demo.echo","args":{"a":[{"constructor":{"prototype":{"x":1}}}]}}',
    '{"task":"demo.echo","args":{"prototype":1}}',
    '{"constructor":{"prototype":{"polluted":1}},"task":"demo.echo"}',
  ]) {
    cases.push({ body: pollution, status: 400 });
  }
  cases.push({
    body: JSON.stringify({
      task: "demo.echo",
      args: { deep: JSON.parse("[".repeat(70) + "]".repeat(70)) },
    }),
    status: 400,
  });
  cases.push({
    body: JSON.stringify({ task: "demo.echo", args: "x".repeat(70 * 1024) }),
    status: 400,
  });
  cases.push({
    body: JSON.stringify({ task: "demo.echo", args: "x".repeat(300 * 1024) }),
    status: 413,
  });
  cases.push({ body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), status: 400 });
  for (const type of [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "",
    "application/jsonx",
  ]) {
    cases.push({ body: '{"task":"demo.echo"}', headers: { "content-type": type }, status: 415 });
  }
  cases.push({
    body: '{"task":"demo.echo"}',
    headers: { "content-length": String(10 * 1024 * 1024) },
    status: 413,
  });
  return cases;
}
