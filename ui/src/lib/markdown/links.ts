//! Opening a link from a message: in the system browser, through the core (which checks the
//! scheme), and only after a confirm for a host the user has not trusted yet. The list of
//! trusted hosts stays on this machine (localStorage).

import { mount, unmount } from "svelte";
import { invoke } from "../ipc";

const KEY = "plexichat.trusted-link-hosts";

/** Hosts whose links open without asking. */
export function trustedHosts(): Set<string> {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? "[]") as unknown;
    return new Set(Array.isArray(raw) ? raw.filter((h): h is string => typeof h === "string") : []);
  } catch {
    return new Set();
  }
}

/** Remembers `host` so its links open without asking. */
export function trustHost(host: string): void {
  const hosts = trustedHosts();
  hosts.add(host.toLowerCase());
  localStorage.setItem(KEY, JSON.stringify([...hosts]));
}

/** The host of an http(s) URL, or `null` for anything the app will not open. */
export function linkHost(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.hostname.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** What the user chose in the confirm. */
export type LinkChoice = "open" | "trust" | "cancel";

/** Asks before leaving the app; the dialog component loads on first use. */
async function confirmLink(url: string, host: string): Promise<LinkChoice> {
  const { default: LinkConfirm } = await import("./LinkConfirm.svelte");
  return new Promise((resolve) => {
    const target = document.createElement("div");
    document.body.appendChild(target);
    const dialog = mount(LinkConfirm, {
      target,
      props: {
        url,
        host,
        onchoose: (choice: LinkChoice) => {
          void unmount(dialog);
          target.remove();
          resolve(choice);
        },
      },
    });
  });
}

/** Opens `url` in the system browser, asking first unless its host is trusted. */
export async function openLink(url: string): Promise<void> {
  const host = linkHost(url);
  if (!host) return;
  if (!trustedHosts().has(host)) {
    const choice = await confirmLink(url, host);
    if (choice === "cancel") return;
    if (choice === "trust") trustHost(host);
  }
  await invoke("open_link", { url }).catch((e: unknown) => console.warn("could not open link", e));
}
