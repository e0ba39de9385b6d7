import { describe, expect, it } from "vitest";
import { highlightParts, queryWords, switcherScore } from "./match";

describe("search text helpers", () => {
  it("marks every word a query word starts, ignoring case and accents", () => {
    const parts = highlightParts("Banana? BANANA bread at the Café", "ban cafe");
    expect(parts.filter((p) => p.isHit).map((p) => p.text)).toEqual(["Banana", "BANANA", "Café"]);
    expect(parts.map((p) => p.text).join("")).toBe("Banana? BANANA bread at the Café");
  });

  it("marks nothing for a query of punctuation only, like the index", () => {
    expect(queryWords("?? -- *")).toEqual([]);
    expect(highlightParts("a -- b", "--")).toEqual([{ text: "a -- b", isHit: false }]);
  });

  it("ranks a prefix over a word start over letters in order, and rejects the rest", () => {
    const score = (n: string) => switcherScore(n, "gen");
    expect(score("general")).toBeGreaterThan(score("off-topic-gen"));
    expect(score("off-topic-gen")).toBeGreaterThan(score("origen-talk"));
    expect(switcherScore("general", "#gnrl")).toBeGreaterThan(0);
    expect(switcherScore("random", "gen")).toBe(0);
  });
});
