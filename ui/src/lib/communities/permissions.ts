//! The permission keys the reference knows (from an owner's `GET /servers/{id}/permissions`),
//! each with the name the role editor shows. A role may hold keys not listed here (the server
//! stores any key as given): the editor keeps and shows those too.

/** One named toggle of the role editor. */
export type PermissionInfo = { key: string; label: string; hint?: string };

/** Permission toggles in the order the editor shows them, by group. */
export const PERMISSION_GROUPS: { title: string; items: PermissionInfo[] }[] = [
  {
    title: "Server",
    items: [
      { key: "administrator", label: "Administrator", hint: "Every permission, in every channel" },
      { key: "server.manage", label: "Manage server", hint: "Rename, describe, change the icon" },
      { key: "server.view_audit_log", label: "View audit log" },
      { key: "roles.manage", label: "Manage roles" },
      { key: "channels.manage", label: "Manage channels" },
      { key: "channels.view", label: "View channels" },
      { key: "invites.create", label: "Create invites" },
      { key: "invites.manage", label: "Manage invites" },
      { key: "emojis.manage", label: "Manage emojis" },
      { key: "events.manage", label: "Manage events" },
      { key: "events.view", label: "View events" },
      { key: "templates.manage", label: "Manage templates" },
      { key: "onboarding.manage", label: "Manage onboarding" },
      { key: "server.automod", label: "Manage automod" },
    ],
  },
  {
    title: "Members",
    items: [
      { key: "members.kick", label: "Kick members" },
      { key: "members.ban", label: "Ban members" },
      { key: "members.manage_roles", label: "Give and take roles" },
      { key: "members.manage_nicknames", label: "Manage nicknames" },
    ],
  },
  {
    title: "Messages",
    items: [
      { key: "messages.read", label: "Read messages" },
      { key: "messages.send", label: "Send messages" },
      { key: "messages.manage", label: "Manage messages", hint: "Delete and pin others' messages" },
      { key: "messages.embed_links", label: "Embed links" },
      { key: "messages.attach_files", label: "Attach files" },
      { key: "messages.add_reactions", label: "Add reactions" },
      { key: "messages.use_external_emojis", label: "Use external emojis" },
      { key: "messages.mention_everyone", label: "Mention @everyone" },
      { key: "messages.bypass_slowmode", label: "Bypass slowmode" },
      { key: "messages.export_transcript", label: "Export transcripts" },
    ],
  },
  {
    title: "Voice",
    items: [
      { key: "voice.connect", label: "Connect" },
      { key: "voice.speak", label: "Speak" },
      { key: "voice.mute_members", label: "Mute members" },
      { key: "voice.deafen_members", label: "Deafen members" },
      { key: "voice.move_members", label: "Move members" },
    ],
  },
];

const KNOWN = new Set(PERMISSION_GROUPS.flatMap((g) => g.items.map((i) => i.key)));

/** Keys a role holds that the editor has no named toggle for (kept as stored). */
export function unknownKeys(perms: Record<string, boolean | undefined>): string[] {
  return Object.keys(perms)
    .filter((k) => !KNOWN.has(k))
    .sort();
}

/** The label of a permission key (the key itself when unknown). */
export function permissionLabel(key: string): string {
  for (const g of PERMISSION_GROUPS) {
    const hit = g.items.find((i) => i.key === key);
    if (hit) return hit.label;
  }
  return key;
}
