import { describe, expect, it } from "vitest";
import { generateSeats, type LayoutSpec } from "~/domain/layouts";
import { buildSeatMapTemplate, joinSeatMap } from "~/seat-map/html";

const places = (spec: LayoutSpec) =>
  generateSeats(spec).map((p, i) => ({
    id: i + 1,
    label: p.label,
    row: p.row,
    col: p.col,
    deck: p.deck,
    slot: p.slot,
    section: null,
    zone: 0,
  }));
const windows = (spec: Extract<LayoutSpec, { kind: "BUS" }>) => {
  const html = joinSeatMap(buildSeatMapTemplate(spec, places(spec)), "A".repeat(spec.lowerSeats + spec.upperSeats));
  return [...html.matchAll(/window-(l|r)"><input[^>]*aria-label="([^"]+)"/g)].map((m) => `${m[2]}:${m[1]}`);
};

describe("a coach's window seats on the map", () => {
  it("marks the seats by a window, on their side, as best available's window wish counts them", () => {
    expect(windows({ kind: "BUS", arrangement: "2+2", lowerSeats: 8, upperSeats: 0 })).toEqual(["L1:l", "L4:r", "L5:l", "L8:r"]);
    // 2+1: the single seat is by the window.
    expect(windows({ kind: "BUS", arrangement: "2+1", lowerSeats: 3, upperSeats: 0 })).toEqual(["L1:l", "L3:r"]);
  });

  it("never marks an aisle seat as a window seat on a small coach", () => {
    expect(windows({ kind: "BUS", arrangement: "2+2", lowerSeats: 2, upperSeats: 0 })).toEqual(["L1:l"]);
    expect(windows({ kind: "BUS", arrangement: "2+2", lowerSeats: 3, upperSeats: 0 })).toEqual(["L1:l"]);
  });
});
