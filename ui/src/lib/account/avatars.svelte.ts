//! Avatar images, fetched through the core once per user per window (the webview never loads
//! a remote image, and the server's avatar URL answers a placeholder for everyone without
//! one: `null` here, drawn as an initial by `Avatar.svelte`).

import { invoke } from "../ipc";

class AvatarCache {
  /** user id → `data:` URL, or null when the user has no uploaded avatar. */
  images = $state<Record<string, string | null>>({});
  // Not rendered: only guards against asking twice.
  private asked = new Set<string>();

  /** The image of `userId` if known; asks the core the first time. */
  of(userId: string): string | null {
    if (!this.asked.has(userId)) {
      this.asked.add(userId);
      invoke("fetch_avatar", { user_id: userId }).then(
        (url) => (this.images = { ...this.images, [userId]: url }),
        () => this.asked.delete(userId), // offline: try again on the next render
      );
    }
    return this.images[userId] ?? null;
  }

  /** Our own avatar changed: show `url` at once (the server's URL stays the same). */
  set(userId: string, url: string | null): void {
    this.asked.add(userId);
    this.images = { ...this.images, [userId]: url };
  }
}

/** The window's avatar cache. */
export const avatars = new AvatarCache();
