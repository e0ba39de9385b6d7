//! The mock backend's scheduled messages and custom emojis, following the core: the device
//! keeps its own (`device:N`), the server's list may hold others (`server:ID`, only cancelled
//! there; edits move them to the device), and a refusal comes back as the core gives it.

import type { ScheduledList } from "../bindings/ScheduledList";
import type { ScheduledMessage } from "../bindings/ScheduledMessage";
import type { ServerEmojis } from "../bindings/ServerEmojis";

type Refusal = { code: "failed"; message: string; state: { state: "invalid_input"; field: string; message: string } };
const refuse = (field: string, message: string): Refusal => ({ code: "failed", message, state: { state: "invalid_input", field, message } });

/** In-memory scheduled messages and server emojis. */
export function createMockRich(emit: (update: { update: string }) => void) {
  let next = 1;
  let items: ScheduledMessage[] = [];
  const emojis: Record<string, ServerEmojis> = {
    "1": {
      server_id: "1",
      emojis: [
        { id: "900", server_id: "1", name: "party_parrot", animated: false, url: "", available: true },
        { id: "901", server_id: "1", name: "shipit", animated: false, url: "", available: true },
      ],
      sticker_packs: [{ id: "910", name: "Server Stickers", stickers: [{ id: "911", pack_id: "910", name: "wave", format: "png", tags: ["hello"], url: "/api/v1/media/attachments/wave.png", width: 32, height: 32 }] }],
    },
  };

  function check(content: string, at: number) {
    if (!content.trim()) throw refuse("content", "Message must have content");
    if (at <= Date.now()) throw refuse("scheduled_at", "Pick a time in the future");
  }

  return {
    /** Adds a row as another device would have put it on the server. */
    addServerHeld(channelId: string, content: string, at: number): string {
      const id = `server:${next++}`;
      items = [...items, { id, channel_id: channelId, content, scheduled_at: at, held_by: "server", status: "pending", sent_at: null }];
      return id;
    },
    /** Marks a device row as sent late (the app was closed at its time). */
    sendLate(id: string): void {
      items = items.map((m) => (m.id === id ? { ...m, status: "sent_late", sent_at: Date.now() } : m));
      emit({ update: "scheduled_changed" });
    },
    handlers: {
      schedule_message: (a: { channel_id: string; content: string; scheduled_at: number }): ScheduledMessage => {
        check(a.content, a.scheduled_at);
        const m: ScheduledMessage = { id: `device:${next++}`, channel_id: a.channel_id, content: a.content, scheduled_at: a.scheduled_at, held_by: "device", status: "pending", sent_at: null };
        items = [...items, m];
        emit({ update: "scheduled_changed" });
        return m;
      },
      list_scheduled: (): ScheduledList => ({ items: [...items].sort((x, y) => x.scheduled_at - y.scheduled_at), server_unavailable: null }),
      edit_scheduled: (a: { id: string; channel_id: string; content: string; scheduled_at: number }): ScheduledMessage => {
        check(a.content, a.scheduled_at);
        const old = items.find((m) => m.id === a.id && m.status === "pending");
        if (!old) throw { code: "invalid_argument", message: "no pending send", state: null };
        const m: ScheduledMessage = { ...old, id: old.held_by === "server" ? `device:${next++}` : old.id, held_by: "device", content: a.content, scheduled_at: a.scheduled_at };
        items = [...items.filter((x) => x.id !== a.id), m];
        emit({ update: "scheduled_changed" });
        return m;
      },
      cancel_scheduled: (a: { id: string }): null => {
        if (!items.some((m) => m.id === a.id)) throw refuse("id", "Can only cancel pending scheduled messages");
        items = items.filter((m) => m.id !== a.id);
        emit({ update: "scheduled_changed" });
        return null;
      },
      server_emojis: (a: { server_id: string }): ServerEmojis => emojis[a.server_id] ?? { server_id: a.server_id, emojis: [], sticker_packs: [] },
    },
  };
}

/** The mock's rich-message helpers. */
export type MockRich = ReturnType<typeof createMockRich>;
