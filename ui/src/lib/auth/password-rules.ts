//! Live password checks against the server's own requirements.

import type { PasswordRequirements } from "../types";

/** One rule and whether the typed password meets it. */
export type RuleCheck = { id: string; label: string; isMet: boolean };

/** Checks `password` against every rule the server asks for. */
export function checkPassword(password: string, req: PasswordRequirements): RuleCheck[] {
  const rules: RuleCheck[] = [
    { id: "length", label: `At least ${req.min_length} characters`, isMet: [...password].length >= req.min_length },
  ];
  // The upper bound only matters once it is broken, so it is not listed before.
  if (req.max_length > 0 && [...password].length > req.max_length) {
    rules.push({ id: "max", label: `At most ${req.max_length} characters`, isMet: false });
  }
  if (req.require_uppercase) rules.push({ id: "upper", label: "An uppercase letter", isMet: /\p{Lu}/u.test(password) });
  if (req.require_lowercase) rules.push({ id: "lower", label: "A lowercase letter", isMet: /\p{Ll}/u.test(password) });
  if (req.require_digit) rules.push({ id: "digit", label: "A digit", isMet: /\p{Nd}/u.test(password) });
  if (req.require_special) rules.push({ id: "special", label: "A symbol (e.g. ! ? #)", isMet: /[^\p{L}\p{Nd}\s]/u.test(password) });
  return rules;
}
