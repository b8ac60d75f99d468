/** Seat layouts: pure data shared by the server and the browser (no DB, no Node APIs). */
import { z } from "zod";

export type ShowKind = "SHOW" | "BUS" | "DOCTOR";
export type LayoutSpec =
  | { kind: "THEATRE"; rows: number; seatsPerRow: number; aisleAfter: number[] }
  | { kind: "BUS"; arrangement: "2+2" | "2+1"; lowerSeats: number; upperSeats: number }
  | { kind: "DOCTOR"; start: string; end: string; everyMinutes: number };
export type Deck = "LOWER" | "UPPER";
export interface SeatPlacement {
  label: string;
  row: number;
  /** Grid column including aisle gap columns. */
  col: number;
  deck: Deck | null;
  slot: string | null;
}
export interface LayoutGrid {
  rows: number;
  cols: number;
  aisleCols: number[];
  /** Empty for layouts without decks. */
  decks: Deck[];
}

const MAX_SEATS = 50_000;

const wholeNumber = (name: string, min: number, max: number) =>
  z
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be between ${min} and ${max}`)
    .max(max, `${name} must be between ${min} and ${max}`);

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const time = (name: string) =>
  z.string({ error: `${name} must be a time` }).regex(TIME, `${name} must be a 24-hour time like 09:00 (00:00 to 23:59)`);

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const toHHMM = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

const theatreSchema = z
  .strictObject({
    kind: z.literal("THEATRE"),
    rows: wholeNumber("Rows", 1, 1000),
    seatsPerRow: wholeNumber("Seats per row", 1, 500),
    aisleAfter: z.array(z.number({ error: "Aisle positions must be numbers" }).int("Aisle positions must be whole seat numbers")),
  })
  .superRefine((spec, ctx) => {
    const total = spec.rows * spec.seatsPerRow;
    if (total > MAX_SEATS) {
      ctx.addIssue({
        code: "custom",
        path: ["seatsPerRow"],
        message: `A layout can have at most ${MAX_SEATS.toLocaleString("en")} seats; this one has ${total.toLocaleString("en")}`,
      });
    }
    for (const [i, a] of spec.aisleAfter.entries()) {
      if (a < 1 || a > spec.seatsPerRow - 1) {
        ctx.addIssue({
          code: "custom",
          path: ["aisleAfter", i],
          message: `An aisle after seat ${a} is not between two seats of a ${spec.seatsPerRow}-seat row`,
        });
        return;
      }
      if (i > 0 && a <= spec.aisleAfter[i - 1]) {
        ctx.addIssue({
          code: "custom",
          path: ["aisleAfter", i],
          message: "Aisle positions must be in increasing order, without repeats",
        });
        return;
      }
    }
  });

const busSchema = z.strictObject({
  kind: z.literal("BUS"),
  arrangement: z.enum(["2+2", "2+1"], { error: 'Seat arrangement must be "2+2" or "2+1"' }),
  lowerSeats: wholeNumber("Lower deck seats", 1, 120),
  upperSeats: wholeNumber("Upper deck seats", 0, 120),
});

const doctorSchema = z
  .strictObject({
    kind: z.literal("DOCTOR"),
    start: time("Start time"),
    end: time("End time"),
    everyMinutes: wholeNumber("Minutes between appointments", 5, 240),
  })
  .superRefine((spec, ctx) => {
    // Format errors are already reported; comparing malformed times would only add noise.
    if (!TIME.test(spec.start) || !TIME.test(spec.end)) return;
    const start = toMinutes(spec.start);
    const end = toMinutes(spec.end);
    if (end <= start) {
      ctx.addIssue({ code: "custom", path: ["end"], message: "End time must be after start time" });
    } else if (start + spec.everyMinutes > end) {
      ctx.addIssue({ code: "custom", path: ["everyMinutes"], message: "No slot fits between start and end" });
    }
  });

export const layoutSpecSchema: z.ZodType<LayoutSpec> = z
  .discriminatedUnion("kind", [theatreSchema, busSchema, doctorSchema], { error: "Layout kind must be THEATRE, BUS or DOCTOR" })
  .meta({ id: "LayoutSpec" });

/** Spreadsheet-style row names: A…Z, AA…AZ, BA… (bijective base 26). */
export function rowLabel(index: number): string {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`Invalid row index ${index}`);
  let label = "";
  for (let n = index + 1; n > 0; n = Math.floor(n / 26)) {
    n -= 1;
    label = String.fromCharCode(65 + (n % 26)) + label;
  }
  return label;
}

const BUS_SEAT_COLS = { "2+2": [0, 1, 3, 4], "2+1": [0, 1, 3] } as const;
const BUS_AISLE_COL = 2;

function doctorSlots(spec: Extract<LayoutSpec, { kind: "DOCTOR" }>): number[] {
  const slots: number[] = [];
  const end = toMinutes(spec.end);
  for (let t = toMinutes(spec.start); t + spec.everyMinutes <= end; t += spec.everyMinutes) slots.push(t);
  return slots;
}

/** Seats in reading order. Expects a spec that passed layoutSpecSchema. */
export function generateSeats(spec: LayoutSpec): SeatPlacement[] {
  const seats: SeatPlacement[] = [];
  switch (spec.kind) {
    case "THEATRE":
      for (let row = 0; row < spec.rows; row++) {
        const name = rowLabel(row);
        let gaps = 0;
        for (let n = 1; n <= spec.seatsPerRow; n++) {
          while (gaps < spec.aisleAfter.length && spec.aisleAfter[gaps] < n) gaps++;
          seats.push({ label: `${name}${n}`, row, col: n - 1 + gaps, deck: null, slot: null });
        }
      }
      return seats;
    case "BUS": {
      const cols = BUS_SEAT_COLS[spec.arrangement];
      const decks: [Deck, string, number][] = [
        ["LOWER", "L", spec.lowerSeats],
        ["UPPER", "U", spec.upperSeats],
      ];
      for (const [deck, prefix, count] of decks) {
        for (let i = 0; i < count; i++) {
          seats.push({ label: `${prefix}${i + 1}`, row: Math.floor(i / cols.length), col: cols[i % cols.length], deck, slot: null });
        }
      }
      return seats;
    }
    case "DOCTOR": {
      const firstHour = Math.floor(toMinutes(spec.start) / 60);
      let col = 0;
      let lastRow = -1;
      for (const t of doctorSlots(spec)) {
        const row = Math.floor(t / 60) - firstHour;
        col = row === lastRow ? col + 1 : 0;
        lastRow = row;
        seats.push({ label: toHHMM(t), row, col, deck: null, slot: toHHMM(t) });
      }
      return seats;
    }
  }
}

export function layoutGrid(spec: LayoutSpec): LayoutGrid {
  switch (spec.kind) {
    case "THEATRE":
      return {
        rows: spec.rows,
        cols: spec.seatsPerRow + spec.aisleAfter.length,
        // Each earlier gap shifts the next one right by a column.
        aisleCols: spec.aisleAfter.map((after, i) => after + i),
        decks: [],
      };
    case "BUS": {
      const perRow = BUS_SEAT_COLS[spec.arrangement].length;
      return {
        rows: Math.ceil(Math.max(spec.lowerSeats, spec.upperSeats) / perRow),
        cols: perRow + 1,
        aisleCols: [BUS_AISLE_COL],
        decks: spec.upperSeats > 0 ? ["LOWER", "UPPER"] : ["LOWER"],
      };
    }
    case "DOCTOR": {
      let rows = 0;
      let cols = 0;
      for (const seat of generateSeats(spec)) {
        rows = Math.max(rows, seat.row + 1);
        cols = Math.max(cols, seat.col + 1);
      }
      return { rows, cols, aisleCols: [], decks: [] };
    }
  }
}

export function seatCount(spec: LayoutSpec): number {
  switch (spec.kind) {
    case "THEATRE":
      return spec.rows * spec.seatsPerRow;
    case "BUS":
      return spec.lowerSeats + spec.upperSeats;
    case "DOCTOR":
      return Math.max(0, Math.floor((toMinutes(spec.end) - toMinutes(spec.start)) / spec.everyMinutes));
  }
}

export function kindOfLayout(spec: LayoutSpec): ShowKind {
  return spec.kind === "THEATRE" ? "SHOW" : spec.kind;
}

export const DEMO_LAYOUTS: { theatre: LayoutSpec; bus: LayoutSpec; clinic: LayoutSpec; arena: LayoutSpec } = {
  theatre: { kind: "THEATRE", rows: 10, seatsPerRow: 12, aisleAfter: [3, 9] },
  bus: { kind: "BUS", arrangement: "2+2", lowerSeats: 40, upperSeats: 0 },
  clinic: { kind: "DOCTOR", start: "09:00", end: "17:00", everyMinutes: 15 },
  arena: { kind: "THEATRE", rows: 100, seatsPerRow: 200, aisleAfter: [50, 100, 150] },
};
