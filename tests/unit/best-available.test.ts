import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bestAvailable, earliestFree, type SeatCell } from "~/domain/best-available";

/** A random hall: rows of seats with aisles (missing columns), zones, and taken seats. */
const hall = fc
  .record({
    rows: fc.integer({ min: 1, max: 6 }),
    cols: fc.integer({ min: 1, max: 14 }),
    aisles: fc.uniqueArray(fc.integer({ min: 1, max: 13 }), { maxLength: 3 }),
    taken: fc.array(fc.boolean(), { minLength: 6 * 14, maxLength: 6 * 14 }),
    zones: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 6, maxLength: 6 }),
  })
  .map(({ rows, cols, aisles, taken, zones }) => {
    const seats: SeatCell[] = [];
    let id = 1;
    for (let row = 0; row < rows; row++) {
      for (let col = 0; col < cols; col++) {
        if (aisles.includes(col)) continue;
        seats.push({ id: id++, row, col, zone: zones[row], free: !taken[row * 14 + col] });
      }
    }
    return seats;
  });

/** Every block of `count` free seats side by side in one row (and zone), found the slow way. */
function allBlocks(seats: SeatCell[], count: number, zone?: number) {
  const blocks: Array<{ ids: number[]; strands: boolean }> = [];
  for (const first of seats) {
    const block = Array.from({ length: count }, (_, k) => seats.find((s) => s.row === first.row && s.col === first.col + k));
    if (block.some((s) => !s?.free || (zone !== undefined && s.zone !== zone))) continue;
    const at = (col: number) => seats.find((s) => s.row === first.row && s.col === col);
    const lonely = (col: number, away: number) => {
      const one = at(col);
      const beyond = at(col + away);
      return Boolean(one?.free) && !beyond?.free; // a free seat, then a taken seat, an aisle or the end
    };
    const strands = lonely(first.col - 1, -1) || lonely(first.col + count, 1);
    blocks.push({ ids: block.map((s) => (s as SeatCell).id), strands });
  }
  return blocks;
}

describe("best available", () => {
  it("proposes N free seats side by side, in the zone asked, never stranding a seat when it need not, and nothing only when nothing fits", () => {
    fc.assert(
      fc.property(
        hall,
        fc.integer({ min: 1, max: 5 }),
        fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
        (seats, count, zone) => {
          const proposal = bestAvailable(seats, count, zone);
          const blocks = allBlocks(seats, count, zone);
          if (proposal === null) {
            expect(blocks).toEqual([]);
            return;
          }
          const picked = proposal.map((id) => seats.find((s) => s.id === id) as SeatCell);
          expect(picked).toHaveLength(count);
          for (const seat of picked) {
            expect(seat.free).toBe(true);
            if (zone !== undefined) expect(seat.zone).toBe(zone);
            expect(seat.row).toBe(picked[0].row);
          }
          for (const [k, seat] of picked.entries()) expect(seat.col).toBe(picked[0].col + k);
          const mine = blocks.find((b) => b.ids.join() === proposal.join());
          expect(mine).toBeDefined();
          if (mine?.strands) expect(blocks.every((b) => b.strands)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("prefers the front row, then the middle of it, and leaves no single seat stranded", () => {
    const row = (r: number, pattern: string): SeatCell[] =>
      [...pattern].map((c, col) => ({ id: r * 100 + col, row: r, col, zone: 0, free: c === "." }));
    // Row 0: "x.....x" — 2 together in the middle would strand one seat either side; "x.." strands none.
    const seats = [...row(0, "x..x...x"), ...row(1, "........")];
    expect(bestAvailable(seats, 2)).toEqual([1, 2]);
    expect(bestAvailable(seats, 3)).toEqual([4, 5, 6]);
    expect(bestAvailable(seats, 4)).toEqual([102, 103, 104, 105]);
    expect(bestAvailable(seats, 9)).toBeNull();
    expect(bestAvailable(seats, 0)).toBeNull();
  });

  it("gives a clinic its earliest free slots", () => {
    const slots: SeatCell[] = [1, 2, 3, 4, 5].map((id) => ({ id, row: 0, col: id, zone: 0, free: id !== 2 }));
    expect(earliestFree(slots, 1)).toEqual([1]);
    expect(earliestFree(slots, 2)).toEqual([1, 3]);
    expect(earliestFree(slots, 5)).toBeNull();
  });
});
