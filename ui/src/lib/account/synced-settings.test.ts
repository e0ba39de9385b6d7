import { beforeEach, describe, expect, it } from "vitest";
import { createMockBackend } from "../mock-backend";
import { setBackend } from "../ipc";
import { readTheme } from "../theme";
import { pullAccountSettings, saveAccountSetting } from "./synced-settings";

describe("settings that follow the account", () => {
  beforeEach(() => localStorage.clear());

  it("applies the server's theme at sign-in", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    mock.resolveNext("get_user_settings", { theme: "dark" });
    await pullAccountSettings();
    expect(readTheme()).toBe("dark");
  });

  it("keeps a change made offline and sends it at the next sign-in", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    mock.failNext("set_user_setting", { code: "failed", message: "offline", state: { state: "offline", reason: "No connection" } });
    expect(await saveAccountSetting("theme", "light")).toBe(false);
    expect(readTheme()).toBe("light");
    await pullAccountSettings();
    const sent = mock.calls.filter((c) => c.command === "set_user_setting").map((c) => c.args);
    expect(sent).toEqual([{ key: "theme", value: "light" }, { key: "theme", value: "light" }]);
    expect(readTheme()).toBe("light");
  });

  it("trusts its own recent write over the server's cached copy", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    await saveAccountSetting("theme", "dark");
    mock.resolveNext("get_user_settings", { theme: "light" });
    await pullAccountSettings();
    expect(readTheme()).toBe("dark");
  });
});

describe("compact mode and notifications follow the account", () => {
  beforeEach(() => {
    localStorage.clear();
    delete document.documentElement.dataset.density;
  });

  it("applies the server's compact mode and notification level at sign-in", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    mock.resolveNext("get_user_settings", { compact: "true", notifications: "mentions" });
    await pullAccountSettings();
    expect(document.documentElement.dataset.density).toBe("compact");
    expect(mock.calls.filter((c) => c.command === "set_notification_level").at(-1)?.args).toEqual({ level: "mentions" });
  });

  it("keeps this machine's choice when offline and ignores values it does not know", async () => {
    const mock = createMockBackend();
    setBackend(mock);
    await saveAccountSetting("compact", "true");
    mock.failNext("get_user_settings", { code: "failed", message: "offline", state: { state: "offline", reason: "No connection" } });
    delete document.documentElement.dataset.density;
    await pullAccountSettings();
    expect(document.documentElement.dataset.density).toBe("compact");
    localStorage.clear();
    mock.resolveNext("get_user_settings", { compact: "maybe", notifications: "martians" });
    await pullAccountSettings();
    expect(document.documentElement.dataset.density).toBeUndefined();
    expect(mock.calls.filter((c) => c.command === "set_notification_level").at(-1)?.args).toEqual({ level: "dms_and_mentions" });
  });
});
