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
