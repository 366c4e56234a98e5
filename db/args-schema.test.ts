import { describe, expect, it } from "vitest";
import { argsSchemaProblems, compiledSchemaCount } from "./args-schema";

const schema = JSON.stringify({
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  properties: {
    ms: { type: "integer", minimum: 0, maximum: 1000 },
    kind: { type: "string", enum: ["a", "b"] },
    to: { type: "array", items: { type: "string", minLength: 1 } },
    "odd key": { type: "boolean" },
  },
  required: ["ms"],
});

describe("argsSchemaProblems", () => {
  it("accepts arguments that fit", () => {
    expect(argsSchemaProblems(schema, { ms: 5, kind: "a", to: ["x"], extra: 1 })).toEqual([]);
  });

  it("names the argument's path and what was expected", () => {
    expect(argsSchemaProblems(schema, { ms: "soon" })).toEqual([
      "args.ms: expected a whole number, got a string",
    ]);
    expect(argsSchemaProblems(schema, { ms: 1.5 })).toEqual([
      "args.ms: expected a whole number, got a number",
    ]);
    expect(argsSchemaProblems(schema, { ms: 2000 })).toEqual([
      "args.ms: expected at most 1000, got 2000",
    ]);
    expect(argsSchemaProblems(schema, { ms: 1, kind: "c" })).toEqual([
      'args.kind: expected one of "a", "b"',
    ]);
    expect(argsSchemaProblems(schema, { ms: 1, to: ["ok", ""] })).toEqual([
      "args.to[1]: expected at least 1 character",
    ]);
    expect(argsSchemaProblems(schema, { ms: 1, "odd key": 3 })).toEqual([
      'args["odd key"]: expected true or false, got a whole number',
    ]);
  });

  it("says which required argument is missing, and that the top level has the wrong type", () => {
    expect(argsSchemaProblems(schema, {})).toEqual(["args.ms: is required"]);
    expect(argsSchemaProblems(schema, null)).toEqual(["args: expected an object, got null"]);
  });

  it("lists at most three problems", () => {
    const many = JSON.stringify({
      type: "object",
      properties: Object.fromEntries(["a", "b", "c", "d", "e"].map((k) => [k, { type: "number" }])),
    });
    const problems = argsSchemaProblems(many, { a: "", b: "", c: "", d: "", e: "" });
    expect(problems).toHaveLength(4);
    expect(problems[3]).toBe("and 2 more");
  });

  it("says when a strict object gets an argument it does not take", () => {
    const strict = JSON.stringify({
      type: "object",
      properties: { ms: { type: "number" } },
      additionalProperties: false,
    });
    expect(argsSchemaProblems(strict, { ms: 1, mss: 2 })).toEqual([
      "args.mss: is not an argument this task takes",
    ]);
  });

  it("compiles a schema once per process, however many jobs it checks", () => {
    const text = JSON.stringify({ type: "object", properties: { n: { type: "number" } } });
    const before = compiledSchemaCount();
    for (let i = 0; i < 1000; i++) expect(argsSchemaProblems(text, { n: i })).toEqual([]);
    expect(argsSchemaProblems(text, { n: "x" })).toHaveLength(1);
    expect(compiledSchemaCount()).toBe(before + 1);
  });
});
