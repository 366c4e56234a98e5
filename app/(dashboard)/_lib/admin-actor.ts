import { AuthError, currentAddress, requireAdminAction } from "@/app/_lib/auth";
import type { AdminActor } from "@/db/store/admin";
import type { ActionResult } from "./action-result";

/**
 * The signed-in admin as an audit entry names them (username and address). Throws AuthError when
 * the request is cross-site, the session has ended or the user is a viewer.
 */
export async function requireAdminActor(): Promise<AdminActor> {
  const user = await requireAdminAction();
  return { name: user.username, address: await currentAddress() };
}

/** The admin sending `form`, or the reply refusing it: not an admin, or not a form. */
export async function formActor(
  form: unknown,
): Promise<{ actor: AdminActor } | { refusal: ActionResult }> {
  let actor;
  try {
    actor = await requireAdminActor();
  } catch (error) {
    if (error instanceof AuthError) return { refusal: { ok: false, message: error.message } };
    throw error;
  }
  if (!(form instanceof FormData)) return { refusal: { ok: false, message: "Invalid form." } };
  return { actor };
}
