import { expiryText, refusalText, usesText } from "./invites";

describe("invite texts", () => {
  it("checks expiry on our side, as the server previews expired invites with 200", () => {
    const now = 1_000_000;
    expect(expiryText(null, now)).toBe("Never expires");
    expect(expiryText(now - 1, now)).toBe("Expired");
    expect(expiryText(now + 30 * 60_000, now)).toBe("Expires in 30 minutes");
    expect(expiryText(now + 3 * 3_600_000, now)).toBe("Expires in 3 hours");
    expect(expiryText(now + 7 * 86_400_000, now)).toBe("Expires in 7 days");
  });

  it("counts uses against the limit", () => {
    expect(usesText(1, 1)).toBe("1 of 1 uses");
    expect(usesText(3, 0)).toBe("3 uses, no limit");
  });

  it("has its own words for every refusal", () => {
    const reasons = ["unknown", "revoked", "expired", "used_up", "already_member", "banned"] as const;
    const titles = reasons.map((r) => refusalText(r).title);
    expect(new Set(titles).size).toBe(reasons.length);
    expect(refusalText("used_up").title).toMatch(/used up/);
    expect(refusalText("banned").title).toMatch(/banned/);
  });
});
