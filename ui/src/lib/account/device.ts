//! A readable name for a session's client, from what the server recorded.

import type { SessionInfo } from "../types";

/** "Firefox on Linux", "Plexichat Desktop", … or "Unknown client". */
export function deviceName(s: Pick<SessionInfo, "user_agent" | "device_id">): string {
  const ua = s.user_agent ?? "";
  if (!ua) return s.device_id && s.device_id !== "0" ? `Device ${s.device_id}` : "Unknown client";
  const os = /Windows/i.test(ua) ? "Windows" : /Mac OS|Macintosh/i.test(ua) ? "macOS" : /Android/i.test(ua) ? "Android" : /iPhone|iPad/i.test(ua) ? "iOS" : /Linux/i.test(ua) ? "Linux" : null;
  let app: string;
  if (/plexichat/i.test(ua)) app = "Plexichat Desktop";
  else if (/Firefox\//.test(ua)) app = "Firefox";
  else if (/Edg\//.test(ua)) app = "Edge";
  else if (/Chrome\//.test(ua)) app = "Chrome";
  else if (/Safari\//.test(ua)) app = "Safari";
  else if (/reqwest|curl|python/i.test(ua)) app = "Script";
  else app = ua.split(/[\s/]/)[0] || "Unknown client";
  return os ? `${app} on ${os}` : app;
}
