import { describe, expect, it } from "vitest";
import { MARKER_PATTERNS, neutraliseMarkers } from "../src/neutralise.js";

// An atomic whitespace run as neutralise.ts writes it: `(?=(\s*))\N`.
const ATOMIC_RUN = /\(\?=\(\\s\*\)\)\\\d/g;

describe("marker neutralising runs in linear time", () => {
  // Why no timing here: a wall-clock bound flakes on a busy machine, and timing goals live in
  // bench/. Linearity follows from the patterns' structure instead: a backtracking engine goes
  // quadratic (or worse) only when it can split one stretch of text between quantifiers in
  // many ways. Each pattern here is literals, one optional `/`, and whitespace runs matched
  // atomically (a lookahead takes the run once; the engine cannot backtrack into it), so from
  // any start it reads forward once and never re-splits anything. The end-to-end attack test
  // (tests/e2e/security/redos.test.ts) compares against a benign prompt of the same size.
  it("has no quantifier but a single optional slash once the atomic whitespace runs are taken out", () => {
    for (const pattern of MARKER_PATTERNS) {
      const rest = pattern.source.replace(ATOMIC_RUN, "");
      expect(pattern.source.match(ATOMIC_RUN), pattern.source).toHaveLength(3);
      expect(rest, pattern.source).not.toMatch(/[*+{]/);
      expect(rest.match(/\?/g), pattern.source).toHaveLength(1);
      expect(rest, pattern.source).toContain("\\/?");
    }
  });

  it("still rewrites markers with any whitespace, however long, around the slash", () => {
    const pad = " ".repeat(64 * 1024);
    expect(neutraliseMarkers(`<<${pad}/${pad}SYS${pad}>>`)).toBe("«/SYS»");
    expect(neutraliseMarkers(`[${pad}INST ]`)).toBe("(INST)");
    expect(neutraliseMarkers(`<${pad}/\t\ns >`)).toBe("‹/s›");
  });

  it("leaves 64 KB of near-markers (the attack inputs) as they are", () => {
    const spaces = " ".repeat(64 * 1024);
    for (const text of [`<<${spaces}x`, `<${spaces}x`, `[${spaces}/${spaces}INS]`, "<< ".repeat(22_000)]) {
      expect(neutraliseMarkers(text)).toBe(text);
    }
  });
});
