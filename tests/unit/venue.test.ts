import { describe, expect, it } from "vitest";
import { proposeSeats } from "~/domain/best-available.server";
import { DEMO_LAYOUTS, generateSeats, type LayoutSpec } from "~/domain/layouts";
import type { SeatPlace } from "~/domain/shows.server";
import { findSection, sectionViews } from "~/domain/venue.server";

const arena = DEMO_LAYOUTS.arena as Extract<LayoutSpec, { kind: "THEATRE" }>;
const zones = [
  { name: "Premium", priceCents: 9000 },
  { name: "Standard", priceCents: 6000 },
  { name: "Value", priceCents: 3500 },
];
/** The arena's seats as the database would hand them back: ids in the layout's order. */
const places: SeatPlace[] = generateSeats(arena).map((p, i) => ({
  id: i + 1,
  label: p.label,
  row: p.row,
  col: p.col,
  deck: null,
  slot: null,
  section: p.section ?? null,
  zone: zones.findIndex((z) => z.name === p.zone),
}));

describe("a big venue's sections, for the plan a buyer picks from", () => {
  it("counts the seats left in each section from the show's codes", () => {
    // The first 10 seats (Floor A) are sold, and one seat of Block 101 (the 9th section).
    const codes = `${"B".repeat(10)}${"A".repeat(3990)}H${"A".repeat(15_999)}`;
    const views = sectionViews(arena, codes, zones);
    expect(views[0]).toMatchObject({ name: "Floor A", left: 490, seats: 500, zoneIndex: 0 });
    expect(views[8]).toMatchObject({ name: "Block 101", left: 499, zoneIndex: 1 });
    expect(views[39]).toMatchObject({ name: "Block 216", left: 500, zoneIndex: 2 });
    expect(views.reduce((n, v) => n + v.left, 0)).toBe(20_000 - 11);
  });

  it("finds a section by its name in any case, and nothing for a name it does not have", () => {
    const views = sectionViews(arena, "A".repeat(20_000), zones);
    expect(findSection(views, " block 104 ")?.name).toBe("Block 104");
    expect(findSection(views, "Block 999")).toBeUndefined();
    expect(findSection(views, null)).toBeUndefined();
  });

  it("proposes the best seats of a section asked for, nearest the stage and the venue's centre line", () => {
    const codes = "A".repeat(20_000);
    const show = { kind: "SHOW" as const, layout: arena };
    const inBlock = proposeSeats(places, show, codes, zones, { together: "4", section: "Block 101" }, 10);
    // Block 101 is the leftmost block: its best seats are the front row's right end.
    expect(inBlock?.seatIds.map((id) => places[Number(id) - 1].label)).toEqual([
      "Block 101 A22",
      "Block 101 A23",
      "Block 101 A24",
      "Block 101 A25",
    ]);
    expect(inBlock?.message).toMatch(/^The best 4 together in Block 101: /);
    const anywhere = proposeSeats(places, show, codes, zones, { together: "2", zone: "Standard" }, 10);
    const labels = anywhere?.seatIds.map((id) => places[Number(id) - 1].label);
    // The front row of the standard ring, at the blocks either side of the centre line.
    expect(labels?.every((l) => /^Block 10[45] A\d+$/.test(l))).toBe(true);
    expect(proposeSeats(places, show, codes, zones, { together: "2", section: "Nowhere" }, 10)).toEqual({
      seatIds: [],
      message: "There is no section called Nowhere here",
    });
  });
});
