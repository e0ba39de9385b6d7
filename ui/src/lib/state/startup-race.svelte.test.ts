// Nothing the user does while the cache paints and the network refreshes is undone: a channel
// or server chosen during start-up stays chosen once loading finishes.
import { ChatState } from "./chat.svelte";
import { setBackend } from "../ipc";
import { createMockBackend, type MockBackend } from "../mock-backend";
import type { Channel, Server } from "../types";

const ME = { id: "1000", username: "demo", display_name: null, avatar_url: null };

/** Answers `command` only when the test says so; later calls go through. */
function holdOnce(mock: MockBackend, command: string): () => void {
  let release: () => void = () => undefined;
  let isHeld = true;
  const invoke = mock.invoke.bind(mock);
  mock.invoke = ((name: string, args?: Record<string, unknown>) => {
    if (name === command && isHeld) {
      isHeld = false;
      return new Promise<void>((r) => (release = r)).then(() => invoke(name as never, args as never));
    }
    return invoke(name as never, args as never);
  }) as typeof mock.invoke;
  return () => release();
}

async function cachedStart(held: string) {
  const mock = createMockBackend();
  setBackend(mock);
  const servers = (await mock.invoke("list_servers", null as never)) as Server[];
  const general = (await mock.invoke("list_channels", { server_id: servers[0].id } as never)) as Channel[];
  mock.resolveNext("cached_overview", { servers, channels: { [servers[0].id]: general }, dms: [] });
  const release = holdOnce(mock, held);
  const chat = new ChatState(ME);
  const starting = chat.start();
  await vi.waitFor(() => expect(chat.channel).not.toBeNull());
  return { mock, chat, starting, release, servers, general };
}

describe("start-up", () => {
  it("a channel clicked while the server list loads stays open", async () => {
    const { chat, starting, release, general } = await cachedStart("list_servers");
    const first = chat.channelId;
    const other = general.find((c) => c.id !== first && c.channel_type === "text")!;
    await chat.selectChannel(other.id);
    release();
    await starting;
    expect(chat.channelId).toBe(other.id);
  });

  it("a channel clicked while the first server's channels load stays open", async () => {
    const { chat, starting, release, general } = await cachedStart("list_members");
    const other = general.find((c) => c.id !== chat.channelId && c.channel_type === "text")!;
    await vi.waitFor(() => expect(chat.servers.length).toBeGreaterThan(0));
    const clicked = chat.selectChannel(other.id);
    release();
    await Promise.all([starting, clicked]);
    expect(chat.channelId).toBe(other.id);
  });

  it("a server chosen while the server list loads stays chosen", async () => {
    const { chat, starting, release, servers } = await cachedStart("list_servers");
    const picked = chat.selectServer(servers[1].id);
    release();
    await Promise.all([starting, picked]);
    expect(chat.serverId).toBe(servers[1].id);
  });

  it("with nothing clicked, the cached channel is the one that stays open", async () => {
    const { chat, starting, release } = await cachedStart("list_servers");
    const shown = chat.channelId;
    release();
    await starting;
    expect(chat.channelId).toBe(shown);
  });
});
