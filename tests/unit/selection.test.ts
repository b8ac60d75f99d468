import { describe, expect, it } from "vitest";
import { carriedSeatIds, MAX_CARRIED_SEATS, parseSelection, selectionPath } from "~/domain/selection";

const SHOW = "0b9e5a4c-1d2e-4f00-8a00-000000000001";

describe("a selection carried through log-in", () => {
  it("carries well-formed seat ids, each once, and nothing else", () => {
    expect(carriedSeatIds(["12", "13", "12", "0", "-1", "1e3", "x", " 14", 15, null, "9".repeat(16)])).toEqual(["12", "13"]);
    expect(carriedSeatIds(Array.from({ length: 500 }, (_, i) => String(i + 1)))).toHaveLength(MAX_CARRIED_SEATS);
  });

  it("puts the seats in the show's address and reads them back", () => {
    const path = selectionPath(`/shows/${SHOW}`, ["12", "13"]);
    expect(path).toBe(`/shows/${SHOW}?seat=12&seat=13`);
    expect(parseSelection(path)).toEqual({ showId: SHOW, seatIds: ["12", "13"] });
    expect(selectionPath(`/shows/${SHOW}`, [])).toBe(`/shows/${SHOW}`);
  });

  it("reads nothing from an address that is not a show's with seats", () => {
    for (const path of [
      null,
      "",
      "/",
      `/shows/${SHOW}`,
      `/shows/${SHOW}?seat=abc`,
      `/admin?seat=1`,
      `/shows/${SHOW}/x?seat=1`,
      `//evil/shows/${SHOW}?seat=1`,
    ]) {
      expect(parseSelection(path), String(path)).toBeNull();
    }
  });
});
