import { sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cancelBookingSeats, moveBookingSeats } from "~/domain/booking-changes.server";
import { cancelBooking, confirmBooking, releaseHold } from "~/domain/bookings.server";
import { DomainError } from "~/domain/errors";
import { placeHold } from "~/domain/holds.server";
import { TEST_CARDS } from "~/domain/payments";
import { type BookingSettings, DEFAULT_BOOKING_SETTINGS } from "~/domain/settings";
import type { Actor } from "~/domain/show-admin.server";
import { sweepExpiredHolds } from "~/domain/sweeper.server";
import { makeShow, makeUsers, NOW, seatIdsByLabel } from "../support/factories";
import { useTestDatabase } from "../support/test-database";

/**
 * A small in-memory model of the booking rules. Random sequences of hold / pay / release /
 * cancel / the venue's cancel of some seats / the venue's move of a seat / clock advance / sweep
 * run against both the model and the real database; after every
 * step the database must agree with the model: the same outcome, every seat's state and holder,
 * every booking's status.
 */
const t = useTestDatabase();
const SETTINGS: BookingSettings = {
  ...DEFAULT_BOOKING_SETTINGS,
  maxSeatsPerHold: 4,
  holdTtlSeconds: 60,
  holdStrategy: "cas",
  casAttempts: 3,
  maxHeldSeatsPerAddress: 0,
};
const LABELS = ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"];
/** The venue's operator, for its changes to paid bookings. */
const VENUE: Actor = { id: "", role: "ADMIN", name: "Venue", email: "venue@example.com" };
const USERS = 3;

type SeatModel = { status: "AVAILABLE" | "PENDING" | "BOOKED"; booking: number | null; expiresAt: number | null };
type BookingModel = {
  user: number;
  status: string;
  expiresAt: number;
  labels: string[];
  keys: Map<string, { answer: "ok" | "declined"; card: string }>;
};
type Outcome = "ok" | string; // "ok" or the DomainError code

class Model {
  now = NOW.getTime();
  seats = new Map<string, SeatModel>(LABELS.map((l) => [l, { status: "AVAILABLE", booking: null, expiresAt: null }]));
  bookings: BookingModel[] = [];

  private free(s: SeatModel) {
    return s.status === "AVAILABLE" || (s.status === "PENDING" && s.expiresAt! <= this.now);
  }
  private live(b: BookingModel) {
    return b.status === "HELD" && b.expiresAt > this.now;
  }

  hold(user: number, labels: string[]): Outcome {
    // The same seats asked for again by their holder: their live hold is the answer (nothing new).
    const own = this.bookings.find(
      (b) => b.user === user && this.live(b) && b.labels.length === labels.length && labels.every((l) => b.labels.includes(l)),
    );
    if (own) return "ok";
    if (labels.some((l) => !this.free(this.seats.get(l)!))) return "SEATS_UNAVAILABLE";
    const held = this.bookings.filter((b) => b.user === user && this.live(b)).reduce((n, b) => n + b.labels.length, 0);
    if (held + labels.length > SETTINGS.maxSeatsPerHold) return "CONFLICT";
    const expiresAt = this.now + SETTINGS.holdTtlSeconds * 1000;
    this.bookings.push({ user, status: "HELD", expiresAt, labels, keys: new Map() });
    for (const l of labels) this.seats.set(l, { status: "PENDING", booking: this.bookings.length - 1, expiresAt });
    return "ok";
  }

  pay(index: number, key: string, card: string): Outcome {
    const b = this.bookings[index];
    const earlier = b.keys.get(key);
    // A key answers the same to the same card, and is a mismatch with another.
    if (earlier) return earlier.card !== card ? "IDEMPOTENCY_MISMATCH" : earlier.answer === "ok" ? "ok" : "PAYMENT_DECLINED";
    if (b.status === "CONFIRMED" || b.status === "CANCELLED" || b.status === "RELEASED") return "CONFLICT";
    if (b.status === "EXPIRED" || b.expiresAt <= this.now) return "HOLD_EXPIRED";
    if (card === TEST_CARDS.decline) {
      b.keys.set(key, { answer: "declined", card });
      return "PAYMENT_DECLINED";
    }
    b.keys.set(key, { answer: "ok", card });
    b.status = "CONFIRMED";
    for (const l of b.labels) this.seats.set(l, { status: "BOOKED", booking: index, expiresAt: null });
    return "ok";
  }

  release(index: number): Outcome {
    const b = this.bookings[index];
    if (b.status === "RELEASED" || b.status === "EXPIRED") return "ok";
    if (b.status !== "HELD") return "CONFLICT";
    this.freeSeatsOf(index, "PENDING");
    b.status = b.expiresAt <= this.now ? "EXPIRED" : "RELEASED";
    return "ok";
  }

  cancel(index: number): Outcome {
    const b = this.bookings[index];
    if (b.status === "CANCELLED") return "ok";
    if (b.status !== "CONFIRMED") return "CONFLICT";
    this.freeSeatsOf(index, "BOOKED");
    b.status = "CANCELLED";
    return "ok";
  }

  /** The venue cancels some of a paid booking's seats (all of them: the booking is cancelled). */
  venueCancel(index: number, labels: string[]): Outcome {
    const b = this.bookings[index];
    if (b.status !== "CONFIRMED") return "CONFLICT";
    for (const l of labels) this.seats.set(l, { status: "AVAILABLE", booking: null, expiresAt: null });
    if (labels.length === b.labels.length) b.status = "CANCELLED";
    else b.labels = b.labels.filter((l) => !labels.includes(l));
    return "ok";
  }

  /** The venue moves one seat of a paid booking to another. */
  move(index: number, from: string, to: string): Outcome {
    const b = this.bookings[index];
    if (b.status !== "CONFIRMED") return "CONFLICT";
    if (!this.free(this.seats.get(to)!)) return "SEATS_UNAVAILABLE";
    this.seats.set(from, { status: "AVAILABLE", booking: null, expiresAt: null });
    this.seats.set(to, { status: "BOOKED", booking: index, expiresAt: null });
    b.labels = b.labels.map((l) => (l === from ? to : l));
    return "ok";
  }

  sweep() {
    for (const [l, s] of this.seats) {
      if (s.status === "PENDING" && s.expiresAt! <= this.now) this.seats.set(l, { status: "AVAILABLE", booking: null, expiresAt: null });
    }
    for (const b of this.bookings) if (b.status === "HELD" && b.expiresAt <= this.now) b.status = "EXPIRED";
  }

  private freeSeatsOf(index: number, status: SeatModel["status"]) {
    for (const [l, s] of this.seats) {
      if (s.booking === index && s.status === status) this.seats.set(l, { status: "AVAILABLE", booking: null, expiresAt: null });
    }
  }
}

type Op =
  | { kind: "hold"; user: number; labels: string[] }
  | { kind: "pay"; booking: number; key: number; decline: boolean }
  | { kind: "release"; booking: number }
  | { kind: "cancel"; booking: number }
  | { kind: "venueCancel"; booking: number; all: boolean; pick: number }
  | { kind: "move"; booking: number; pick: number; to: string }
  | { kind: "advance"; seconds: number }
  | { kind: "sweep" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("hold" as const),
      user: fc.nat({ max: USERS - 1 }),
      labels: fc.uniqueArray(fc.constantFrom(...LABELS), { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 3,
    // Declined one time in four: most holds get paid, so the venue's changes have paid bookings to work on.
    arbitrary: fc.record({
      kind: fc.constant("pay" as const),
      booking: fc.nat(),
      key: fc.nat({ max: 2 }),
      decline: fc.nat({ max: 3 }).map((n) => n === 0),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("release" as const), booking: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), booking: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("venueCancel" as const), booking: fc.nat(), all: fc.boolean(), pick: fc.nat() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("move" as const), booking: fc.nat(), pick: fc.nat(), to: fc.constantFrom(...LABELS) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const), // Often exactly at the hold length, where "ended" and "still live" meet.
      seconds: fc.oneof(fc.constantFrom(59, 60, 61), fc.integer({ min: 1, max: 90 })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("sweep" as const) }) },
);

async function outcomeOf(work: () => Promise<unknown>): Promise<Outcome> {
  try {
    await work();
    return "ok";
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe("the database agrees with a model of the booking rules", () => {
  it("after every step of random hold / pay / release / cancel / venue cancel / move / clock / sweep sequences", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 30 }), async (ops) => {
        const model = new Model();
        const users = await makeUsers(t.db, USERS);
        if (!VENUE.id) {
          const [id] = await makeUsers(t.db, 1);
          await t.db.execute(sql`update users set role = 'ADMIN' where id = ${id}`);
          VENUE.id = id;
        }
        const show = await makeShow(t.db, { layout: { kind: "THEATRE", rows: 2, seatsPerRow: 4, aisleAfter: [] } });
        const ids = await seatIdsByLabel(t.db, show.id);
        const bookingIds: string[] = [];
        let run = 0;
        for (const op of ops) {
          const now = () => new Date(model.now);
          let expected: Outcome = "ok";
          let actual: Outcome = "ok";
          if (op.kind === "hold") {
            actual = await outcomeOf(async () => {
              const r = await placeHold(
                t.db,
                { userId: users[op.user], showId: show.id, seatIds: op.labels.map((l) => ids[l]) },
                now(),
                SETTINGS,
              );
              if (r.path !== "existing") bookingIds.push(r.booking.id);
            });
            expected = model.hold(op.user, op.labels);
          } else if (op.kind === "pay" || op.kind === "release" || op.kind === "cancel") {
            if (bookingIds.length === 0) continue;
            const index = op.booking % bookingIds.length;
            const input = { userId: users[model.bookings[index].user], bookingId: bookingIds[index] };
            if (op.kind === "pay") {
              const key = `model-key-${index}-${op.key}`;
              const card = op.decline ? TEST_CARDS.decline : TEST_CARDS.approve;
              actual = await outcomeOf(() => confirmBooking(t.db, { ...input, idempotencyKey: key, card }, now()));
              expected = model.pay(index, key, card);
            } else if (op.kind === "release") {
              actual = await outcomeOf(() => releaseHold(t.db, input, now()));
              expected = model.release(index);
            } else {
              actual = await outcomeOf(() => cancelBooking(t.db, input, now()));
              expected = model.cancel(index);
            }
          } else if (op.kind === "venueCancel" || op.kind === "move") {
            if (bookingIds.length === 0) continue;
            const index = op.booking % bookingIds.length;
            const mine = model.bookings[index].labels;
            const picked = op.kind === "venueCancel" && op.all ? mine : [mine[op.pick % mine.length]];
            const request = { bookingId: bookingIds[index], seatIds: picked.map((l) => ids[l]), requestKey: `model-change-${run}` };
            if (op.kind === "venueCancel") {
              actual = await outcomeOf(() => cancelBookingSeats(t.db, VENUE, request, now()));
              expected = model.venueCancel(index, picked);
            } else {
              actual = await outcomeOf(() => moveBookingSeats(t.db, VENUE, { ...request, toSeatIds: [ids[op.to]] }, now()));
              expected = model.move(index, picked[0], op.to);
            }
          } else if (op.kind === "advance") {
            model.now += op.seconds * 1000;
          } else {
            await sweepExpiredHolds(t.db, now());
            model.sweep();
          }
          expect(actual, `${JSON.stringify(op)} at step ${run}`).toBe(expected);
          run++;

          const seatRows = await t.db.execute<{ label: string; status: string; booking_id: string | null; holder_id: string | null }>(
            sql`select label, status, booking_id, holder_id from seats where show_id = ${show.id} order by label`,
          );
          for (const row of seatRows) {
            const m = model.seats.get(row.label)!;
            expect({ label: row.label, status: row.status, booking: row.booking_id }).toEqual({
              label: row.label,
              status: m.status,
              booking: m.booking === null ? null : bookingIds[m.booking],
            });
            expect(row.holder_id).toBe(m.booking === null ? null : users[model.bookings[m.booking].user]);
          }
          if (bookingIds.length) {
            const rows = await t.db.execute<{ id: string; status: string }>(
              sql`select id, status from bookings where show_id = ${show.id}`,
            );
            const byId = new Map(rows.map((r) => [r.id, r.status]));
            expect(bookingIds.map((id) => byId.get(id))).toEqual(model.bookings.map((b) => b.status));
          }
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
