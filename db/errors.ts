/** An error caused by the caller's input: the message says what to fix. `field` names the input. */
export class InputError extends Error {
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.name = "InputError";
    this.field = field;
  }
}
