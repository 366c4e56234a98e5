/**
 * Checks job arguments against the JSON Schema a task published to the catalog (tasks.args_schema),
 * so the enqueue side refuses what the task would refuse without importing task modules.
 * Each schema is compiled once per process and cached by its text; messages name the argument's
 * path and what was expected (`args.ms: expected a number, got a string`).
 */
import { Validator, type OutputUnit, type Schema } from "@cfworker/json-schema";

/** Compiled validators by schema text. Bounded: a catalog has few schemas; churn only refills it. */
const compiled = new Map<string, { validator: Validator; schema: unknown }>();
const MAX_COMPILED = 500;
/** How many problems one message lists. */
const MAX_PROBLEMS = 3;

function compile(schemaText: string): { validator: Validator; schema: unknown } {
  let entry = compiled.get(schemaText);
  if (!entry) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    const validator = new Validator(JSON.parse(schemaText) as Schema, "2020-12", false);
    // A second parse: the validator annotates its copy while dereferencing.
    entry = { validator, schema: JSON.parse(schemaText) as unknown };
    compiled.set(schemaText, entry);
  }
  return entry;
}

/** How many schemas this process has compiled and keeps (tests and diagnostics). */
export function compiledSchemaCount(): number {
  return compiled.size;
}

/** Keywords that only say "a part below did not match"; their children say what. */
const WRAPPERS = new Set([
  "properties",
  "items",
  "prefixItems",
  "additionalItems",
  "allOf",
  "$ref",
  "$dynamicRef",
  "unevaluatedProperties",
  "unevaluatedItems",
  "contains",
  "patternProperties",
  "dependentSchemas",
  "if",
  "then",
  "else",
]);

const TYPE_WORDS: Record<string, string> = {
  array: "an array",
  boolean: "true or false",
  integer: "a whole number",
  null: "null",
  number: "a number",
  object: "an object",
  string: "a string",
};

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return Number.isInteger(value) ? "a whole number" : "a number";
  return TYPE_WORDS[typeof value] ?? typeof value;
}

/** `#/items/0/name` -> `args.items[0].name` (JSON Pointer, ~1 and ~0 unescaped). */
function argPath(pointer: string): string {
  const parts = pointer.replace(/^#\/?/, "").split("/").filter(Boolean);
  let path = "args";
  for (const raw of parts) {
    const part = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    path += /^\d+$/.test(part)
      ? `[${part}]`
      : /^[A-Za-z_$][\w$]*$/.test(part)
        ? `.${part}`
        : `[${JSON.stringify(part)}]`;
  }
  return path;
}

function at(instance: unknown, pointer: string): unknown {
  let value = instance;
  for (const raw of pointer.replace(/^#\/?/, "").split("/").filter(Boolean)) {
    const part = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    value =
      value !== null && typeof value === "object"
        ? (value as Record<string, unknown>)[part]
        : undefined;
  }
  return value;
}

const count = (n: unknown, noun: string) => `${String(n)} ${noun}${n === 1 ? "" : "s"}`;

function expected(unit: OutputUnit, schema: unknown, value: unknown): string {
  const rule = at(schema, unit.keywordLocation); // e.g. #/properties/ms/minimum -> 0
  if (rule === undefined) return unit.error; // a keyword reached through a $ref: say it as is
  const list = (v: unknown) =>
    (Array.isArray(v) ? v : [v]).map((x) => JSON.stringify(x)).join(", ");
  switch (unit.keyword) {
    case "type": {
      const types = (Array.isArray(rule) ? rule : [rule]).map(
        (t) => TYPE_WORDS[String(t)] ?? String(t),
      );
      return `expected ${types.join(" or ")}, got ${typeOf(value)}`;
    }
    case "minimum":
      return `expected at least ${String(rule)}, got ${JSON.stringify(value)}`;
    case "maximum":
      return `expected at most ${String(rule)}, got ${JSON.stringify(value)}`;
    case "exclusiveMinimum":
      return `expected more than ${String(rule)}, got ${JSON.stringify(value)}`;
    case "exclusiveMaximum":
      return `expected less than ${String(rule)}, got ${JSON.stringify(value)}`;
    case "multipleOf":
      return `expected a multiple of ${String(rule)}`;
    case "minLength":
      return `expected at least ${count(rule, "character")}`;
    case "maxLength":
      return `expected at most ${count(rule, "character")}`;
    case "pattern":
      return `expected text matching /${String(rule)}/`;
    case "format":
      return `expected ${String(rule)} format`;
    case "minItems":
      return `expected at least ${count(rule, "item")}`;
    case "maxItems":
      return `expected at most ${count(rule, "item")}`;
    case "uniqueItems":
      return "expected no repeated items";
    case "enum":
      return `expected one of ${list(rule)}`;
    case "const":
      return `expected ${list(rule)}`;
    case "anyOf":
    case "oneOf":
      return "matches none of the allowed shapes";
    case "not":
      return "is a value that is not allowed";
    case "minProperties":
      return `expected at least ${count(rule, "argument")}`;
    case "maxProperties":
      return `expected at most ${count(rule, "argument")}`;
    default:
      return unit.error;
  }
}

function describe(unit: OutputUnit, schema: unknown, instance: unknown): string | null {
  if (WRAPPERS.has(unit.keyword)) return null;
  if (unit.keyword === "required") {
    const name = /property "(.*)"/.exec(unit.error)?.[1] ?? "?";
    return `${argPath(`${unit.instanceLocation}/${name}`)}: is required`;
  }
  if (unit.keyword === "additionalProperties") {
    const name = /Property "(.*)" does not match/.exec(unit.error)?.[1];
    return name === undefined
      ? null
      : `${argPath(`${unit.instanceLocation}/${name}`)}: is not an argument this task takes`;
  }
  if (unit.keyword === "false") return null; // the child of additionalProperties: false, said above
  return `${argPath(unit.instanceLocation)}: ${expected(unit, schema, at(instance, unit.instanceLocation))}`;
}

/**
 * Problems of `args` under the JSON Schema text `schemaText`, as messages naming each argument's
 * path (at most three, and "and N more"); an empty list when they fit.
 */
export function argsSchemaProblems(schemaText: string, args: unknown): string[] {
  const { validator, schema } = compile(schemaText);
  const result = validator.validate(args);
  if (result.valid) return [];
  const messages = [
    ...new Set(result.errors.map((u) => describe(u, schema, args)).filter((m) => m !== null)),
  ];
  if (messages.length === 0)
    messages.push(`args: ${result.errors[0]?.error ?? "do not match the task's schema"}`);
  if (messages.length <= MAX_PROBLEMS) return messages;
  return [...messages.slice(0, MAX_PROBLEMS), `and ${messages.length - MAX_PROBLEMS} more`];
}
