/** What a server action returns for the user: ok or not, a message for a toast, and field errors. */
export interface ActionResult {
  ok: boolean;
  message: string;
  fieldErrors?: Record<string, string[] | undefined>;
}

/** An ActionResult that also carries a number (how many rows a bulk action would touch). */
export interface CountResult extends ActionResult {
  count: number;
  /** True when there are more than the bulk cap; the action touches the newest `count`. */
  isCapped: boolean;
}

/** What a refused form gets back: the message, the errors by field and what was submitted. */
export interface RefusedForm extends ActionResult {
  ok: false;
  /** The submitted text fields, so the form shows them again after React resets it. */
  values: Record<string, string>;
}

/**
 * The reply to a refused form: `values` holds its text fields (each cut at 70,000 characters)
 * except those named in `except`, for the form to show again.
 */
export function refusedForm(
  form: FormData,
  message: string,
  fieldErrors: Record<string, string[] | undefined>,
  except: string[] = [],
): RefusedForm {
  const values: Record<string, string> = {};
  for (const [key, value] of form)
    if (typeof value === "string" && !except.includes(key)) values[key] = value.slice(0, 70_000);
  return { ok: false, message, fieldErrors, values };
}
