/** Shared pieces of the CLI commands: the Command shape, errors and argument parsing. */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** One CLI command: `run` returns the exit code. */
export interface Command {
  summary: string;
  help: string;
  run(argv: string[]): Promise<number> | number;
}

/** A usage mistake: printed as `error: <message>`, exit code 2. */
export class CliError extends Error {}

/** node:util parseArgs, with its errors turned into CliError messages. */
export function parseCliArgs<T extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

/** Parses a numeric option; throws CliError naming the option unless it is a number >= min. */
export function numberOption(
  value: string | undefined,
  name: string,
  { min = 0, integer = false }: { min?: number; integer?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new CliError(`--${name} must be a ${integer ? "whole " : ""}number, got "${value}"`);
  }
  if (n < min) throw new CliError(`--${name} must be at least ${min}, got ${value}`);
  return n;
}

/** Parses a JSON option; throws CliError naming the option when it is not valid JSON. */
export function jsonOption(value: string | undefined, name: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new CliError(`--${name} is not valid JSON (${(error as Error).message}): ${value}`);
  }
}
