/** `npm run jobdeck -- token <create|list|revoke>`: API tokens for other services. */
import { NUMBER_RANGES } from "@/db/limits";
import { getStore } from "@/db/store";
import { checkRole } from "@/db/store/auth";
import { cliActor } from "./admin";
import { CliError, isoTime, numberOption, parseCliArgs, type Command } from "./common";

const HELP = `Usage: npm run jobdeck -- token <subcommand>

  token create <name> [--role admin|viewer]   create a token (default role admin) and print it once
  token list [--json]                         list tokens (never their values)
  token revoke <id>                           revoke a token at once

Services send the token as "Authorization: Bearer <token>" to /api/v1/jobs.
An admin token may enqueue jobs; a viewer token may only read them. Only a hash is stored:
a lost token cannot be shown again; revoke it and create another.`;

const when = isoTime;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, {
    role: { type: "string" },
    json: { type: "boolean" },
  });
  const [sub, arg, ...extra] = positionals;
  if (extra.length > 0) throw new CliError(`Unexpected argument "${extra[0]}".\n\n${HELP}`);
  const { auth } = getStore();
  if (sub === "create") {
    if (arg === undefined) throw new CliError("token create needs a <name>.");
    const { token, info } = await auth.createApiToken(
      { name: arg, role: checkRole(values.role ?? "admin") },
      cliActor(),
    );
    if (values.json) console.log(JSON.stringify({ ...info, token }));
    else {
      console.error(
        `Created ${info.role} token ${info.id} "${info.name}". It is shown only this once:`,
      );
      console.log(token);
    }
    return 0;
  }
  if (sub === "list") {
    const tokens = await auth.listApiTokens();
    if (values.json) console.log(JSON.stringify(tokens));
    else if (tokens.length === 0) console.log("No API tokens.");
    else {
      for (const t of tokens) {
        const state = t.revokedAt === null ? "live" : `revoked ${when(t.revokedAt)}`;
        console.log(`${t.id}\t${t.name}\t${t.role}\t${state}\tlast used ${when(t.lastUsedAt)}`);
      }
    }
    return 0;
  }
  if (sub === "revoke") {
    const id = numberOption(arg, "id", NUMBER_RANGES.id);
    if (id === undefined)
      throw new CliError("token revoke needs the token's <id> (see token list).");
    await auth.revokeApiToken(id, cliActor());
    console.log(`Revoked token ${id}.`);
    return 0;
  }
  throw new CliError(
    `${sub === undefined ? "Missing subcommand" : `Unknown subcommand "${sub}"`}.\n\n${HELP}`,
  );
}

/** The `token` command. */
export const tokenCommand: Command = {
  summary: "Manage API tokens: token create|list|revoke",
  help: HELP,
  run,
};
