/**
 * Child process of login-attempts.test.ts: opens the database given in argv[2] on its own
 * connection and runs argv[4] sign-ins for argv[3] in parallel (wrong passwords, one address
 * per argv[5] or a fresh one each when it is "*"), printing the outcome counts as JSON.
 */
import { openDb } from "../client";
import { checkSignIn } from "./login-attempts";

const [file, username, count, address] = process.argv.slice(2);
const limits = JSON.parse(process.env.STORM_LIMITS ?? "null");
const db = openDb({ url: file!, migrate: false });
const outcomes = await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    checkSignIn(
      db,
      {
        address: address === "*" ? `10.${process.pid % 250}.0.${i}` : address!,
        username: username!,
        password: `wrong-${i}`,
      },
      { limits },
    ),
  ),
);
const counts: Record<string, number> = {};
for (const o of outcomes) {
  const k = o.ok ? "ok" : o.reason;
  counts[k] = (counts[k] ?? 0) + 1;
}
console.log(JSON.stringify(counts));
db.$client.close();
