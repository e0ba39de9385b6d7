//! What each poll refusal from the server means to the user.

import type { PollRefusal } from "../bindings/PollRefusal";

/** One sentence per refusal; shown above the poll's (refreshed) results. */
export const REFUSAL_TEXT: Record<PollRefusal, string> = {
  ended: "This poll has ended, so it takes no more votes. These are the final results.",
  already_voted: "You already voted on this poll. This server does not let a vote be changed.",
  single_choice: "This poll takes one choice only. Pick a single option.",
  invalid_option: "That option is no longer part of the poll. The poll has been refreshed.",
  not_creator: "Only the person who created this poll can close it.",
  not_found: "This poll is no longer available. It may have been deleted, or you left the server.",
};

/** How long until `endsAt`, in words ("ends in 3 hours"), or `null` for no end. */
export function endsIn(endsAt: number | null, now: number): string | null {
  if (endsAt === null) return null;
  const ms = endsAt - now;
  if (ms <= 0) return "ended";
  const min = Math.ceil(ms / 60_000);
  if (min < 60) return `ends in ${min} minute${min === 1 ? "" : "s"}`;
  const h = Math.round(min / 60);
  if (h < 48) return `ends in ${h} hour${h === 1 ? "" : "s"}`;
  const d = Math.round(h / 24);
  return `ends in ${d} days`;
}
