/**
 * `npm run jobdeck -- <command>`: the command-line interface. Each command lives in worker/cli/.
 * Bad input exits 2 with a message saying what to fix and writes nothing.
 */
import { closeAllStores } from "@/db/store";
import { InputError } from "@/db/errors";
import { CliError, type Command } from "./cli/common";
import { commands } from "./cli/commands";

function usage(list: Record<string, Command>): string {
  const width = Math.max(...Object.keys(list).map((n) => n.length));
  const lines = Object.entries(list).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: npm run jobdeck -- <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun \`npm run jobdeck -- <command> --help\` for a command's options.\nEnvironment: DATABASE_URL (default data/jobdeck.db).`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage(commands));
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${usage(commands)}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.help);
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2))
  .then(async (code) => {
    await closeAllStores();
    process.exitCode = code;
  })
  .catch(async (error: unknown) => {
    await closeAllStores();
    if (error instanceof CliError || error instanceof InputError) {
      console.error(`error: ${error.message}`);
      process.exitCode = 2;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  });
