import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { confirmBooking } from "~/domain/bookings.server";
import { Conflict } from "~/domain/errors";
import { placeHold } from "~/domain/holds.server";
import { TEST_CARDS } from "~/domain/payments";
import { hasStarted, isSeatFree, type StoredSeatStatus, seatCode } from "~/domain/seat-state";
import { DEFAULT_BOOKING_SETTINGS } from "~/domain/settings";
import { getSeatCodes, listUpcomingShows } from "~/domain/shows.server";
import { zonedTimeToInstant } from "~/domain/time";
import { makeShow, makeUsers, seatIdsByLabel } from "../support/factories";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();
const ZONE = "Europe/London";
const DAY = "2031-03-12";
const at = (time: string) => zonedTimeToInstant(DAY, time, ZONE);

async function clinicDay() {
  return makeShow(t.db, { layout: { kind: "DOCTOR", start: "09:00", end: "17:00", everyMinutes: 15 }, startsAt: at("09:00") });
}

describe("a clinic day: each slot starts at its own time", () => {
  it("books the 16:00 slot at 10:00 though the 09:00 slot has passed, and refuses the 09:00 slot", async () => {
    const show = await clinicDay();
    const [patient] = await makeUsers(t.db, 1);
    const slots = await seatIdsByLabel(t.db, show.id);
    const tenAm = at("10:00");

    const held = await placeHold(t.db, { userId: patient, showId: show.id, seatIds: [slots["16:00"]] }, tenAm);
    expect(held.seats.map((s) => s.label)).toEqual(["16:00"]);
    const paid = await confirmBooking(
      t.db,
      { userId: patient, bookingId: held.booking.id, idempotencyKey: "key-16h-000", card: TEST_CARDS.approve },
      tenAm,
    );
    expect(paid.booking.status).toBe("CONFIRMED");

    const refused = await placeHold(t.db, { userId: patient, showId: show.id, seatIds: [slots["09:00"]] }, tenAm).catch((e) => e);
    expect(refused).toBeInstanceOf(Conflict);
    expect(refused.message).toBe("09:00 has already passed and can no longer be booked");
    // The slot at exactly 10:00 has started too; 10:15 has not.
    await expect(placeHold(t.db, { userId: patient, showId: show.id, seatIds: [slots["10:00"]] }, tenAm)).rejects.toThrow(
      "10:00 has already passed",
    );
    const next = await placeHold(t.db, { userId: patient, showId: show.id, seatIds: [slots["10:15"]] }, tenAm);
    expect(next.booking.status).toBe("HELD");
  });

  it("refuses to take payment for a slot whose time came while it was held", async () => {
    const show = await clinicDay();
    const [patient] = await makeUsers(t.db, 1);
    const slots = await seatIdsByLabel(t.db, show.id);
    const held = await placeHold(t.db, { userId: patient, showId: show.id, seatIds: [slots["10:30"]] }, at("10:28"));
    await expect(
      confirmBooking(
        t.db,
        { userId: patient, bookingId: held.booking.id, idempotencyKey: "key-late-0001", card: TEST_CARDS.approve },
        at("10:30"),
      ),
    ).rejects.toThrow("The show has started");
  });

  it("shows passed slots as past, keeps the day listed until its last slot starts", async () => {
    const show = await clinicDay();
    const codes = await getSeatCodes(t.db, show.id, null, at("10:00"));
    // 09:00 … 10:00 are past (5 slots), the other 27 are free.
    expect(codes).toBe("P".repeat(5) + "A".repeat(27));
    const listed = (await listUpcomingShows(t.db, at("10:00"))).find((s) => s.id === show.id);
    expect(listed).toMatchObject({ seatsLeft: 27, totalSeats: 32 });
    expect((await listUpcomingShows(t.db, at("16:44"))).find((s) => s.id === show.id)).toMatchObject({ seatsLeft: 1 });
    expect((await listUpcomingShows(t.db, at("16:45"))).find((s) => s.id === show.id)).toBeUndefined();
  });
});

describe("seat-state rules agree with their SQL twins", () => {
  it("gives the same code in TypeScript and in SQL for every kind of seat", async () => {
    const show = await makeShow(t.db, {
      layout: { kind: "DOCTOR", start: "09:00", end: "11:00", everyMinutes: 15 },
      startsAt: at("09:00"),
    });
    const [alice, bob] = await makeUsers(t.db, 2);
    const slots = await seatIdsByLabel(t.db, show.id);
    // Held by Alice (ends 09:35), held by Bob until well after, and one paid for.
    await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [slots["10:00"]] }, at("09:30"), {
      ...DEFAULT_BOOKING_SETTINGS,
      maxSeatsPerHold: 8,
      holdTtlSeconds: 300,
      holdStrategy: "cas",
      casAttempts: 3,
      maxHeldSeatsPerAddress: 0,
    });
    await placeHold(t.db, { userId: bob, showId: show.id, seatIds: [slots["10:15"]] }, at("09:30"));
    const paid = await placeHold(t.db, { userId: bob, showId: show.id, seatIds: [slots["10:30"]] }, at("09:30"));
    await confirmBooking(
      t.db,
      { userId: bob, bookingId: paid.booking.id, idempotencyKey: "key-twin-0001", card: TEST_CARDS.approve },
      at("09:30"),
    );

    const rows = await t.db.execute<{ status: StoredSeatStatus; expires_at: string | null; starts_at: string; holder_id: string | null }>(
      sql`select status, expires_at, starts_at, holder_id from seats where show_id = ${show.id} order by id`,
    );
    for (const now of [at("09:30"), at("09:40"), at("10:20"), at("11:00")]) {
      for (const viewer of [null, alice, bob]) {
        const inTs = rows
          .map((r) =>
            seatCode(
              {
                status: r.status,
                expiresAt: r.expires_at ? new Date(r.expires_at) : null,
                startsAt: new Date(r.starts_at),
                holderId: r.holder_id,
              },
              viewer,
              now,
            ),
          )
          .join("");
        expect(await getSeatCodes(t.db, show.id, viewer, now)).toBe(inTs);
      }
    }
    // Spot checks of the rules themselves.
    expect(isSeatFree({ status: "PENDING", expiresAt: at("09:35") }, at("09:35"))).toBe(true);
    expect(isSeatFree({ status: "PENDING", expiresAt: at("09:35") }, at("09:34"))).toBe(false);
    expect(hasStarted({ startsAt: at("10:00") }, at("10:00"))).toBe(true);
    expect(await getSeatCodes(t.db, show.id, alice, at("09:30"))).toBe("PPPAYHBA");
  });
});
