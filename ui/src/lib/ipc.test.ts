import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { invoke, setBackend, tauriBackend, toIpcError } from "./ipc";

describe("ipc over Tauri", () => {
  afterEach(() => clearMocks());

  it("wraps arguments as { args } and sends nothing for argument-less commands", async () => {
    const seen: [string, unknown][] = [];
    mockIPC((cmd, payload) => {
      seen.push([cmd, payload]);
      return cmd === "queue_message" ? 1 : null;
    });
    setBackend(await tauriBackend());
    await invoke("queue_message", { channel_id: "10", content: "hi", reply_to_id: null });
    await invoke("reconnect_now");
    expect(seen).toEqual([
      ["queue_message", { args: { channel_id: "10", content: "hi", reply_to_id: null } }],
      ["reconnect_now", {}],
    ]);
  });

  it("turns every rejection into an IpcError", async () => {
    mockIPC(() => {
      throw { code: "failed", message: "Rate limit exceeded", state: { state: "rate_limited", retry_at: 5, scope: null, global: false } };
    });
    setBackend(await tauriBackend());
    await expect(invoke("sign_out")).rejects.toEqual({
      code: "failed",
      message: "Rate limit exceeded",
      state: { state: "rate_limited", retry_at: 5, scope: null, global: false },
    });
    expect(toIpcError("boom")).toEqual({ code: "internal", message: "boom", state: null });
    expect(toIpcError(new Error("x"))).toEqual({ code: "internal", message: "x", state: null });
    expect(toIpcError(42)).toEqual({ code: "internal", message: "Something went wrong.", state: null });
  });
});
