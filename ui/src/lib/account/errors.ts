//! Turns the core's refusals in account settings into sentences a user can act on. The core
//! classifies (account.txt's odd answers included); this only words the states.

import type { IpcError, UiState } from "../types";
import { formatSeconds } from "../format";

/** A refusal worded for one form, with the field it is about when there is one. */
export type FormError = { field: string | null; text: string; retryAt: number | null };

/** Words an error from an account action. */
export function describe(err: unknown): FormError {
  const e = err as IpcError;
  const st: UiState | null | undefined = e?.state;
  if (!st) return { field: null, text: e?.message ?? "Something went wrong.", retryAt: null };
  switch (st.state) {
    case "invalid_input":
      if (st.field === "password" && st.message === "Invalid password") {
        return { field: "password", text: "That password is not right.", retryAt: null };
      }
      if (st.field === "current_password") return { field: "current_password", text: "Your current password is not right.", retryAt: null };
      if (st.field === "token") return { field: "token", text: "This reset code is not valid (it may have been used or mistyped).", retryAt: null };
      if (st.field === "password" && st.message === "Incorrect current password") {
        return { field: "password", text: "The server refused the new password. It reports a too-weak new password this way; try a longer one.", retryAt: null };
      }
      return { field: st.field, text: st.message, retryAt: null };
    case "two_factor_invalid":
      return { field: "code", text: "That code did not match. Codes change every 30 seconds: check that this device's clock is right and type the newest one.", retryAt: null };
    case "conflict":
      return { field: st.field, text: st.message, retryAt: null };
    case "rate_limited":
      return { field: null, text: `Too many tries. Try again in ${formatSeconds(Math.max(0, Math.ceil((st.retry_at - Date.now()) / 1000)))}.`, retryAt: st.retry_at };
    case "offline":
      return { field: null, text: "No connection to the server. Try again when you are back online.", retryAt: null };
    case "login_required":
      return { field: null, text: "Your session ended; sign in again.", retryAt: null };
    default:
      return { field: null, text: "message" in st && typeof st.message === "string" ? st.message : e.message, retryAt: null };
  }
}
