import { queryStatusSchema } from "@llm-chat/contracts";
import { describe, expect, it } from "vitest";
import { canMove, isFinal, sourcesOf } from "../src/index.js";

describe("the query state machine", () => {
  it("lets a query go from queued to running to one final status, and no further", () => {
    expect(canMove("queued", "running")).toBe(true);
    expect(canMove("running", "succeeded")).toBe(true);
    for (const final of ["succeeded", "failed", "canceled"] as const) {
      expect(isFinal(final)).toBe(true);
      for (const to of ["queued", "running", "succeeded", "failed", "canceled"] as const) {
        expect(canMove(final, to)).toBe(false);
      }
    }
  });

  it("never lets a queued query succeed without running, but lets it fail or be canceled", () => {
    expect(canMove("queued", "succeeded")).toBe(false);
    expect(canMove("queued", "failed")).toBe(true);
    expect(canMove("queued", "canceled")).toBe(true);
  });

  it("takes a running query back to queued only (a worker handing it back) and restarts it after a crash", () => {
    expect(sourcesOf("queued")).toEqual(["running"]);
    expect(sourcesOf("running")).toEqual(["queued", "running"]);
    expect(isFinal("queued") || isFinal("running")).toBe(false);
  });

  it("agrees with the contracts' isFinal: a status is final exactly when the table lets it move nowhere", () => {
    const statuses = queryStatusSchema.options;
    for (const from of statuses) expect(isFinal(from), from).toBe(!statuses.some((to) => canMove(from, to)));
  });
});
