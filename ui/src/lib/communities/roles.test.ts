import { screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { renderApp } from "../../test/harness";
import { describeAudit, describeChanges } from "./audit";
import type { AuditEntry } from "../bindings/AuditEntry";

const READY = { state: "ready", user: { id: "1000", username: "demo", display_name: "Demo User", avatar_url: null } } as const;
// Under a loaded CI machine the lazy chunks can take more than the default second.
const slow = { timeout: 5_000 };

async function openTab(name: string) {
  const user = userEvent.setup();
  const r = renderApp({ initialState: READY });
  await user.click(await screen.findByTestId("server-settings-open", {}, slow));
  const dialog = await screen.findByTestId("server-settings", {}, slow);
  await user.click(await within(dialog).findByRole("tab", { name }, slow));
  return { ...r, user, dialog };
}

describe("roles", () => {
  it("lists the roles highest first, keeping keys the app does not know", async () => {
    const { user } = await openTab("Roles");
    const rows = await screen.findAllByTestId("role-row", {}, slow);
    expect(rows.map((r) => r.textContent?.replace(/\d+\s*members/, "").trim())).toEqual(["bad-perms", "moderator", "@everyone"]);
    await user.click(rows[0]);
    const editor = screen.getByTestId("role-editor");
    expect(within(editor).getByRole("switch", { name: "not.a.permission" })).toBeChecked();
  });

  it("creates a role, grants permissions by name and saves the whole map", async () => {
    const { user, mock } = await openTab("Roles");
    await screen.findAllByTestId("role-row", {}, slow);
    await user.click(screen.getByTestId("create-role"));
    expect(screen.getByText("A role needs a name.")).toBeInTheDocument();
    await user.type(screen.getByTestId("new-role-name"), "helpers");
    await user.click(screen.getByTestId("create-role"));
    const editor = await screen.findByTestId("role-editor");
    expect(screen.getAllByTestId("role-row")[0]).toHaveTextContent("helpers");
    await user.click(within(editor).getByRole("switch", { name: "Kick members" }));
    await user.click(within(editor).getByRole("switch", { name: /Manage messages/ }));
    await user.click(screen.getByTestId("role-save"));
    await waitFor(() => expect(screen.getByTestId("roles-notice")).toHaveTextContent("Role helpers saved."));
    const save = mock.calls.find((c) => c.command === "update_role")?.args as { edit: { permissions: Record<string, boolean> } };
    expect(save.edit.permissions).toEqual({ "members.kick": true, "messages.manage": true });
  });

  it("gives a member a role and takes it away, applying the answer at once", async () => {
    const { user, mock } = await openTab("Roles");
    const rows = await screen.findAllByTestId("role-row", {}, slow);
    await user.click(rows[1]);
    const box = screen.getByRole("checkbox", { name: "bob has moderator" });
    expect(box).not.toBeChecked();
    await user.click(box);
    await waitFor(() => expect(screen.getByTestId("roles-notice")).toHaveTextContent("bob now has moderator."));
    expect(box).toBeChecked();
    expect(mock.calls.find((c) => c.command === "set_member_role")?.args).toEqual({ server_id: "1", user_id: "1002", role_id: "901", assigned: true });
    await user.click(screen.getByRole("checkbox", { name: "alice has moderator" }));
    await waitFor(() => expect(screen.getByTestId("roles-notice")).toHaveTextContent("alice no longer has moderator."));
  });

  it("says a member left instead of failing, and drops them", async () => {
    const { user, mock } = await openTab("Roles");
    const rows = await screen.findAllByTestId("role-row", {}, slow);
    await user.click(rows[1]);
    mock.failNext("set_member_role", { code: "failed", message: "Member not found", state: { state: "not_found", entity: "resource", message: "Member not found" } });
    await user.click(screen.getByRole("checkbox", { name: "carol has moderator" }));
    const notice = await screen.findByTestId("roles-notice");
    expect(notice).toHaveAttribute("data-kind", "member_gone");
    expect(notice).toHaveTextContent("carol is no longer a member of this server.");
    expect(screen.queryByRole("checkbox", { name: "carol has moderator" })).not.toBeInTheDocument();
  });

  it("deletes a role after a confirmation; a role deleted meanwhile leaves the list", async () => {
    const { user, mock } = await openTab("Roles");
    const rows = await screen.findAllByTestId("role-row", {}, slow);
    await user.click(rows[0]);
    await user.click(screen.getByTestId("role-delete"));
    await user.click(screen.getByTestId("role-delete-confirm"));
    await waitFor(() => expect(screen.getAllByTestId("role-row")).toHaveLength(2));
    await user.click(screen.getAllByTestId("role-row")[0]);
    mock.failNext("update_role", { code: "failed", message: "Role not found", state: { state: "not_found", entity: "resource", message: "Role not found" } });
    await user.click(screen.getByTestId("role-save"));
    expect(await screen.findByTestId("roles-notice")).toHaveTextContent("This role no longer exists");
    expect(screen.getAllByTestId("role-row")).toHaveLength(1);
  });

  it("shows the permission refusal the server answers with 500, never an outage", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp({ initialState: READY });
    await user.click(await screen.findByTestId("server-settings-open", {}, slow));
    const dialog = await screen.findByTestId("server-settings", {}, slow);
    mock.failNext("list_roles", { code: "failed", message: "Missing required permission: roles.manage", state: { state: "forbidden", reason: "permission_denied", message: "Missing required permission: roles.manage" } });
    await user.click(within(dialog).getByRole("tab", { name: "Roles" }));
    const card = await screen.findByTestId("roles-refused", {}, slow);
    expect(card).toHaveAttribute("data-kind", "permission");
    expect(card).toHaveTextContent("You don't have permission to manage roles in this server.");
    expect(screen.queryByTestId("state-server_error")).not.toBeInTheDocument();
  });

  it("a role event from another window updates the open list", async () => {
    const { mock } = await openTab("Roles");
    await screen.findAllByTestId("role-row", {}, slow);
    mock.emit("chat-event", { type: "role_create", server_id: "1", role: { id: "950", name: "gw-role", color: "#00aa00", position: 3, permissions: {}, hoist: false, mentionable: false, is_default: false } });
    await waitFor(() => expect(screen.getAllByTestId("role-row")[0]).toHaveTextContent("gw-role"));
    mock.emit("chat-event", { type: "role_delete", server_id: "1", role_id: "950" });
    await waitFor(() => expect(screen.getAllByTestId("role-row")).toHaveLength(3));
  });

  it("hides the roles and audit tabs from members without the permissions", async () => {
    const user = userEvent.setup();
    renderApp({ initialState: READY });
    await waitFor(() => expect(screen.getAllByTestId("server-item").length).toBe(2));
    await user.click(screen.getByRole("button", { name: "Rustaceans" }));
    await user.click(await screen.findByTestId("server-settings-open", {}, slow));
    const dialog = await screen.findByTestId("server-settings", {}, slow);
    expect(within(dialog).queryByRole("tab", { name: "Roles" })).not.toBeInTheDocument();
    expect(within(dialog).queryByRole("tab", { name: "Audit log" })).not.toBeInTheDocument();
  });
});

describe("audit log", () => {
  it("lists who did what, with changes and reasons, newest first", async () => {
    await openTab("Audit log");
    const rows = await screen.findAllByTestId("audit-row", {}, slow);
    expect(rows[0]).toHaveTextContent("demo gave a role to alice");
    expect(rows[1]).toHaveTextContent("demo updated role moderator");
    expect(rows[1]).toHaveTextContent("name: mods → moderator");
    expect(rows[2]).toHaveTextContent("demo banned carol");
    expect(rows[2]).toHaveTextContent("Reason: spam");
  });

  it("gets the permission notice when the server refuses", async () => {
    const user = userEvent.setup();
    const { mock } = renderApp({ initialState: READY });
    await user.click(await screen.findByTestId("server-settings-open", {}, slow));
    const dialog = await screen.findByTestId("server-settings", {}, slow);
    mock.failNext("list_audit_log", { code: "failed", message: "Missing required permission: server.view_audit_log", state: { state: "forbidden", reason: "permission_denied", message: "Missing required permission: server.view_audit_log" } });
    await user.click(within(dialog).getByRole("tab", { name: "Audit log" }));
    expect(await screen.findByTestId("audit-refused", {}, slow)).toHaveAttribute("data-kind", "permission");
  });

  it("reads the recorded entries sensibly, numeric role ids and unknown actions included", () => {
    const base = { id: "1", user_id: "2", user: { id: "2", username: "alice_rec" }, target_type: null, target_id: null, target_name: null, changes: null, reason: null, created_at: 0 };
    const e = (x: Partial<AuditEntry>): AuditEntry => ({ ...base, action: "x", ...x });
    expect(describeAudit(e({ action: "server_create" }))).toBe("alice_rec created the server");
    expect(describeAudit(e({ action: "role_delete", target_type: "role", target_id: "9" }), () => "temp-role")).toBe("alice_rec deleted role temp-role");
    expect(describeAudit(e({ action: "channel_create", target_type: "channel", target_name: "rec2-text" }))).toBe("alice_rec created channel #rec2-text");
    expect(describeAudit(e({ action: "automod_rule_fire" }))).toBe("alice_rec automod rule fire");
    expect(describeChanges(e({ changes: { role_id: 386900784077475840 } }))).toMatch(/^role 3869007840774758/);
    expect(describeChanges(e({ changes: { slowmode_seconds: { old: 0, new: 5 } } }))).toBe("slowmode seconds: 0 → 5");
    expect(describeChanges(e({ changes: { name: { old: "mod", new: "mod" } } }))).toBeNull();
  });
});
