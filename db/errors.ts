/** Marks an InputError whichever copy of this module made it (see Symbol.hasInstance below). */
const INPUT_ERROR = Symbol.for("jobdeck.InputError");

/** An error caused by the caller's input: the message says what to fix. `field` names the input. */
export class InputError extends Error {
  readonly field: string | undefined;
  readonly [INPUT_ERROR] = true;
  constructor(message: string, field?: string) {
    super(message);
    this.name = "InputError";
    this.field = field;
  }

  /**
   * `instanceof` by brand, not by class identity: Next.js bundles each route separately, and the
   * process-wide store (cached on globalThis) may have been built by another bundle's copy of
   * this module, whose errors a route's own `InputError` would otherwise not recognise.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && INPUT_ERROR in value;
  }
}
