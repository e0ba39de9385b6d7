//! ComposerState: the draft, reply target and message being edited, per window.
//! Drafts are kept per channel so switching channels never loses typed text.

import { createContext } from "svelte";
import type { Message } from "../types";

/** The composer of the open channel. */
export class ComposerState {
  drafts = $state.raw<Record<string, string>>({});
  replyTo = $state.raw<Message | null>(null);
  editing = $state.raw<Message | null>(null);
  /** Bumped to ask the composer textarea to take focus. */
  focusTick = $state(0);

  /** The draft of a channel. */
  draft(channelId: string): string {
    return this.drafts[channelId] ?? "";
  }

  /** Replaces the draft of a channel. */
  setDraft(channelId: string, text: string): void {
    this.drafts = { ...this.drafts, [channelId]: text };
  }

  /** Starts a reply. */
  reply(m: Message): void {
    this.editing = null;
    this.replyTo = m;
    this.focusTick++;
  }

  /** Starts editing one of our messages. */
  edit(m: Message): void {
    this.replyTo = null;
    this.editing = m;
    this.setDraft(m.channel_id, m.content);
    this.focusTick++;
  }

  /** Leaves reply or edit mode. */
  cancel(): void {
    this.replyTo = null;
    this.editing = null;
  }
}

/** Context accessors for the window's ComposerState. */
export const [getComposer, setComposer] = createContext<ComposerState>();
