import { safeLink, safeMedia } from "./safe-url";

describe("safe urls", () => {
  it("keeps web links and drops script links", () => {
    expect(safeLink("https://example.com/dl")).toBe("https://example.com/dl");
    expect(safeLink("javascript:alert(1)")).toBeNull();
    expect(safeLink(" JavaScript:alert(1)")).toBeNull();
    expect(safeLink("data:text/html,<script>alert(1)</script>")).toBeNull();
    expect(safeLink(null)).toBeNull();
  });

  it("allows raster images but not svg or html data urls", () => {
    expect(safeMedia("data:image/png;base64,AAAA")).not.toBeNull();
    expect(safeMedia("data:image/svg+xml,<svg onload=alert(1)>")).toBeNull();
    expect(safeMedia("javascript:alert(1)")).toBeNull();
    expect(safeMedia("https://api.plexichat.com/attachments/1")).toBeNull();
  });
});
