/** Seat layouts: pure data shared by the server and the browser (no DB, no Node APIs). */
import { z } from "zod";
import { CONTROL_CHARACTERS_MESSAGE, NO_CONTROL_CHARACTERS } from "./validation";

/**
 * What a show is, the one list (the database's enum, the API's schema and the pages take it from
 * here): a theatre-like layout of sections (`THEATRE` below) is a SHOW; a coach's, a BUS; a
 * clinic day's, a DOCTOR (kindOfLayout).
 */
export const SHOW_KINDS = ["SHOW", "BUS", "DOCTOR"] as const;
export type ShowKind = (typeof SHOW_KINDS)[number];

/** A block of a theatre or an arena (Stalls, Circle, Block 101…): rows of seats in one price zone. */
export interface TheatreSection {
  name: string;
  rows: number;
  seatsPerRow: number;
  aisleAfter: number[];
  /** The price zone's name; every seat of the section is in it. */
  zone: string;
  /**
   * Where the section sits on the venue's plan: sections of one band stand side by side, left to
   * right in list order, and band 0 is nearest the stage. Without it each section is a band of its
   * own, below the one before (stalls, then circle).
   */
  band?: number;
}

/**
 * A show's seats. A theatre is a list of sections; the one-block form (rows, seats per row,
 * aisles) is the same as a single unnamed section whose seats are in the show's first zone.
 */
export type LayoutSpec =
  | { kind: "THEATRE"; rows: number; seatsPerRow: number; aisleAfter: number[] }
  | { kind: "THEATRE"; sections: TheatreSection[] }
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
  /** The section's name, on a theatre with named sections. */
  section?: string;
  /** The price zone's name, when the layout says; otherwise the show's first zone. */
  zone?: string;
}
export interface LayoutGrid {
  rows: number;
  cols: number;
  aisleCols: number[];
  /** Empty for layouts without decks. */
  decks: Deck[];
}

export const MAX_SEATS = 20_000;
const NAME_MAX = 40;

const wholeNumber = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be between ${min} and ${max}`)
    .max(max, `${name} must be between ${min} and ${max}`);

const blankIsNone = (value: unknown) => (value === null || (typeof value === "string" && value.trim() === "") ? undefined : value);

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const time = (name: string) =>
  z.string({ error: `${name} must be a time` }).regex(TIME, `${name} must be a 24-hour time like 09:00 (00:00 to 23:59)`);

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const toHHMM = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** Aisle positions: a list, or (from a form) text like "3, 9". */
const aisles = z.preprocess(
  (value) =>
    value === undefined
      ? []
      : typeof value === "string"
        ? value
            .split(/[\s,]+/)
            .filter(Boolean)
            .map(Number)
        : value,
  z.array(z.number({ error: "Aisle positions must be numbers" }).int("Aisle positions must be whole seat numbers")),
);

function checkAisles(spec: { seatsPerRow: number; aisleAfter: number[] }, ctx: z.RefinementCtx, path: PropertyKey[]) {
  for (const [i, a] of spec.aisleAfter.entries()) {
    if (a < 1 || a > spec.seatsPerRow - 1) {
      ctx.addIssue({
        code: "custom",
        path: [...path, "aisleAfter"],
        message: `An aisle after seat ${a} is not between two seats of a ${spec.seatsPerRow}-seat row`,
      });
      return;
    }
    if (i > 0 && a <= spec.aisleAfter[i - 1]) {
      ctx.addIssue({
        code: "custom",
        path: [...path, "aisleAfter"],
        message: "Aisle positions must be in increasing order, without repeats",
      });
      return;
    }
  }
}

function checkTotal(total: number, ctx: z.RefinementCtx, path: PropertyKey[]) {
  if (total > MAX_SEATS) {
    ctx.addIssue({
      code: "custom",
      path,
      message: `A layout can have at most ${MAX_SEATS.toLocaleString("en")} seats; this one has ${total.toLocaleString("en")}`,
    });
  }
}

const oneBlockSchema = z
  .strictObject({
    kind: z.literal("THEATRE"),
    rows: wholeNumber("Rows", 1, 1000),
    seatsPerRow: wholeNumber("Seats per row", 1, 500),
    aisleAfter: aisles,
  })
  .superRefine((spec, ctx) => {
    checkTotal(spec.rows * spec.seatsPerRow, ctx, ["seatsPerRow"]);
    checkAisles(spec, ctx, []);
  })
  .meta({ id: "TheatreLayout", description: "A theatre in one block of rows" });

export const sectionName = z
  .string({ error: "Section name is required" })
  .trim()
  .min(1, "Section name is required")
  .max(NAME_MAX, `Section names are at most ${NAME_MAX} characters`)
  .regex(NO_CONTROL_CHARACTERS, `Section names ${CONTROL_CHARACTERS_MESSAGE}`);

const sectionSchema = z
  .strictObject({
    name: sectionName,
    rows: wholeNumber("Rows", 1, 1000),
    seatsPerRow: wholeNumber("Seats per row", 1, 500),
    aisleAfter: aisles,
    zone: z.string({ error: "Pick a price zone" }).trim().min(1, "Pick a price zone"),
    band: z
      .preprocess(blankIsNone, wholeNumber("Band", 0, 99).optional())
      .describe("Sections of one band stand side by side, in list order; band 0 is nearest the stage. Default: a band of its own"),
  })
  .superRefine((section, ctx) => checkAisles(section, ctx, []));

const sectionsSchema = z
  .strictObject({
    kind: z.literal("THEATRE"),
    sections: z
      .array(sectionSchema, { error: "Add at least one section" })
      .min(1, "Add at least one section")
      .max(100, "At most 100 sections"),
  })
  .superRefine((spec, ctx) => {
    checkTotal(
      spec.sections.reduce((n, s) => n + s.rows * s.seatsPerRow, 0),
      ctx,
      ["sections"],
    );
    const seen = new Set<string>();
    for (const [i, section] of spec.sections.entries()) {
      const key = section.name.toLowerCase();
      if (seen.has(key))
        ctx.addIssue({ code: "custom", path: ["sections", i, "name"], message: `There are two sections called "${section.name}"` });
      seen.add(key);
    }
  })
  .meta({ id: "TheatreSectionsLayout", description: "A theatre in named sections (stalls, circle), each priced by a zone" });

const busSchema = z
  .strictObject({
    kind: z.literal("BUS"),
    arrangement: z.enum(["2+2", "2+1"], { error: 'Seat arrangement must be "2+2" or "2+1"' }),
    lowerSeats: wholeNumber("Lower deck seats", 1, 120),
    upperSeats: wholeNumber("Upper deck seats", 0, 120),
  })
  .meta({ id: "CoachLayout", description: "A coach: seats on a lower and an optional upper deck" });

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
  })
  .meta({ id: "ClinicDayLayout", description: "A clinic day: one appointment slot every so many minutes between start and end" });

/** The variant a layout claims to be, chosen by its kind (and, for a theatre, by having sections). */
function variantOf(value: unknown): z.ZodType | null {
  const spec = (value ?? {}) as { kind?: unknown };
  if (spec.kind === "BUS") return busSchema;
  if (spec.kind === "DOCTOR") return doctorSchema;
  if (spec.kind === "THEATRE") return typeof spec === "object" && "sections" in spec ? sectionsSchema : oneBlockSchema;
  return null;
}

/** Every layout variant, for documents that describe the input (the OpenAPI document). */
export const layoutVariants = [oneBlockSchema, sectionsSchema, busSchema, doctorSchema] as const;

/**
 * A layout, validated by the variant its kind names, so that every message is about the layout
 * the user meant (never "none of four alternatives matched").
 */
export const layoutSpecSchema = z
  .unknown()
  .transform((value, ctx): LayoutSpec => {
    const variant = variantOf(value);
    if (!variant) {
      ctx.addIssue({ code: "custom", path: ["kind"], message: "Layout kind must be THEATRE, BUS or DOCTOR" });
      return z.NEVER;
    }
    const result = variant.safeParse(value);
    if (result.success) return result.data as LayoutSpec;
    for (const issue of result.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    return z.NEVER;
  })
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

/** Where a coach seat is: by the window or by the gangway. The single seat of a 2+1 row is by the window. */
export function busSeatPosition(col: number, arrangement: "2+2" | "2+1"): "WINDOW" | "AISLE" {
  const cols = BUS_SEAT_COLS[arrangement];
  return col === cols[0] || col === cols[cols.length - 1] ? "WINDOW" : "AISLE";
}

function doctorSlots(spec: Extract<LayoutSpec, { kind: "DOCTOR" }>): number[] {
  const slots: number[] = [];
  const end = toMinutes(spec.end);
  for (let t = toMinutes(spec.start); t + spec.everyMinutes <= end; t += spec.everyMinutes) slots.push(t);
  return slots;
}

/** A theatre's sections, the one-block form included (as one unnamed section in no named zone). */
export function sectionsOf(spec: Extract<LayoutSpec, { kind: "THEATRE" }>): Array<Omit<TheatreSection, "zone"> & { zone?: string }> {
  return "sections" in spec ? spec.sections : [{ name: "", rows: spec.rows, seatsPerRow: spec.seatsPerRow, aisleAfter: spec.aisleAfter }];
}

/** A section on the venue's plan, in seat widths (x, width) and rows (y, height). */
export interface SectionBox {
  name: string;
  zone?: string;
  band: number;
  x: number;
  y: number;
  width: number;
  height: number;
  seats: number;
}

/** Columns between two sections of one band: a gangway. */
const BAND_GAP = 2;

/**
 * Where each section of a theatre is, to scale: bands from the stage back, each band's sections
 * left to right and the band centred on the widest one. A seat's row and column are its place
 * on this plan, so the front of the venue is row 0 and the middle is the middle.
 */
export function venuePlan(spec: Extract<LayoutSpec, { kind: "THEATRE" }>): SectionBox[] {
  const sections = sectionsOf(spec);
  // A section without a band is a band of its own, behind every band before it in the list.
  const bandOf: number[] = [];
  for (const s of sections) bandOf.push("band" in s && s.band !== undefined ? s.band : Math.max(-1, ...bandOf) + 1);
  const bands = [...new Set(bandOf)].sort((a, b) => a - b);
  const widthOf = (s: (typeof sections)[number]) => s.seatsPerRow + s.aisleAfter.length;
  const bandWidth = (band: number) => sections.reduce((w, s, i) => (bandOf[i] === band ? w + widthOf(s) + (w > 0 ? BAND_GAP : 0) : w), 0);
  const widest = Math.max(...bands.map(bandWidth));
  const boxes: SectionBox[] = new Array(sections.length);
  let y = 0;
  for (const band of bands) {
    let x = Math.floor((widest - bandWidth(band)) / 2);
    let depth = 0;
    for (const [i, section] of sections.entries()) {
      if (bandOf[i] !== band) continue;
      const box: SectionBox = {
        name: section.name,
        band,
        x,
        y,
        width: widthOf(section),
        height: section.rows,
        seats: section.rows * section.seatsPerRow,
      };
      if (section.zone !== undefined) box.zone = section.zone;
      boxes[i] = box;
      x += box.width + BAND_GAP;
      depth = Math.max(depth, section.rows);
    }
    y += depth;
  }
  return boxes;
}

/** A venue of more seats than this, in more than one section, is sold a section at a time. */
export const SECTION_VIEW_FROM_SEATS = 2_000;

/** Whether a show's page shows the venue's plan and one section's seats rather than every seat. */
export function soldBySection(spec: LayoutSpec): boolean {
  return spec.kind === "THEATRE" && "sections" in spec && spec.sections.length > 1 && seatCount(spec) > SECTION_VIEW_FROM_SEATS;
}

/** Seats in reading order. Expects a spec that passed layoutSpecSchema. */
export function generateSeats(spec: LayoutSpec): SeatPlacement[] {
  const seats: SeatPlacement[] = [];
  switch (spec.kind) {
    case "THEATRE": {
      const sections = sectionsOf(spec);
      const plan = venuePlan(spec);
      // With several sections a seat says which: "Circle B12"; a single block keeps "B12".
      const named = sections.length > 1 || sections[0].name !== "";
      for (const [i, section] of sections.entries()) {
        const box = plan[i];
        for (let r = 0; r < section.rows; r++) {
          const name = rowLabel(r);
          let gaps = 0;
          for (let n = 1; n <= section.seatsPerRow; n++) {
            while (gaps < section.aisleAfter.length && section.aisleAfter[gaps] < n) gaps++;
            const seat: SeatPlacement = {
              label: named ? `${section.name} ${name}${n}` : `${name}${n}`,
              row: box.y + r,
              col: box.x + n - 1 + gaps,
              deck: null,
              slot: null,
            };
            if (named) seat.section = section.name;
            if (section.zone !== undefined) seat.zone = section.zone;
            seats.push(seat);
          }
        }
      }
      return seats;
    }
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
    case "THEATRE": {
      const sections = sectionsOf(spec);
      const plan = venuePlan(spec);
      return {
        rows: plan.reduce((n, box) => Math.max(n, box.y + box.height), 0),
        cols: plan.reduce((n, box) => Math.max(n, box.x + box.width), 0),
        // Each earlier gap shifts the next one right by a column (one-block layouts only).
        aisleCols: sections.length === 1 ? sections[0].aisleAfter.map((after, i) => after + i) : [],
        decks: [],
      };
    }
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
      return sectionsOf(spec).reduce((n, s) => n + s.rows * s.seatsPerRow, 0);
    case "BUS":
      return spec.lowerSeats + spec.upperSeats;
    case "DOCTOR":
      return Math.max(0, Math.floor((toMinutes(spec.end) - toMinutes(spec.start)) / spec.everyMinutes));
  }
}

export function kindOfLayout(spec: LayoutSpec): ShowKind {
  return spec.kind === "THEATRE" ? "SHOW" : spec.kind;
}

/** The zone names a layout refers to (sections' zones); other layouts use the show's first zone. */
export function zonesUsed(spec: LayoutSpec): string[] {
  return spec.kind === "THEATRE" && "sections" in spec ? [...new Set(spec.sections.map((s) => s.zone))] : [];
}

/** The demo arena's blocks: 20 rows of 25, an aisle in the middle. */
function blocks(names: string[], zone: string, band: number): TheatreSection[] {
  return names.map((name) => ({ name, rows: 20, seatsPerRow: 25, aisleAfter: [12], zone, band }));
}
const numbered = (first: number, count: number) => Array.from({ length: count }, (_, i) => `Block ${first + i}`);

export const DEMO_LAYOUTS = {
  theatre: { kind: "THEATRE", rows: 10, seatsPerRow: 12, aisleAfter: [3, 9] },
  /** A double-decker: 12 seats below (the stairs and the luggage take the rest), 28 above. */
  bus: { kind: "BUS", arrangement: "2+2", lowerSeats: 12, upperSeats: 28 },
  clinic: { kind: "DOCTOR", start: "09:00", end: "17:00", everyMinutes: 15 },
  /** 20,000 seats in 40 blocks of 500 and three price zones: the floor, two lower rings, two upper. */
  arena: {
    kind: "THEATRE",
    sections: [
      ...blocks(["Floor A", "Floor B", "Floor C", "Floor D", "Floor E", "Floor F", "Floor G", "Floor H"], "Premium", 0),
      ...blocks(numbered(101, 8), "Standard", 1),
      ...blocks(numbered(109, 8), "Standard", 2),
      ...blocks(numbered(201, 8), "Value", 3),
      ...blocks(numbered(209, 8), "Value", 4),
    ],
  },
} as const satisfies Record<string, LayoutSpec>;
