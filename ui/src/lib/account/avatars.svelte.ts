//! Avatar images, fetched through the core once per user per window (the webview never loads
//! a remote image, and the server's avatar URL answers a placeholder for everyone without
//! one: `null` here, drawn as an initial by `Avatar.svelte`). Shown where few users are on
//! screen at once (message authors, the popout, one's own), and asked a few at a time: the
//! server's avatar route is rate limited like any other.

import { invoke } from "../ipc";

/** Avatar requests in flight at once. */
const PARALLEL = 4;

class AvatarCache {
  /** user id → `data:` URL, or null when the user has no uploaded avatar. */
  images = $state<Record<string, string | null>>({});
  // Not rendered: only guards against asking twice.
  private asked = new Set<string>();
  private waiting: string[] = [];
  private running = 0;

  /** The image of `userId` if known; asks the core the first time. */
  of(userId: string): string | null {
    if (!this.asked.has(userId)) {
      this.asked.add(userId);
      this.waiting.push(userId);
      this.pump();
    }
    return this.images[userId] ?? null;
  }

  private pump(): void {
    while (this.running < PARALLEL && this.waiting.length > 0) {
      const id = this.waiting.shift() as string;
      this.running++;
      invoke("fetch_avatar", { user_id: id })
        .then(
          (url) => (this.images = { ...this.images, [id]: url }),
          () => this.asked.delete(id), // offline: try again on a later render
        )
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  /** Our own avatar changed: show `url` at once (the server's URL stays the same). */
  set(userId: string, url: string | null): void {
    this.asked.add(userId);
    this.images = { ...this.images, [userId]: url };
  }
}

/** The window's avatar cache. */
export const avatars = new AvatarCache();
