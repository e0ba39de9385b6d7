//! Audit log entries in words: who did what to which target, as the server recorded it. The
//! reference names the target only sometimes (`target_name`), sends `changes` as
//! `{field: {old, new}}` (or `{role_id: N}` with a numeric id) and adds new action names
//! without notice, so anything unknown still reads sensibly.

import type { AuditEntry } from "../bindings/AuditEntry";

const VERBS: Record<string, string> = {
  server_create: "created the server",
  server_update: "updated the server",
  channel_create: "created channel",
  channel_update: "updated channel",
  channel_delete: "deleted channel",
  role_create: "created role",
  role_update: "updated role",
  role_delete: "deleted role",
  member_join: "joined",
  member_leave: "left",
  member_kick: "kicked",
  member_ban: "banned",
  member_unban: "unbanned",
  member_role_add: "gave a role to",
  member_role_remove: "took a role from",
  invite_create: "created an invite",
  invite_delete: "revoked an invite",
  invite_use: "joined with an invite",
};

/** Actions whose target is the actor themself: no target is named. */
const SELF = new Set(["member_join", "member_leave", "invite_use", "invite_create", "invite_delete", "server_create"]);

/** "alice_rec kicked frank_rec2", "alice_rec updated role mod". */
export function describeAudit(e: AuditEntry, roleName: (id: string) => string | null = () => null): string {
  const who = e.user?.username ?? "Someone";
  const verb = VERBS[e.action] ?? e.action.replaceAll("_", " ");
  if (SELF.has(e.action)) return `${who} ${verb}`;
  const target = e.target_name ?? (e.target_type === "role" && e.target_id ? roleName(e.target_id) : null);
  const prefix = e.target_type === "channel" && target ? "#" : "";
  const named = target ? ` ${prefix}${target}` : e.target_type && !verb.includes(e.target_type) ? ` a ${e.target_type}` : "";
  return `${who} ${verb}${named}`;
}

/** "name: moderator → mod; colour: #3366ff → #ff0000", or the role given/taken. */
export function describeChanges(e: AuditEntry, roleName: (id: string) => string | null = () => null): string | null {
  const c = e.changes;
  if (!c || typeof c !== "object") return null;
  const parts: string[] = [];
  for (const [field, v] of Object.entries(c as Record<string, unknown>)) {
    if (field === "role_id") {
      const id = String(v);
      parts.push(`role ${roleName(id) ?? id}`);
    } else if (v && typeof v === "object" && "new" in v) {
      const { old, new: now } = v as { old: unknown; new: unknown };
      // The reference logs every field a PATCH named, changed or not.
      if (JSON.stringify(old) === JSON.stringify(now)) continue;
      if (field === "permissions") parts.push("permissions changed");
      else parts.push(`${field.replaceAll("_", " ")}: ${show(old)} → ${show(now)}`);
    }
  }
  return parts.length ? parts.join("; ") : null;
}

function show(v: unknown): string {
  if (v === null || v === undefined || v === "") return "none";
  if (typeof v === "object") return "…";
  return String(v);
}
