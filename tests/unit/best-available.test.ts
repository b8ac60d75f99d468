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

describe("a coach buyer's window or aisle wish, and a big venue's centre line", () => {
  // One 2+2 row: seats in columns 0, 1 | aisle 2 | 3, 4 (0 and 4 are by the windows).
  const coach = (free: boolean[]): SeatCell[] => [0, 1, 3, 4].map((col, i) => ({ id: i + 1, row: 0, col, zone: 0, free: free[i] }));

  it("offers a window seat to one who asks for a window, an aisle seat to one who asks for the aisle", () => {
    const row = coach([true, true, true, true]);
    expect(bestAvailable(row, 1, undefined, { near: "window", arrangement: "2+2" })).toEqual([1]);
    expect(bestAvailable(row, 1, undefined, { near: "aisle", arrangement: "2+2" })).toEqual([2]);
  });

  it("travels together: two side by side, never across the gangway", () => {
    expect(bestAvailable(coach([false, true, true, true]), 2, undefined, { near: "window", arrangement: "2+2" })).toEqual([3, 4]);
  });

  it("is a wish, not a rule: with no window seat free, the best other seat is still offered", () => {
    expect(bestAvailable(coach([false, true, true, false]), 1, undefined, { near: "window", arrangement: "2+2" })).not.toBeNull();
  });

  it("never offers a taken seat, and a wish never beats stranding a seat", () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        (free, n, window) => {
          const row = coach(free);
          const ids = bestAvailable(row, n, undefined, { near: window ? "window" : "aisle", arrangement: "2+2" });
          if (ids) for (const id of ids) expect(row.find((s) => s.id === id)?.free).toBe(true);
          expect(ids === null).toBe(bestAvailable(row, n) === null);
        },
      ),
    );
  });

  it("in a side block, takes the seats nearest the venue's centre line", () => {
    // A block from column 0 to 9, the venue's centre at column 30: the right end is best.
    const block: SeatCell[] = Array.from({ length: 10 }, (_, col) => ({ id: col + 1, row: 0, col, zone: 0, free: true }));
    expect(bestAvailable(block, 2)).toEqual([5, 6]);
    expect(bestAvailable(block, 2, undefined, undefined, 30)).toEqual([9, 10]);
  });
});
