import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { connectDatabase } from "~/db/client.server";
import { cancelBookingSeats } from "~/domain/booking-changes.server";
import { confirmBooking } from "~/domain/bookings.server";
import { checkIn, checkInCounts, ticketAtTheDoor } from "~/domain/check-in.server";
import { Forbidden, ValidationFailed } from "~/domain/errors";
import { placeHold } from "~/domain/holds.server";
import { TEST_CARDS } from "~/domain/payments";
import type { Actor } from "~/domain/show-admin.server";
import { makeShow, makeUsers, NOW, seatIdsByLabel } from "../support/factories";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase({ max: 12 });
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

async function staff(role: "DOOR" | "ADMIN" | "USER" = "DOOR"): Promise<Actor> {
  const [id] = await makeUsers(t.db, 1);
  await t.db.execute(sql`update users set role = ${role} where id = ${id}`);
  return { id, role, name: `Dora ${role}`, email: `${id}@example.com` };
}

async function paid(labels: string[]) {
  const [buyer] = await makeUsers(t.db, 1);
  const show = await makeShow(t.db);
  const ids = await seatIdsByLabel(t.db, show.id);
  const { booking } = await placeHold(t.db, { userId: buyer, showId: show.id, seatIds: labels.map((l) => ids[l]) }, NOW);
  await confirmBooking(
    t.db,
    { userId: buyer, bookingId: booking.id, idempotencyKey: `k-${randomUUID()}`, card: TEST_CARDS.approve },
    later(1),
  );
  return { buyer, show, ids, booking };
}

describe("checking a ticket in at the door", () => {
  it("lets one person in per scan until every seat is in, then says when, where and by whom", async () => {
    const dora = await staff();
    const { show, booking } = await paid(["A1", "A2"]);
    const scan = (door: string, at: number) =>
      checkIn(t.db, dora, { showId: show.id, reference: booking.reference.toLowerCase(), door }, later(at));
    expect(await scan("North", 10)).toMatchObject({ verdict: "valid", seat: "A1", inCount: 1, total: 2, seats: ["A1", "A2"] });
    expect(await checkInCounts(t.db, show.id)).toEqual({ checkedIn: 1, expected: 2 });
    expect(await scan("South", 20)).toMatchObject({ verdict: "valid", seat: "A2", inCount: 2, total: 2 });
    const again = await scan("South", 30);
    expect(again).toMatchObject({ verdict: "already", inCount: 2, total: 2, earlier: { door: "South", by: "Dora DOOR" } });
    expect(again.earlier?.at).toEqual(later(20));
    // A seat asked for by its label: A1 came in at the North door.
    expect(await checkIn(t.db, dora, { showId: show.id, reference: booking.reference, seat: "a1" }, later(40))).toMatchObject({
      verdict: "already",
      seat: "A1",
      earlier: { door: "North" },
    });
  });

  it("a repeat of the same scan (a reloaded page, a retry) answers the same and lets nobody else in; a lookup changes nothing", async () => {
    const dora = await staff();
    const { show, booking } = await paid(["A1", "A2"]);
    const scan = { showId: show.id, reference: booking.reference, door: "North", scanKey: "scan-000001" };
    expect(await ticketAtTheDoor(t.db, dora, { showId: show.id, reference: booking.reference }, later(5))).toMatchObject({
      verdict: "ready",
      seat: "A1",
      inCount: 0,
    });
    expect(await checkIn(t.db, dora, scan, later(10))).toMatchObject({ verdict: "valid", seat: "A1", inCount: 1 });
    expect(await checkIn(t.db, dora, scan, later(20))).toMatchObject({
      verdict: "valid",
      seat: "A1",
      inCount: 1,
      earlier: { at: later(10) },
    });
    expect(await ticketAtTheDoor(t.db, dora, scan, later(30))).toMatchObject({ verdict: "valid", seat: "A1" });
    expect(await checkInCounts(t.db, show.id)).toEqual({ checkedIn: 1, expected: 2 });
  });

  it("refuses another show's ticket, a cancelled (refunded) one, a hold never paid and an unknown reference, each saying so", async () => {
    const dora = await staff("ADMIN");
    const { show, ids, booking } = await paid(["A1"]);
    const elsewhere = await makeShow(t.db);
    expect(await checkIn(t.db, dora, { showId: elsewhere.id, reference: booking.reference }, later(10))).toMatchObject({
      verdict: "other_show",
      otherShow: { id: show.id, name: show.name },
    });
    expect(await checkIn(t.db, dora, { showId: show.id, reference: "ZZZZZZZZZZ" }, later(10))).toMatchObject({ verdict: "unknown" });
    const [other] = await makeUsers(t.db, 1);
    const held = await placeHold(t.db, { userId: other, showId: show.id, seatIds: [ids.B1] }, later(5));
    expect(await checkIn(t.db, dora, { showId: show.id, reference: held.booking.reference }, later(10))).toMatchObject({
      verdict: "not_paid",
    });
    await cancelBookingSeats(t.db, dora, { bookingId: booking.id, seatIds: [ids.A1], requestKey: "cancel-0001" }, later(20));
    expect(await checkIn(t.db, dora, { showId: show.id, reference: booking.reference }, later(30))).toMatchObject({ verdict: "cancelled" });
    expect(await checkInCounts(t.db, show.id)).toEqual({ checkedIn: 0, expected: 0 });
  });

  it("is for door staff and administrators only, and refuses a blank reference", async () => {
    const { show, booking } = await paid(["A1"]);
    await expect(checkIn(t.db, await staff("USER"), { showId: show.id, reference: booking.reference })).rejects.toThrow(Forbidden);
    await expect(checkIn(t.db, await staff(), { showId: show.id, reference: "  " })).rejects.toThrow(ValidationFailed);
    expect(await checkInCounts(t.db, show.id)).toEqual({ checkedIn: 0, expected: 1 });
  });

  it("the same ticket fired 20 times at once from two pools: exactly one is let in", async () => {
    const dora = await staff();
    const second = connectDatabase(t.url, { max: 10 });
    try {
      for (let round = 0; round < 3; round++) {
        const { show, booking } = await paid(["A1"]);
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            checkIn(i % 2 ? second.db : t.db, dora, { showId: show.id, reference: booking.reference, door: `Door ${i % 4}` }, later(10)),
          ),
        );
        expect(results.filter((r) => r.verdict === "valid")).toHaveLength(1);
        expect(results.filter((r) => r.verdict === "already")).toHaveLength(19);
        expect(await checkInCounts(t.db, show.id)).toEqual({ checkedIn: 1, expected: 1 });
      }
    } finally {
      await second.close();
    }
  });
});
