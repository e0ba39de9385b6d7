//! What the invite screens say: one designed text per refusal the server really gives, and
//! the expiry and use lines of an invite. Pure functions, so they are tested without a DOM.

import type { InviteRefusal } from "../bindings/InviteRefusal";

/** A refusal's title and what the user can do about it. */
export type RefusalText = { title: string; detail: string };

/** The designed text of each refusal. */
export function refusalText(reason: InviteRefusal): RefusalText {
  switch (reason) {
    case "unknown":
      return { title: "This invite doesn't exist", detail: "Check the code for typos, or ask for a new invite. It may also have been revoked." };
    case "revoked":
      return { title: "This invite was revoked", detail: "Whoever manages the server took it back. Ask them for a new one." };
    case "expired":
      return { title: "This invite has expired", detail: "Invites stop working after a while. Ask for a new one." };
    case "used_up":
      return { title: "This invite has been used up", detail: "It allowed a limited number of people to join, and they have. Ask for a new one." };
    case "already_member":
      return { title: "You're already a member", detail: "You are in this server already." };
    case "banned":
      return { title: "You are banned from this server", detail: "You can't join it with any invite while the ban lasts." };
  }
}

/** "Expires in 3 hours", "Expired", "Never expires". */
export function expiryText(expiresAt: number | null, now: number = Date.now()): string {
  if (expiresAt === null) return "Never expires";
  const left = expiresAt - now;
  if (left <= 0) return "Expired";
  const minutes = Math.round(left / 60_000);
  if (minutes < 1) return "Expires in less than a minute";
  if (minutes < 60) return `Expires in ${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `Expires in ${hours} hour${hours === 1 ? "" : "s"}`;
  const days = Math.round(hours / 24);
  return `Expires in ${days} days`;
}

/** "3 of 10 uses", "3 uses" (unlimited). */
export function usesText(uses: number, maxUses: number): string {
  if (maxUses > 0) return `${uses} of ${maxUses} uses`;
  return `${uses} use${uses === 1 ? "" : "s"}, no limit`;
}

/** Lifetimes offered when making an invite (seconds; 0 is forever). */
export const EXPIRY_CHOICES: [number, string][] = [
  [1800, "30 minutes"],
  [3600, "1 hour"],
  [21600, "6 hours"],
  [43200, "12 hours"],
  [86400, "1 day"],
  [604800, "7 days"],
  [0, "Never"],
];

/** Use limits offered when making an invite (0 is unlimited). */
export const USES_CHOICES: [number, string][] = [
  [0, "No limit"],
  [1, "1 use"],
  [5, "5 uses"],
  [10, "10 uses"],
  [25, "25 uses"],
  [100, "100 uses"],
];

/** Two or three letters standing in for a server icon. */
export function initials(name: string): string {
  return name
    .split(/\s+/)
    .map((w) => [...w][0] ?? "")
    .join("")
    .slice(0, 3);
}
