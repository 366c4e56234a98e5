"use client";
/**
 * Typed inputs for a task whose arguments are a flat object (each property a string, number,
 * whole number, boolean or one of a list), read from the JSON Schema the task published. They
 * edit the arguments' JSON text, which stays the one thing the form submits.
 */
import { useId } from "react";

/** One argument a flat object schema describes. */
export interface ArgField {
  name: string;
  kind: "string" | "number" | "integer" | "boolean" | "enum";
  isRequired: boolean;
  options?: unknown[];
  min?: number;
  max?: number;
}

type JsonSchema = {
  type?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: unknown;
  enum?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  default?: unknown;
};

function fieldOf(name: string, s: JsonSchema, isRequired: boolean): ArgField | null {
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  if (Array.isArray(s.enum)) return { name, kind: "enum", isRequired, options: s.enum };
  if (s.type === "string" || s.type === "boolean" || s.type === "number" || s.type === "integer")
    return { name, kind: s.type, isRequired, min: num(s.minimum), max: num(s.maximum) };
  return null;
}

/** The fields of a flat object schema, or null when the schema is anything else (or not JSON). */
export function flatFields(schemaText: string | null): ArgField[] | null {
  if (!schemaText) return null;
  let schema: JsonSchema;
  try {
    schema = JSON.parse(schemaText) as JsonSchema;
  } catch {
    return null;
  }
  if (schema.type !== "object" || !schema.properties) return null;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const fields: ArgField[] = [];
  for (const [name, prop] of Object.entries(schema.properties)) {
    const field = fieldOf(name, prop, required.has(name));
    if (!field) return null;
    fields.push(field);
  }
  return fields;
}

/** Example arguments from the fields: each required one at its minimum, first option, "" or false. */
export function exampleFromFields(fields: ArgField[]): Record<string, unknown> {
  const example: Record<string, unknown> = {};
  for (const f of fields) {
    if (!f.isRequired) continue;
    if (f.kind === "enum") example[f.name] = f.options?.[0] ?? null;
    else if (f.kind === "boolean") example[f.name] = false;
    else if (f.kind === "string") example[f.name] = "";
    else example[f.name] = f.min !== undefined && f.min > 0 ? f.min : 0;
  }
  return example;
}

/** What a field expects, in words: "whole number, 0 to 86400000, required". */
export function describeField(f: ArgField): string {
  const kind = {
    string: "text",
    number: "number",
    integer: "whole number",
    boolean: "true or false",
    enum: `one of ${(f.options ?? []).map((o) => JSON.stringify(o)).join(", ")}`,
  }[f.kind];
  const range =
    f.min !== undefined && f.max !== undefined
      ? `${f.min} to ${f.max}`
      : f.min !== undefined
        ? `at least ${f.min}`
        : f.max !== undefined
          ? `at most ${f.max}`
          : null;
  return [kind, range, f.isRequired ? "required" : "optional"].filter(Boolean).join(", ");
}

const input =
  "w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm shadow-sm focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none disabled:opacity-60 aria-[invalid=true]:border-rose-500 dark:border-zinc-700 dark:bg-zinc-950";

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text.trim() === "" ? "{}" : text) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function toText(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}

/** One input per argument; each change rewrites `args` (the JSON text) through `onArgs`. */
export function ArgsFields({
  fields,
  args,
  onArgs,
  error,
}: {
  fields: ArgField[];
  args: string;
  onArgs: (text: string) => void;
  /** The server's message about the arguments; a field it names (`args.ms:`) is marked invalid. */
  error?: string | undefined;
}) {
  const id = useId();
  const current = parseObject(args);
  const set = (name: string, value: unknown) => {
    const next = { ...(current ?? {}) };
    if (value === undefined) delete next[name];
    else next[name] = value;
    onArgs(JSON.stringify(next));
  };
  return (
    <fieldset className="flex flex-col gap-2 rounded-md border border-zinc-200 p-2.5 dark:border-zinc-800">
      <legend className="px-1 text-xs font-medium text-zinc-700 dark:text-zinc-300">
        Task arguments
      </legend>
      {current === null && (
        <p className="text-xs text-amber-700 dark:text-amber-400">
          The JSON below is not an object; fix it to use these fields.
        </p>
      )}
      {fields.map((f, i) => {
        const fieldId = `${id}-${i}`;
        const isInvalid = Boolean(error?.includes(`args.${f.name}:`));
        const value = current?.[f.name];
        const hint = <p className="text-xs text-zinc-500 dark:text-zinc-400">{describeField(f)}</p>;
        if (f.kind === "boolean")
          return (
            <div key={f.name} className="flex flex-col gap-0.5">
              <label className="flex items-center gap-2 text-xs font-medium text-zinc-700 dark:text-zinc-300">
                <input
                  type="checkbox"
                  checked={value === true}
                  disabled={current === null}
                  onChange={(e) => set(f.name, e.target.checked)}
                />
                {f.name}
              </label>
              {hint}
            </div>
          );
        return (
          <div key={f.name} className="flex flex-col gap-0.5">
            <label
              htmlFor={fieldId}
              className="font-mono text-xs font-medium text-zinc-700 dark:text-zinc-300"
            >
              {f.name}
            </label>
            {f.kind === "enum" ? (
              <select
                id={fieldId}
                value={value === undefined ? "" : JSON.stringify(value)}
                disabled={current === null}
                onChange={(e) =>
                  set(
                    f.name,
                    e.target.value === "" ? undefined : (JSON.parse(e.target.value) as unknown),
                  )
                }
                className={input}
              >
                {(value === undefined ||
                  !(f.options ?? []).some((o) => JSON.stringify(o) === JSON.stringify(value))) && (
                  <option value={value === undefined ? "" : JSON.stringify(value)}>
                    {value === undefined ? "(choose)" : toText(value)}
                  </option>
                )}
                {(f.options ?? []).map((o) => (
                  <option key={JSON.stringify(o)} value={JSON.stringify(o)}>
                    {toText(o)}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={fieldId}
                value={toText(value)}
                disabled={current === null}
                aria-invalid={isInvalid}
                inputMode={
                  f.kind === "string" ? undefined : f.kind === "integer" ? "numeric" : "decimal"
                }
                onChange={(e) => {
                  const text = e.target.value;
                  if (f.kind === "string")
                    return set(f.name, text === "" && !f.isRequired ? undefined : text);
                  if (text.trim() === "") return set(f.name, undefined);
                  // Not a number yet ("1e", "-"): keep the text, the server names the problem.
                  const n = Number(text);
                  set(f.name, Number.isFinite(n) && String(n) === text.trim() ? n : text);
                }}
                className={`${input} font-mono text-xs`}
              />
            )}
            {hint}
          </div>
        );
      })}
    </fieldset>
  );
}
