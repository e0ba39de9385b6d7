//! ComposerState: the draft, reply target and message being edited, per window.
//! Drafts are kept per channel so switching channels never loses typed text, and saved in the
//! core's database (debounced) so quitting the app does not lose it either.

import { createContext } from "svelte";
import { invoke } from "../ipc";
import type { Message } from "../types";

/** How long typing must pause before a draft is written to disk. */
export const DRAFT_SAVE_MS = 300;

/** The composer of the open channel. */
export class ComposerState {
  drafts = $state.raw<Record<string, string>>({});
  replyTo = $state.raw<Message | null>(null);
  editing = $state.raw<Message | null>(null);
  /** Bumped to ask the composer textarea to take focus. */
  focusTick = $state(0);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- timers, never rendered
  private pendingSaves = new Map<string, ReturnType<typeof setTimeout>>();
  /** The draft put aside while a message is edited. */
  private stashed: { channelId: string; text: string } | null = null;

  /** The draft of a channel. */
  draft(channelId: string): string {
    return this.drafts[channelId] ?? "";
  }

  /**
   * Replaces the draft of a channel. The text of a message being edited is not a draft: it
   * is not saved, so a restart never turns an edit into a new message.
   */
  setDraft(channelId: string, text: string): void {
    this.drafts = { ...this.drafts, [channelId]: text };
    if (!this.editing && channelId) this.scheduleSave(channelId, text);
  }

  /** Takes the drafts saved in an earlier run; text typed since then wins. */
  async restore(): Promise<void> {
    const saved = await invoke("list_drafts").catch(() => ({}) as Record<string, string>);
    const next = { ...this.drafts };
    let changed = false;
    for (const [channelId, text] of Object.entries(saved)) {
      if (text && !next[channelId]) {
        next[channelId] = text;
        changed = true;
      }
    }
    if (changed) this.drafts = next;
  }

  /** Writes every draft still waiting for its debounce (the window is going away). */
  flush(): void {
    for (const channelId of [...this.pendingSaves.keys()]) this.save(channelId);
  }

  private scheduleSave(channelId: string, text: string) {
    clearTimeout(this.pendingSaves.get(channelId));
    // An emptied draft (sent or cleared) is removed at once: a crash must not bring it back.
    if (!text.trim()) return this.save(channelId);
    this.pendingSaves.set(
      channelId,
      setTimeout(() => this.save(channelId), DRAFT_SAVE_MS),
    );
  }

  private save(channelId: string) {
    clearTimeout(this.pendingSaves.get(channelId));
    this.pendingSaves.delete(channelId);
    const content = this.drafts[channelId] ?? "";
    void invoke("save_draft", { channel_id: channelId, content }).catch(() => undefined);
  }

  /** Starts a reply. */
  reply(m: Message): void {
    this.editing = null;
    this.replyTo = m;
    this.focusTick++;
  }

  /** Starts editing one of our messages; the channel's draft waits until the edit ends. */
  edit(m: Message): void {
    if (!this.editing) this.stashed = { channelId: m.channel_id, text: this.draft(m.channel_id) };
    this.replyTo = null;
    this.editing = m;
    this.setDraft(m.channel_id, m.content);
    this.focusTick++;
  }

  /** Leaves reply or edit mode; after an edit the draft typed before it comes back. */
  cancel(): void {
    const stashed = this.editing ? this.stashed : null;
    this.replyTo = null;
    this.editing = null;
    this.stashed = null;
    if (stashed) this.drafts = { ...this.drafts, [stashed.channelId]: stashed.text };
  }
}

/** Context accessors for the window's ComposerState. */
export const [getComposer, setComposer] = createContext<ComposerState>();
