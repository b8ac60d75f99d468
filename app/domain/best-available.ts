/**
 * "N seats together": the best block of free seats a buyer is offered (it proposes; the buyer
 * confirms with the ordinary hold). Invariants, proved by tests/unit/best-available.test.ts:
 * - every seat proposed is free, in the zone asked for (if any), and there are exactly N;
 * - they are side by side: one row (of one section and deck), consecutive columns with no aisle;
 * - a proposal never strands a single free seat between the block and a taken seat, an aisle or
 *   the row's end, when a block exists that strands none;
 * - nothing is proposed only when no such block exists at all.
 * A coach buyer may ask for a window or an aisle seat: among blocks that strand none, one with
 * such a seat wins (a wish, not a rule: without one, the best other block is still offered).
 * Among the blocks that remain, the nearest the front (the stage, the driver) wins, then the one
 * nearest the row's middle. A clinic's "together" is its earliest free slots, one after another.
 */
import { busSeatPosition } from "./layouts";

export interface SeatCell {
  id: number;
  row: number;
  col: number;
  zone: number;
  free: boolean;
  section?: string | null;
  deck?: string | null;
}

interface Block {
  ids: number[];
  strands: boolean;
  /** Has a seat where the buyer asked (a coach's window or aisle); true when nothing was asked. */
  where: boolean;
  row: number;
  offset: number;
}

/** A coach buyer's wish: a block with a window seat, or one with an aisle seat, first. */
export interface SeatPreference {
  near: "window" | "aisle";
  arrangement: "2+2" | "2+1";
}

/**
 * `centre`: the venue's centre line (a column); without it, each row's own middle. A big venue's
 * side block is best at its seats nearest the stage's centre line, not at its own middle.
 */
export function bestAvailable(
  seats: readonly SeatCell[],
  count: number,
  zone?: number,
  prefer?: SeatPreference,
  centre?: number,
): number[] | null {
  if (!Number.isInteger(count) || count < 1) return null;
  const rows = new Map<string, SeatCell[]>();
  for (const seat of seats) {
    const key = `${seat.section ?? ""}\u0000${seat.deck ?? ""}\u0000${seat.row}`;
    const row = rows.get(key);
    if (row) row.push(seat);
    else rows.set(key, [seat]);
  }
  let best: Block | null = null;
  for (const row of rows.values()) {
    row.sort((a, b) => a.col - b.col);
    const middle = centre ?? (row[0].col + row[row.length - 1].col) / 2;
    // Runs of free seats side by side (an aisle is a missing column; a taken seat ends a run too).
    let start = 0;
    for (let i = 1; i <= row.length; i++) {
      const ends = i === row.length || !row[i].free || !row[i - 1].free || row[i].col !== row[i - 1].col + 1;
      if (!ends) continue;
      if (row[start].free) consider(row.slice(start, i), row[0].row, middle);
      start = i;
    }
  }
  const found = best as Block | null;
  return found ? found.ids : null;

  function consider(run: SeatCell[], rowNumber: number, middle: number) {
    for (let from = 0; from + count <= run.length; from++) {
      const block = run.slice(from, from + count);
      if (zone !== undefined && block.some((s) => s.zone !== zone)) continue;
      const left = from;
      const right = run.length - from - count;
      const candidate: Block = {
        ids: block.map((s) => s.id),
        strands: left === 1 || right === 1,
        where: !prefer || block.some((s) => busSeatPosition(s.col, prefer.arrangement) === (prefer.near === "window" ? "WINDOW" : "AISLE")),
        row: rowNumber,
        offset: Math.abs((block[0].col + block[block.length - 1].col) / 2 - middle),
      };
      if (!best || better(candidate, best)) best = candidate;
    }
  }
}

function better(a: Block, b: Block): boolean {
  if (a.strands !== b.strands) return !a.strands;
  if (a.where !== b.where) return a.where;
  if (a.row !== b.row) return a.row < b.row;
  return a.offset < b.offset;
}

/** A clinic's N earliest free slots, in time order (its seats' ids are in time order). */
export function earliestFree(seats: readonly SeatCell[], count: number): number[] | null {
  const free = seats.filter((s) => s.free).sort((a, b) => a.id - b.id);
  return count >= 1 && free.length >= count ? free.slice(0, count).map((s) => s.id) : null;
}
