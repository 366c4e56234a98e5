/**
 * `npm run jobdeck -- admin <create|password|role|delete|list|unlock>`: dashboard users.
 * Passwords come from JOBDECK_PASSWORD or standard input (typed twice, hidden, on a terminal);
 * weak or empty ones are refused.
 */
import readline from "node:readline";
import { hashPasswordSync, passwordProblem } from "@/db/passwords";
import { getStore, type AuthStore } from "@/db/store";
import { checkRole, checkUsername } from "@/db/store/auth";
import { CliError, parseCliArgs, type Command } from "./common";

/** Actor name for the audit log of CLI changes. */
export function cliActor(): string {
  return `cli:${process.env.USER ?? process.env.USERNAME ?? "unknown"}`;
}

async function readHidden(prompt: string): Promise<string> {
  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stderr,
    terminal: true,
  });
  const output = rl as unknown as { _writeToOutput: (s: string) => void };
  let prompted = false;
  // Echo nothing after the prompt, so the password is not shown on screen.
  output._writeToOutput = (s: string) => {
    if (!prompted) {
      process.stderr.write(s);
      prompted = true;
    }
  };
  return new Promise((resolve) => {
    rl.question(prompt, (answer) => {
      rl.close();
      process.stderr.write("\n");
      resolve(answer);
    });
  });
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The new password: JOBDECK_PASSWORD, else stdin (first line); refused when weak. */
export async function readNewPassword(username: string): Promise<string> {
  let password: string;
  if (process.env.JOBDECK_PASSWORD !== undefined) {
    password = process.env.JOBDECK_PASSWORD;
  } else if (process.stdin.isTTY) {
    password = await readHidden(`Password for ${username}: `);
    const again = await readHidden("Repeat the password: ");
    if (again !== password) throw new CliError("The two passwords differ; nothing was changed.");
  } else {
    password = (await readAllStdin()).split(/\r?\n/)[0] ?? "";
  }
  const problem = passwordProblem(password, username);
  if (problem) {
    throw new CliError(
      `${problem} Nothing was changed. Give the password in JOBDECK_PASSWORD or on standard input.`,
    );
  }
  return password;
}

const HELP = `Usage: npm run jobdeck -- admin <subcommand>

  admin create <username> [--role admin|viewer]   create a user (default role admin)
  admin password <username>                        set a new password (ends their sessions,
                                                   lifts their sign-in limits)
  admin role <username> --role admin|viewer        change a user's role (ends their sessions)
  admin delete <username>                          remove a user
  admin list [--json]                              list users
  admin unlock <username>                          lift the sign-in limits of a username
                                                   (from every address)
  admin unlock --address <address>                 lift the sign-in limits of a client address

The password is read from JOBDECK_PASSWORD or standard input (typed twice on a terminal).
It must be at least 12 characters and not contain the username or a common word.
Every change is recorded in the audit log.`;

async function unlock(auth: AuthStore, name?: string, address?: string): Promise<number> {
  if (name === undefined && address === undefined)
    throw new CliError("admin unlock needs a <username> or --address <address>.");
  if (address !== undefined && address.trim() === "")
    throw new CliError("--address needs the client address to unlock, e.g. --address 203.0.113.7.");
  const username = name === undefined ? undefined : checkUsername(name);
  const cleared = await auth.clearLoginLimits({ username, address }, cliActor());
  const what = [username && `"${username}"`, address && `address ${address}`].filter(Boolean);
  console.log(
    `Lifted the sign-in limits of ${what.join(" and ")} (${cleared} counted attempt${cleared === 1 ? "" : "s"} cleared).`,
  );
  return 0;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, {
    role: { type: "string" },
    json: { type: "boolean" },
    address: { type: "string" },
  });
  const [sub, name, ...extra] = positionals;
  if (extra.length > 0) throw new CliError(`Unexpected argument "${extra[0]}".\n\n${HELP}`);
  const { auth } = getStore();
  if (sub === "list") {
    const users = await auth.listUsers();
    if (values.json) console.log(JSON.stringify(users));
    else if (users.length === 0) console.log("No users.");
    else
      for (const u of users)
        console.log(`${u.username}\t${u.role}\tcreated ${new Date(u.createdAt).toISOString()}`);
    return 0;
  }
  if (sub === "unlock") return unlock(auth, name, values.address);
  if (sub === undefined || !["create", "password", "role", "delete"].includes(sub)) {
    throw new CliError(
      `${sub === undefined ? "Missing subcommand" : `Unknown subcommand "${sub}"`}.\n\n${HELP}`,
    );
  }
  if (name === undefined) throw new CliError(`admin ${sub} needs a <username>.`);
  const username = checkUsername(name);
  if (sub === "create") {
    const role = checkRole(values.role ?? "admin");
    const password = await readNewPassword(username);
    await auth.createUser({ username, passwordHash: hashPasswordSync(password), role }, cliActor());
    console.log(`Created ${role} "${username}".`);
  } else if (sub === "password") {
    const password = await readNewPassword(username);
    await auth.setUserPassword(username, hashPasswordSync(password), cliActor());
    console.log(`Changed the password of "${username}"; their sessions have ended.`);
  } else if (sub === "role") {
    if (values.role === undefined) throw new CliError("admin role needs --role admin|viewer.");
    await auth.setUserRole(username, checkRole(values.role), cliActor());
    console.log(`"${username}" is now ${values.role}; their sessions have ended.`);
  } else {
    await auth.deleteUser(username, cliActor());
    console.log(`Removed "${username}".`);
  }
  return 0;
}

/** The `admin` command. */
export const adminCommand: Command = {
  summary: "Manage dashboard users: admin create|password|role|delete|list|unlock",
  help: HELP,
  run,
};
