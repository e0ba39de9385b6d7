//! URLs from the server go into `href`/`src` only when they cannot run script: a
//! `javascript:` update link or attachment URL must stay inert.

const SAFE_LINK = /^(https?:|mailto:)/i;
// No http(s): attachment URLs need the Bearer token, which only the core holds, so the
// webview would show a broken image; the core hands over data:/blob:/asset: URLs instead.
const SAFE_MEDIA = /^(blob:|asset:|data:image\/(png|jpe?g|gif|webp|avif);)/i;

/** `url` when it is an http(s) or mailto link, else `null`. */
export function safeLink(url: string | null | undefined): string | null {
  const u = url?.trim() ?? "";
  return SAFE_LINK.test(u) ? u : null;
}

/** `url` when it can be shown as an image without running anything, else `null`. */
export function safeMedia(url: string | null | undefined): string | null {
  const u = url?.trim() ?? "";
  return SAFE_MEDIA.test(u) ? u : null;
}
