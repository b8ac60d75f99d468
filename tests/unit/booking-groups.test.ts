import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { groupBookings } from "~/domain/bookings.server";

const NOW = new Date("2030-01-01T12:00:00Z");
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const STATUSES = ["HELD", "CONFIRMED", "RELEASED", "EXPIRED", "CANCELLED"] as const;

const booking = fc.record({
  id: fc.uuid(),
  effectiveStatus: fc.constantFrom(...STATUSES),
  startsAt: fc.integer({ min: -10_000, max: 10_000 }).map(at),
  expiresAt: fc.integer({ min: -10, max: 10 }).map(at),
});

describe("My bookings' groups", () => {
  it("puts every booking in exactly one group, by the rules, each group sorted by the time it is about", () => {
    fc.assert(
      fc.property(fc.array(booking, { maxLength: 30 }), (list) => {
        const { live, upcoming, done } = groupBookings(list, NOW);
        expect([...live, ...upcoming, ...done].map((b) => b.id).sort()).toEqual(list.map((b) => b.id).sort());
        for (const b of live) expect(b.effectiveStatus === "HELD" && b.startsAt > NOW).toBe(true);
        for (const b of upcoming) expect(b.effectiveStatus === "CONFIRMED" && b.startsAt > NOW).toBe(true);
        for (const b of done) expect(b.startsAt <= NOW || !["HELD", "CONFIRMED"].includes(b.effectiveStatus)).toBe(true);
        const times = (l: typeof list, key: "startsAt" | "expiresAt") => l.map((b) => b[key].getTime());
        expect(times(live, "expiresAt")).toEqual([...times(live, "expiresAt")].sort((a, b) => a - b));
        expect(times(upcoming, "startsAt")).toEqual([...times(upcoming, "startsAt")].sort((a, b) => a - b));
        expect(times(done, "startsAt")).toEqual([...times(done, "startsAt")].sort((a, b) => b - a));
      }),
    );
  });

  it("keeps a paid ticket for a show that has started among the past, and a released hold among the done", () => {
    const { live, upcoming, done } = groupBookings(
      [
        { id: "paid-past", effectiveStatus: "CONFIRMED" as const, startsAt: at(-60), expiresAt: at(-90) },
        { id: "released", effectiveStatus: "RELEASED" as const, startsAt: at(600), expiresAt: at(1) },
        { id: "held", effectiveStatus: "HELD" as const, startsAt: at(600), expiresAt: at(3) },
        { id: "paid", effectiveStatus: "CONFIRMED" as const, startsAt: at(60), expiresAt: at(-1) },
      ],
      NOW,
    );
    expect(live.map((b) => b.id)).toEqual(["held"]);
    expect(upcoming.map((b) => b.id)).toEqual(["paid"]);
    expect(done.map((b) => b.id)).toEqual(["released", "paid-past"]);
  });
});
