/** Shared pieces of the CLI commands: the Command shape, errors and argument parsing. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { parseDecimal, rangeProblem, type NumberRange } from "@/db/limits";

/** One CLI command: `run` returns the exit code. */
export interface Command {
  summary: string;
  help: string;
  run(argv: string[]): Promise<number> | number;
}

/** A usage mistake: printed as `error: <message>`, exit code 2. */
export class CliError extends Error {}

/** A value that starts with a dash but is a number ("-5", "-0.5", "-.5"), not an option. */
const NEGATIVE_NUMBER = /^-\.?\d/;

/**
 * Joins `--opt -5` into `--opt=-5` for options that take a value, so a negative number reaches
 * the option's own check (and its message) instead of parseArgs' "argument is ambiguous".
 */
export function joinNegativeValues(argv: string[], options: ParseArgsConfig["options"]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const next = argv[i + 1];
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const name = arg.startsWith("--") ? arg.slice(2) : null;
    if (name && options?.[name]?.type === "string" && next && NEGATIVE_NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** node:util parseArgs, with its errors turned into CliError messages; `--opt -5` is a value. */
export function parseCliArgs<T extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({
      args: joinNegativeValues(argv, options),
      options,
      allowPositionals,
      strict: true,
    });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

/**
 * Reads a plain decimal number typed by a user; throws CliError naming the option for anything
 * else (hex, exponents, empty, NaN, trailing junk).
 */
export function decimalOption(value: string, name: string): number {
  const n = parseDecimal(value);
  if (Number.isNaN(n)) {
    throw new CliError(`--${name} must be a plain decimal number, got "${value}"`);
  }
  return n;
}

/**
 * Parses a numeric option as a plain decimal; throws CliError naming the option and its range
 * (from db/limits.ts) when it is not one or falls outside the range.
 */
export function numberOption(
  value: string | undefined,
  name: string,
  range: NumberRange,
): number | undefined {
  if (value === undefined) return undefined;
  const n = decimalOption(value, name);
  const problem = rangeProblem(n, range);
  if (problem) throw new CliError(`--${name} ${problem}, got ${value}`);
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

/** A stored time as ISO 8601 for CLI output: "-" when null, "invalid date" when out of range. */
export function isoTime(ms: number | null): string {
  if (ms === null) return "-";
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? "invalid date" : date.toISOString();
}
