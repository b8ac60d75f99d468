import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  busSeatPosition,
  DEMO_LAYOUTS,
  generateSeats,
  kindOfLayout,
  type LayoutSpec,
  layoutGrid,
  layoutSpecSchema,
  rowLabel,
  SECTION_VIEW_FROM_SEATS,
  type SeatPlacement,
  seatCount,
  soldBySection,
  venuePlan,
} from "~/domain/layouts";

const byLabel = (seats: SeatPlacement[]) => new Map(seats.map((s) => [s.label, s]));
const errorsOf = (input: unknown) => {
  const result = layoutSpecSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.message);
};

describe("rowLabel", () => {
  it.each([
    [0, "A"],
    [25, "Z"],
    [26, "AA"],
    [27, "AB"],
    [51, "AZ"],
    [52, "BA"],
    [701, "ZZ"],
    [702, "AAA"],
  ])("row %i is %s", (index, label) => {
    expect(rowLabel(index)).toBe(label);
  });

  it("refuses negative or fractional indexes", () => {
    expect(() => rowLabel(-1)).toThrow(RangeError);
    expect(() => rowLabel(1.5)).toThrow(RangeError);
  });
});

describe("theatre layout", () => {
  const spec: LayoutSpec = { kind: "THEATRE", rows: 10, seatsPerRow: 12, aisleAfter: [3, 9] };
  const seats = generateSeats(spec);
  const seat = byLabel(seats);

  it("labels rows by letter and seats 1..N, ignoring aisles", () => {
    expect(seats).toHaveLength(120);
    expect(seats[0]).toEqual({ label: "A1", row: 0, col: 0, deck: null, slot: null });
    expect(seats[11].label).toBe("A12");
    expect(seats[119].label).toBe("J12");
    expect(seat.get("J12")).toMatchObject({ row: 9 });
  });

  it("shifts columns right past each aisle gap", () => {
    expect(seat.get("A3")?.col).toBe(2);
    expect(seat.get("A4")?.col).toBe(4);
    expect(seat.get("A9")?.col).toBe(9);
    expect(seat.get("A10")?.col).toBe(11);
    expect(seat.get("A12")?.col).toBe(13);
  });

  it("has a grid of seats plus gap columns", () => {
    expect(layoutGrid(spec)).toEqual({ rows: 10, cols: 14, aisleCols: [3, 10], decks: [] });
    expect(kindOfLayout(spec)).toBe("SHOW");
  });
});

describe("bus layout", () => {
  it("places 2+2 seats around the aisle, row by row", () => {
    const spec: LayoutSpec = { kind: "BUS", arrangement: "2+2", lowerSeats: 40, upperSeats: 0 };
    const seat = byLabel(generateSeats(spec));
    expect(seat.get("L1")).toEqual({ label: "L1", row: 0, col: 0, deck: "LOWER", slot: null });
    expect(seat.get("L2")?.col).toBe(1);
    expect(seat.get("L3")).toMatchObject({ row: 0, col: 3 });
    expect(seat.get("L5")).toMatchObject({ row: 1, col: 0 });
    expect(seat.get("L40")).toMatchObject({ row: 9, col: 4 });
    expect(layoutGrid(spec)).toEqual({ rows: 10, cols: 5, aisleCols: [2], decks: ["LOWER"] });
    expect(kindOfLayout(spec)).toBe("BUS");
  });

  it("fills a partial last 2+1 row from the left", () => {
    const spec: LayoutSpec = { kind: "BUS", arrangement: "2+1", lowerSeats: 8, upperSeats: 0 };
    const seats = generateSeats(spec);
    expect(seats.map((s) => [s.label, s.row, s.col])).toEqual([
      ["L1", 0, 0],
      ["L2", 0, 1],
      ["L3", 0, 3],
      ["L4", 1, 0],
      ["L5", 1, 1],
      ["L6", 1, 3],
      ["L7", 2, 0],
      ["L8", 2, 1],
    ]);
    expect(layoutGrid(spec)).toEqual({ rows: 3, cols: 4, aisleCols: [2], decks: ["LOWER"] });
  });

  it("labels the upper deck U1.. with its own rows from 0", () => {
    const spec: LayoutSpec = { kind: "BUS", arrangement: "2+2", lowerSeats: 6, upperSeats: 10 };
    const seats = generateSeats(spec);
    expect(seats.map((s) => s.label)).toEqual([
      "L1",
      "L2",
      "L3",
      "L4",
      "L5",
      "L6",
      "U1",
      "U2",
      "U3",
      "U4",
      "U5",
      "U6",
      "U7",
      "U8",
      "U9",
      "U10",
    ]);
    expect(byLabel(seats).get("U1")).toMatchObject({ deck: "UPPER", row: 0, col: 0 });
    expect(byLabel(seats).get("U10")).toMatchObject({ deck: "UPPER", row: 2, col: 1 });
    expect(layoutGrid(spec)).toEqual({ rows: 3, cols: 5, aisleCols: [2], decks: ["LOWER", "UPPER"] });
  });
});

describe("doctor layout", () => {
  it("makes 32 quarter-hour slots from 09:00 to 17:00, one row per hour", () => {
    const spec: LayoutSpec = { kind: "DOCTOR", start: "09:00", end: "17:00", everyMinutes: 15 };
    const seats = generateSeats(spec);
    expect(seats).toHaveLength(32);
    expect(seats[0]).toEqual({ label: "09:00", row: 0, col: 0, deck: null, slot: "09:00" });
    expect(seats[5]).toMatchObject({ label: "10:15", row: 1, col: 1 });
    expect(seats[31]).toMatchObject({ label: "16:45", slot: "16:45", row: 7, col: 3 });
    expect(layoutGrid(spec)).toEqual({ rows: 8, cols: 4, aisleCols: [], decks: [] });
    expect(kindOfLayout(spec)).toBe("DOCTOR");
  });

  it("never runs a slot past the end (09:00-10:00 every 25)", () => {
    const spec: LayoutSpec = { kind: "DOCTOR", start: "09:00", end: "10:00", everyMinutes: 25 };
    expect(generateSeats(spec).map((s) => s.slot)).toEqual(["09:00", "09:25"]);
    expect(seatCount(spec)).toBe(2);
  });

  it("keeps a slot that ends exactly at the end, and counts columns within each hour", () => {
    const spec: LayoutSpec = { kind: "DOCTOR", start: "08:40", end: "10:10", everyMinutes: 30 };
    expect(generateSeats(spec).map((s) => [s.slot, s.row, s.col])).toEqual([
      ["08:40", 0, 0],
      ["09:10", 1, 0],
      ["09:40", 1, 1],
    ]);
  });
});

describe("layoutSpecSchema", () => {
  it("accepts the demo layouts", () => {
    for (const spec of Object.values(DEMO_LAYOUTS)) expect(errorsOf(spec)).toEqual([]);
  });

  it.each([
    ["non-increasing aisles", { kind: "THEATRE", rows: 5, seatsPerRow: 12, aisleAfter: [9, 3] }, /increasing order/],
    ["repeated aisles", { kind: "THEATRE", rows: 5, seatsPerRow: 12, aisleAfter: [3, 3] }, /increasing order/],
    [
      "an aisle after the last seat",
      { kind: "THEATRE", rows: 5, seatsPerRow: 12, aisleAfter: [12] },
      /aisle after seat 12 is not between two seats/,
    ],
    ["too many seats", { kind: "THEATRE", rows: 1000, seatsPerRow: 500, aisleAfter: [] }, /at most 20,000 seats; this one has 500,000/],
    ["too many rows", { kind: "THEATRE", rows: 1001, seatsPerRow: 1, aisleAfter: [] }, /Rows must be between 1 and 1000/],
    [
      "a bus with no seats",
      { kind: "BUS", arrangement: "2+2", lowerSeats: 0, upperSeats: 0 },
      /Lower deck seats must be between 1 and 120/,
    ],
    ["an unknown bus arrangement", { kind: "BUS", arrangement: "3+3", lowerSeats: 10, upperSeats: 0 }, /"2\+2" or "2\+1"/],
    ["24:00", { kind: "DOCTOR", start: "09:00", end: "24:00", everyMinutes: 15 }, /End time must be a 24-hour time like 09:00/],
    ["an unpadded hour", { kind: "DOCTOR", start: "9:00", end: "17:00", everyMinutes: 15 }, /Start time must be a 24-hour time/],
    ["end before start", { kind: "DOCTOR", start: "17:00", end: "09:00", everyMinutes: 15 }, /End time must be after start time/],
    ["no slot fits", { kind: "DOCTOR", start: "09:00", end: "09:30", everyMinutes: 45 }, /^No slot fits between start and end$/],
    ["too short an interval", { kind: "DOCTOR", start: "09:00", end: "17:00", everyMinutes: 1 }, /between 5 and 240/],
    ["an unknown kind", { kind: "CONCERT" }, /THEATRE, BUS or DOCTOR/],
  ])("rejects %s with a readable message", (_name, input, message) => {
    const errors = errorsOf(input);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });
});

describe("DEMO_LAYOUTS", () => {
  it.each([
    ["theatre", 120],
    ["bus", 40],
    ["clinic", 32],
    ["arena", 20_000],
  ] as const)("%s has %i seats", (name, count) => {
    expect(seatCount(DEMO_LAYOUTS[name])).toBe(count);
    expect(generateSeats(DEMO_LAYOUTS[name])).toHaveLength(count);
  });
});

const pad = (n: number) => String(n).padStart(2, "0");
const hhmm = (minutes: number) => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;

const theatreSpec = fc
  .record({ rows: fc.integer({ min: 1, max: 40 }), seatsPerRow: fc.integer({ min: 1, max: 60 }) })
  .chain(({ rows, seatsPerRow }) =>
    fc
      .subarray(Array.from({ length: seatsPerRow - 1 }, (_, i) => i + 1))
      .map((aisleAfter): LayoutSpec => ({ kind: "THEATRE", rows, seatsPerRow, aisleAfter })),
  );
const busSpec = fc
  .record({
    arrangement: fc.constantFrom("2+2" as const, "2+1" as const),
    lowerSeats: fc.integer({ min: 1, max: 120 }),
    upperSeats: fc.integer({ min: 0, max: 120 }),
  })
  .map((r): LayoutSpec => ({ kind: "BUS", ...r }));
const doctorSpec = fc
  .integer({ min: 5, max: 240 })
  .chain((everyMinutes) =>
    fc
      .integer({ min: 0, max: 1439 - everyMinutes })
      .chain((start) =>
        fc
          .integer({ min: start + everyMinutes, max: 1439 })
          .map((end): LayoutSpec => ({ kind: "DOCTOR", start: hhmm(start), end: hhmm(end), everyMinutes })),
      ),
  );

describe("any valid layout", () => {
  it("has unique labels and unique cells, none in an aisle, all inside the grid", () => {
    fc.assert(
      fc.property(fc.oneof(theatreSpec, busSpec, doctorSpec), (spec) => {
        expect(errorsOf(spec)).toEqual([]);
        const seats = generateSeats(spec);
        const grid = layoutGrid(spec);
        expect(seatCount(spec)).toBe(seats.length);
        expect(seats.length).toBeGreaterThan(0);
        expect(new Set(seats.map((s) => s.label)).size).toBe(seats.length);
        expect(new Set(seats.map((s) => `${s.deck}/${s.row}/${s.col}`)).size).toBe(seats.length);
        const aisles = new Set(grid.aisleCols);
        const misplaced = seats.filter(
          (s) =>
            aisles.has(s.col) ||
            s.row < 0 ||
            s.row >= grid.rows ||
            s.col < 0 ||
            s.col >= grid.cols ||
            (spec.kind === "BUS" ? !grid.decks.includes(s.deck!) : s.deck !== null) ||
            s.slot !== (spec.kind === "DOCTOR" ? s.label : null),
        );
        expect(misplaced).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("sections and price zones", () => {
  const spec: LayoutSpec = {
    kind: "THEATRE",
    sections: [
      { name: "Stalls", rows: 2, seatsPerRow: 4, aisleAfter: [2], zone: "Premium" },
      { name: "Circle", rows: 27, seatsPerRow: 3, aisleAfter: [], zone: "Standard" },
    ],
  };
  const seats = generateSeats(spec);
  const seat = byLabel(seats);

  it("names each seat by its section, row and number, rows continuing down the map, each section centred", () => {
    expect(seats).toHaveLength(2 * 4 + 27 * 3);
    expect(seats[0]).toEqual({ label: "Stalls A1", row: 0, col: 0, deck: null, slot: null, section: "Stalls", zone: "Premium" });
    expect(seat.get("Stalls A3")).toMatchObject({ col: 3 });
    // The circle (3 wide) is centred under the stalls (4 seats and an aisle).
    expect(seat.get("Circle A1")).toMatchObject({ row: 2, col: 1, zone: "Standard" });
    // The 27th row of a section is AA.
    expect(seat.get("Circle AA3")).toMatchObject({ row: 28, col: 3 });
    expect(layoutGrid(spec)).toEqual({ rows: 29, cols: 5, aisleCols: [], decks: [] });
    expect(seatCount(spec)).toBe(seats.length);
  });

  it("keeps a single row, and aisles right after the first or before the last seat", () => {
    const edges: LayoutSpec = { kind: "THEATRE", sections: [{ name: "Box", rows: 1, seatsPerRow: 5, aisleAfter: [1, 4], zone: "Box" }] };
    expect(errorsOf(edges)).toEqual([]);
    expect(generateSeats(edges).map((s) => [s.label, s.col])).toEqual([
      ["Box A1", 0],
      ["Box A2", 2],
      ["Box A3", 3],
      ["Box A4", 4],
      ["Box A5", 6],
    ]);
  });

  it.each([
    [
      "an aisle before the first seat",
      { name: "S", rows: 1, seatsPerRow: 5, aisleAfter: [0], zone: "Z" },
      /aisle after seat 0 is not between two seats/,
    ],
    [
      "an aisle after the last seat",
      { name: "S", rows: 1, seatsPerRow: 5, aisleAfter: [5], zone: "Z" },
      /aisle after seat 5 is not between two seats/,
    ],
    ["a section with no name", { name: " ", rows: 1, seatsPerRow: 5, aisleAfter: [], zone: "Z" }, /Section name is required/],
    ["a section with no zone", { name: "S", rows: 1, seatsPerRow: 5, aisleAfter: [] }, /Pick a price zone/],
  ])("refuses %s", (_name, section, message) => {
    const errors = errorsOf({ kind: "THEATRE", sections: [section] });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it("refuses two sections of one name, and more than 20,000 seats across sections", () => {
    const twice = errorsOf({
      kind: "THEATRE",
      sections: [
        { name: "Stalls", rows: 1, seatsPerRow: 2, aisleAfter: [], zone: "Z" },
        { name: "stalls", rows: 1, seatsPerRow: 2, aisleAfter: [], zone: "Z" },
      ],
    });
    expect(twice).toEqual(['There are two sections called "stalls"']);
    const big = errorsOf({
      kind: "THEATRE",
      sections: [
        { name: "A", rows: 100, seatsPerRow: 150, aisleAfter: [], zone: "Z" },
        { name: "B", rows: 100, seatsPerRow: 60, aisleAfter: [], zone: "Z" },
      ],
    });
    expect(big).toEqual(["A layout can have at most 20,000 seats; this one has 21,000"]);
  });

  it("reads aisles typed in a form as text", () => {
    expect(layoutSpecSchema.parse({ kind: "THEATRE", rows: "2", seatsPerRow: "10", aisleAfter: "3, 7" })).toEqual({
      kind: "THEATRE",
      rows: 2,
      seatsPerRow: 10,
      aisleAfter: [3, 7],
    });
  });
});

describe("coach seats by the window and by the gangway", () => {
  it("marks 2+2 and 2+1 rows, an odd seat count leaving the last row short", () => {
    const spec: LayoutSpec = { kind: "BUS", arrangement: "2+2", lowerSeats: 7, upperSeats: 0 };
    const seats = generateSeats(spec);
    expect(seats.map((s) => `${s.label}:${busSeatPosition(s.col, "2+2")}`)).toEqual([
      "L1:WINDOW",
      "L2:AISLE",
      "L3:AISLE",
      "L4:WINDOW",
      "L5:WINDOW",
      "L6:AISLE",
      "L7:AISLE",
    ]);
    expect(
      generateSeats({ kind: "BUS", arrangement: "2+1", lowerSeats: 3, upperSeats: 0 }).map((s) => busSeatPosition(s.col, "2+1")),
    ).toEqual(["WINDOW", "AISLE", "WINDOW"]);
  });
});

describe("a venue's plan: sections to scale, bands from the stage back", () => {
  const arena = DEMO_LAYOUTS.arena as Extract<LayoutSpec, { kind: "THEATRE" }>;

  it("puts a band's sections side by side, the band centred, and each seat at its place on the plan", () => {
    const spec: Extract<LayoutSpec, { kind: "THEATRE" }> = {
      kind: "THEATRE",
      sections: [
        { name: "Left", rows: 2, seatsPerRow: 3, aisleAfter: [], zone: "A", band: 0 },
        { name: "Right", rows: 3, seatsPerRow: 3, aisleAfter: [], zone: "A", band: 0 },
        { name: "Back", rows: 1, seatsPerRow: 2, aisleAfter: [], zone: "B", band: 1 },
      ],
    };
    expect(errorsOf(spec)).toEqual([]);
    expect(venuePlan(spec).map(({ name, x, y, width, height }) => [name, x, y, width, height])).toEqual([
      ["Left", 0, 0, 3, 2],
      // A gangway of two columns between sections of one band.
      ["Right", 5, 0, 3, 3],
      // The next band starts below the deepest section of the one before, centred on the widest.
      ["Back", 3, 3, 2, 1],
    ]);
    const seat = byLabel(generateSeats(spec));
    expect(seat.get("Right A1")).toMatchObject({ row: 0, col: 5 });
    expect(seat.get("Back A2")).toMatchObject({ row: 3, col: 4 });
    expect(layoutGrid(spec)).toMatchObject({ rows: 4, cols: 8 });
  });

  it("puts a section without a band behind every band before it, never beside or in front of one", () => {
    const spec: Extract<LayoutSpec, { kind: "THEATRE" }> = {
      kind: "THEATRE",
      sections: [
        { name: "A", rows: 1, seatsPerRow: 2, aisleAfter: [], zone: "Z", band: 2 },
        { name: "B", rows: 1, seatsPerRow: 2, aisleAfter: [], zone: "Z" },
        { name: "C", rows: 1, seatsPerRow: 2, aisleAfter: [], zone: "Z" },
      ],
    };
    expect(venuePlan(spec).map((b) => [b.name, b.band, b.y])).toEqual([
      ["A", 2, 0],
      ["B", 3, 1],
      ["C", 4, 2],
    ]);
  });

  it("never lets two sections overlap, in the demo arena", () => {
    const boxes = venuePlan(arena);
    expect(boxes).toHaveLength(40);
    for (const a of boxes)
      for (const b of boxes) {
        if (a === b) continue;
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${a.name} and ${b.name}`).toBe(true);
      }
    expect(boxes.reduce((n, b) => n + b.seats, 0)).toBe(20_000);
  });

  it("sells a big venue of several sections a section at a time, and a small one whole", () => {
    expect(soldBySection(arena)).toBe(true);
    expect(soldBySection(DEMO_LAYOUTS.theatre)).toBe(false);
    // One block of 20,000 cannot be split: it is drawn whole.
    expect(soldBySection({ kind: "THEATRE", rows: 100, seatsPerRow: 200, aisleAfter: [] })).toBe(false);
    const small: LayoutSpec = {
      kind: "THEATRE",
      sections: [
        { name: "Stalls", rows: 20, seatsPerRow: 50, aisleAfter: [], zone: "A" },
        { name: "Circle", rows: 20, seatsPerRow: 50, aisleAfter: [], zone: "A" },
      ],
    };
    expect(seatCount(small)).toBe(SECTION_VIEW_FROM_SEATS);
    expect(soldBySection(small)).toBe(false);
  });

  it("refuses a band that is not a whole number from 0 to 99, and takes a blank one as none", () => {
    const one = (band: unknown) =>
      errorsOf({ kind: "THEATRE", sections: [{ name: "S", rows: 1, seatsPerRow: 2, aisleAfter: [], zone: "Z", band }] });
    expect(one(-1)).toEqual(["Band must be between 0 and 99"]);
    expect(one(1.5)).toEqual(["Band must be a whole number"]);
    expect(one("")).toEqual([]);
    expect(one("  ")).toEqual([]);
    expect(one("2")).toEqual([]);
  });
});
