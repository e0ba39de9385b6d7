import { describe, expect, it } from "vitest";
import { deviceName } from "./device";

describe("deviceName", () => {
  it("names common clients and systems", () => {
    expect(deviceName({ user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", device_id: null })).toBe("Firefox on Linux");
    expect(deviceName({ user_agent: "plexichat-desktop/0.1.0 (Linux)", device_id: null })).toBe("Plexichat Desktop on Linux");
  });
  it("says when nothing is known", () => {
    expect(deviceName({ user_agent: null, device_id: null })).toBe("Unknown client");
    expect(deviceName({ user_agent: null, device_id: "0" })).toBe("Unknown client");
  });
});
