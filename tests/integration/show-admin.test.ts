import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { setUserRole } from "~/domain/accounts.server";
import { cancelBooking, confirmBooking, getBookingForUser, releaseHold } from "~/domain/bookings.server";
import { getDashboard, getShowForAdmin } from "~/domain/dashboard.server";
import { Conflict, Forbidden, SeatsUnavailable } from "~/domain/errors";
import { placeHold } from "~/domain/holds.server";
import { TEST_CARDS } from "~/domain/payments";
import { DEFAULT_BOOKING_SETTINGS } from "~/domain/settings";
import { type Actor, cancelShow, deleteShow, editShow, releaseHoldsOnSeats, resetShow, setSeatsBlocked } from "~/domain/show-admin.server";
import { sweepExpiredHolds } from "~/domain/sweeper.server";
import { inconsistentSeats, makeShow, makeUsers, NOW, seatIdsByLabel, seatRows, seatsInTwoLiveBookings } from "../support/factories";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase({ max: 40 });
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

async function admin(): Promise<Actor> {
  const [id] = await makeUsers(t.db, 1);
  await t.db.execute(sql`update users set role = 'ADMIN' where id = ${id}`);
  return { id, role: "ADMIN", name: "Ada Admin", email: `${id}@example.com` };
}
const buyer = (id: string): Actor => ({ id, role: "USER", name: "Buyer", email: `${id}@example.com` });
const pay = (userId: string, bookingId: string, key: string, at = NOW) =>
  confirmBooking(t.db, { userId, bookingId, idempotencyKey: key, card: TEST_CARDS.approve }, at);

/** A BLOCKED seat listed in a live booking: must never exist. */
async function blockedButSold(showId: string) {
  return t.db.execute(sql`
    select s.id from seats s join booking_seats bs on bs.seat_id = s.id join bookings b on b.id = bs.booking_id
    where s.show_id = ${showId} and s.status = 'BLOCKED'
      and (b.status = 'CONFIRMED' or (b.status = 'HELD' and b.expires_at > ${NOW.toISOString()}::timestamptz))`);
}

describe("blocking seats", () => {
  it("takes free seats off sale (holds then refuse them by name) and puts them back", async () => {
    const ada = await admin();
    const [dana] = await makeUsers(t.db, 1);
    const show = await makeShow(t.db);
    const { A1, A2, A3 } = await seatIdsByLabel(t.db, show.id);
    expect(await setSeatsBlocked(t.db, ada, { showId: show.id, seatIds: [A1, A2], blocked: true }, NOW)).toEqual({ changed: 2 });
    const refused = await placeHold(t.db, { userId: dana, showId: show.id, seatIds: [A2, A3] }, NOW).catch((e) => e);
    expect(refused).toBeInstanceOf(Conflict);
    expect(refused.message).toBe("A2 is not for sale");
    await setSeatsBlocked(t.db, ada, { showId: show.id, seatIds: [A2], blocked: false }, NOW);
    await expect(placeHold(t.db, { userId: dana, showId: show.id, seatIds: [A2, A3] }, NOW)).resolves.toBeTruthy();
    expect((await seatRows(t.db, show.id)).map((r) => [r.label, r.status]).slice(0, 3)).toEqual([
      ["A1", "BLOCKED"],
      ["A2", "PENDING"],
      ["A3", "PENDING"],
    ]);
  });

  it("refuses to block a held or sold seat, naming it, and blocks nothing", async () => {
    const ada = await admin();
    const [dana] = await makeUsers(t.db, 1);
    const show = await makeShow(t.db);
    const { A1, A2 } = await seatIdsByLabel(t.db, show.id);
    await placeHold(t.db, { userId: dana, showId: show.id, seatIds: [A1] }, NOW);
    const error = await setSeatsBlocked(t.db, ada, { showId: show.id, seatIds: [A1, A2], blocked: true }, NOW).catch((e) => e);
    expect(error).toBeInstanceOf(Conflict);
    expect(error.message).toBe("A1 is held or sold: release it first");
    expect((await seatRows(t.db, show.id)).find((r) => r.label === "A2")?.status).toBe("AVAILABLE");
  });

  it("never leaves a seat both BLOCKED and held or sold while buyers race for it", async () => {
    const ada = await admin();
    const users = await makeUsers(t.db, 30);
    const show = await makeShow(t.db, { layout: { kind: "THEATRE", rows: 1, seatsPerRow: 4, aisleAfter: [] } });
    const ids = Object.values(await seatIdsByLabel(t.db, show.id));
    for (let round = 0; round < 5; round++) {
      const holds = users.map((u) => placeHold(t.db, { userId: u, showId: show.id, seatIds: [ids[round % 4]] }, later(round * 1000)));
      const block = setSeatsBlocked(t.db, ada, { showId: show.id, seatIds: [ids[round % 4]], blocked: true }, later(round * 1000));
      const [blocked, ...held] = await Promise.allSettled([block, ...holds]);
      const winners = held.filter((r) => r.status === "fulfilled");
      // Either the block won (no hold) or one hold won (the block was refused): never both.
      expect(blocked.status === "fulfilled" ? winners.length : 1).toBe(blocked.status === "fulfilled" ? 0 : winners.length);
      for (const r of held) if (r.status === "rejected") expect([SeatsUnavailable, Conflict].some((c) => r.reason instanceof c)).toBe(true);
      expect(await blockedButSold(show.id)).toHaveLength(0);
      expect(await inconsistentSeats(t.db)).toHaveLength(0);
    }
  });

  it("refuses a buyer, and changes nothing", async () => {
    const [dana] = await makeUsers(t.db, 1);
    const show = await makeShow(t.db);
    const { A1 } = await seatIdsByLabel(t.db, show.id);
    await expect(setSeatsBlocked(t.db, buyer(dana), { showId: show.id, seatIds: [A1], blocked: true }, NOW)).rejects.toBeInstanceOf(
      Forbidden,
    );
    await expect(resetShow(t.db, buyer(dana), show.id, NOW)).rejects.toBeInstanceOf(Forbidden);
    await expect(cancelShow(t.db, buyer(dana), show.id, NOW)).rejects.toBeInstanceOf(Forbidden);
    await expect(deleteShow(t.db, buyer(dana), show.id, NOW)).rejects.toBeInstanceOf(Forbidden);
    await expect(getDashboard(t.db, buyer(dana), NOW)).rejects.toBeInstanceOf(Forbidden);
    expect((await seatRows(t.db, show.id)).every((r) => r.status === "AVAILABLE")).toBe(true);
  });
});

describe("releasing, resetting, cancelling, deleting, editing", () => {
  it("releases a buyer's hold from the admin page, paid seats untouched", async () => {
    const ada = await admin();
    const [dana, eve] = await makeUsers(t.db, 2);
    const show = await makeShow(t.db);
    const { A1, A2, B1 } = await seatIdsByLabel(t.db, show.id);
    const hold = await placeHold(t.db, { userId: dana, showId: show.id, seatIds: [A1, A2] }, NOW);
    const sold = await placeHold(t.db, { userId: eve, showId: show.id, seatIds: [B1] }, NOW);
    await pay(eve, sold.booking.id, "key-admin-rel1");
    expect(await releaseHoldsOnSeats(t.db, ada, { showId: show.id, seatIds: [A1, B1] }, NOW)).toEqual({ bookings: 1, seats: 2 });
    const rows = await seatRows(t.db, show.id);
    expect(rows.find((r) => r.label === "A2")?.status).toBe("AVAILABLE");
    expect(rows.find((r) => r.label === "B1")?.status).toBe("BOOKED");
    expect((await releaseHold(t.db, { userId: dana, bookingId: hold.booking.id }, NOW)).status).toBe("RELEASED");
  });

  it("resets every hold and sale to AVAILABLE with refunds, keeping blocks; consistent while holds and payments run", async () => {
    const ada = await admin();
    const users = await makeUsers(t.db, 40);
    const show = await makeShow(t.db, { layout: { kind: "THEATRE", rows: 4, seatsPerRow: 10, aisleAfter: [] } });
    const ids = Object.values(await seatIdsByLabel(t.db, show.id)).sort((a, b) => a - b);
    await setSeatsBlocked(t.db, ada, { showId: show.id, seatIds: [ids[39]], blocked: true }, NOW);
    const first = await Promise.all(
      users.slice(0, 10).map((u, i) => placeHold(t.db, { userId: u, showId: show.id, seatIds: [ids[i]] }, NOW)),
    );
    await Promise.all(first.slice(0, 5).map((h, i) => pay(users[i], h.booking.id, `key-reset-${i}xx`)));
    // A reset in the middle of more holds and payments.
    const racing = [
      ...users.slice(10, 30).map((u, i) => placeHold(t.db, { userId: u, showId: show.id, seatIds: [ids[10 + i]] }, NOW)),
      ...first.slice(5, 10).map((h, i) => pay(users[5 + i], h.booking.id, `key-reset-${5 + i}xx`)),
    ];
    const reset = resetShow(t.db, ada, show.id, NOW);
    await Promise.allSettled([reset, ...racing]);
    await expect(reset).resolves.toMatchObject({ seats: expect.any(Number) });
    expect(await inconsistentSeats(t.db)).toHaveLength(0);
    expect(await seatsInTwoLiveBookings(t.db, NOW)).toHaveLength(0);
    expect((await seatRows(t.db, show.id)).find((r) => r.id === ids[39])?.status).toBe("BLOCKED");
    // Every booking the reset saw is over; every payment it saw refunded.
    const [{ refunded, succeeded }] = await t.db.execute<{ refunded: number; succeeded: number }>(sql`
      select count(*) filter (where p.status = 'REFUNDED')::int as refunded, count(*) filter (where p.status = 'SUCCEEDED')::int as succeeded
      from payments p join bookings b on b.id = p.booking_id where b.show_id = ${show.id}`);
    expect(refunded).toBeGreaterThanOrEqual(5);
    const [{ n }] = await t.db.execute<{ n: number }>(sql`
      select count(*)::int as n from bookings b where b.show_id = ${show.id} and b.status = 'CONFIRMED'
        and not exists (select 1 from seats s where s.booking_id = b.id and s.status = 'BOOKED')`);
    expect(n).toBe(0);
    expect(succeeded).toBeGreaterThanOrEqual(0);
  });

  it("cancels a show: sales refunded, holds released, seats freed, no new holds", async () => {
    const ada = await admin();
    const [dana, eve] = await makeUsers(t.db, 2);
    const show = await makeShow(t.db);
    const { A1, A2 } = await seatIdsByLabel(t.db, show.id);
    const sold = await placeHold(t.db, { userId: dana, showId: show.id, seatIds: [A1] }, NOW);
    await pay(dana, sold.booking.id, "key-cancel-show1");
    await placeHold(t.db, { userId: eve, showId: show.id, seatIds: [A2] }, NOW);
    expect(await cancelShow(t.db, ada, show.id, NOW)).toEqual({ seats: 2, holds: 1, bookings: 1, refundedCents: 1000 });
    await expect(placeHold(t.db, { userId: eve, showId: show.id, seatIds: [A1] }, NOW)).rejects.toThrow("This show was cancelled");
    await expect(cancelBooking(t.db, { userId: dana, bookingId: sold.booking.id }, NOW)).resolves.toMatchObject({ status: "CANCELLED" });
  });

  it("deletes a show nobody booked, and refuses one with bookings", async () => {
    const ada = await admin();
    const [dana] = await makeUsers(t.db, 1);
    const empty = await makeShow(t.db);
    await deleteShow(t.db, ada, empty.id, NOW);
    expect(await t.db.execute(sql`select 1 from shows where id = ${empty.id}`)).toHaveLength(0);
    const show = await makeShow(t.db);
    const { A1 } = await seatIdsByLabel(t.db, show.id);
    await placeHold(t.db, { userId: dana, showId: show.id, seatIds: [A1] }, NOW);
    await expect(deleteShow(t.db, ada, show.id, NOW)).rejects.toThrow("This show has 1 booking (held, paid or ended): cancel it instead");
  });

  it("edits name, time and prices while nothing is sold, moving every seat's start", async () => {
    const ada = await admin();
    const [dana] = await makeUsers(t.db, 1);
    const show = await makeShow(t.db);
    const moved = new Date(show.startsAt.getTime() + 3_600_000);
    await editShow(
      t.db,
      ada,
      show.id,
      {
        name: "Renamed",
        description: "Now with an interval.",
        venue: "New Hall",
        city: "Newtown",
        startsAt: moved.toISOString(),
        priceZones: [{ name: "Standard", price: "12.50" }],
      },
      NOW,
    );
    const [row] = await t.db.execute<{ name: string; price_cents: number; starts_at: string; description: string }>(
      sql`select name, price_cents, starts_at, description from shows where id = ${show.id}`,
    );
    expect(row).toMatchObject({ name: "Renamed", price_cents: 1250, description: "Now with an interval." });
    const [{ first }] = await t.db.execute<{ first: string }>(sql`select min(starts_at) as first from seats where show_id = ${show.id}`);
    expect(new Date(first).getTime()).toBe(moved.getTime());
    const { A1 } = await seatIdsByLabel(t.db, show.id);
    const hold = await placeHold(t.db, { userId: dana, showId: show.id, seatIds: [A1] }, NOW);
    expect(hold.booking.amountCents).toBe(1250);
  });

  it("changes a sold show: a new time moves every seat and tells each paid booking (booking.rescheduled); a new price prices only what is held from now on", async () => {
    const ada = await admin();
    const [dana, eve] = await makeUsers(t.db, 2);
    const show = await makeShow(t.db);
    const { A1, A2, B1 } = await seatIdsByLabel(t.db, show.id);
    const sold = await placeHold(t.db, { userId: dana, showId: show.id, seatIds: [A1, A2] }, NOW);
    await pay(dana, sold.booking.id, "key-edit-0001", NOW);
    const held = await placeHold(t.db, { userId: eve, showId: show.id, seatIds: [B1] }, NOW);
    const moved = new Date(show.startsAt.getTime() + 30 * 60_000);
    const out = await editShow(
      t.db,
      ada,
      show.id,
      {
        name: show.name,
        venue: "Test Hall",
        city: "Testville",
        startsAt: moved.toISOString(),
        priceZones: [{ name: "Standard", price: "20" }],
      },
      later(10),
    );
    expect(out.told).toBe(1);
    const view = await getBookingForUser(t.db, dana, sold.booking.id, later(11));
    expect(view.startsAt.getTime()).toBe(moved.getTime());
    expect(view.amountCents).toBe(2000); // what was paid: 2 × £10, not the new £20
    const [event] = await t.db.execute<{ name: string; payload: Record<string, unknown> }>(
      sql`select name, payload from outbox where name = 'booking.rescheduled' and payload->>'bookingId' = ${sold.booking.id}`,
    );
    expect(event.payload).toMatchObject({ seatLabels: ["A1", "A2"], by: "admin", to: expect.any(String) });
    expect(new Date(event.payload.to as string).getTime()).toBe(moved.getTime());
    // The hold keeps its price; a new hold pays the new one.
    expect((await getBookingForUser(t.db, eve, held.booking.id, later(11))).amountCents).toBe(1000);
    const { B2 } = await seatIdsByLabel(t.db, show.id);
    expect((await placeHold(t.db, { userId: eve, showId: show.id, seatIds: [B2] }, later(12))).booking.amountCents).toBe(2000);
    // Once started, its time can no longer change; a cancelled show cannot change at all.
    await expect(
      editShow(
        t.db,
        ada,
        show.id,
        { name: "X", venue: "V", city: "C", startsAt: new Date(moved.getTime() + 3_600_000).toISOString() },
        new Date(moved.getTime() + 1),
      ),
    ).rejects.toThrow(/started/);
    await cancelShow(t.db, ada, show.id, later(20));
    await expect(
      editShow(t.db, ada, show.id, { name: "X", venue: "V", city: "C", startsAt: moved.toISOString() }, later(30)),
    ).rejects.toThrow(/cancelled/);
  });
});

describe("the audit trail", () => {
  it("answers who had a seat when: holds, payments, releases, expiries, blocks and resets, newest first", async () => {
    const ada = await admin();
    const [dana, eve] = await makeUsers(t.db, 2);
    const show = await makeShow(t.db);
    const { B1: F1 } = await seatIdsByLabel(t.db, show.id);
    const first = await placeHold(t.db, { userId: dana, showId: show.id, seatIds: [F1] }, NOW);
    await sweepExpiredHolds(t.db, later(DEFAULT_BOOKING_SETTINGS.holdTtlSeconds + 1));
    const second = await placeHold(t.db, { userId: eve, showId: show.id, seatIds: [F1] }, later(400));
    await pay(eve, second.booking.id, "key-audit-0001", later(401));
    await resetShow(t.db, ada, show.id, later(402));
    await setSeatsBlocked(t.db, ada, { showId: show.id, seatIds: [F1], blocked: true }, later(403));
    const view = await getShowForAdmin(t.db, ada, show.id, { now: later(404), seat: "B1" });
    // The reset cancelled Eve's paid booking: that is in the seat's history too, by the admin.
    expect(view.audit.map((a) => a.action)).toEqual(["block", "cancel", "pay", "hold", "expire", "hold"]);
    expect(view.audit[1]).toMatchObject({
      actor: "Ada Admin",
      reference: second.booking.reference,
      seats: ["B1"],
      details: { because: "reset" },
    });
    expect(view.audit.find((a) => a.action === "expire")).toMatchObject({ actor: null, reference: first.booking.reference, seats: ["B1"] });
    expect(view.audit.find((a) => a.action === "pay")).toMatchObject({ reference: second.booking.reference });
    const all = await getShowForAdmin(t.db, ada, show.id, { now: later(404) });
    expect(all.audit.find((a) => a.action === "reset")).toMatchObject({ actor: "Ada Admin" });
    expect(
      all.audit
        .slice(1, 3)
        .map((a) => a.action)
        .sort(),
    ).toEqual(["cancel", "reset"]);
  });
});

describe("admin roles", () => {
  it("promotes and demotes, never the last admin, even when two admins demote each other at once", async () => {
    const ada = await admin();
    const bob = await admin();
    // Every other admin from earlier tests is demoted first, so these two are the last.
    await t.db.execute(sql`update users set role = 'USER' where role = 'ADMIN' and id not in (${ada.id}, ${bob.id})`);
    const results = await Promise.allSettled([
      setUserRole(t.db, ada, { userId: bob.id, role: "USER" }, NOW),
      setUserRole(t.db, bob, { userId: ada.id, role: "USER" }, NOW),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from users where role = 'ADMIN'`);
    expect(n).toBe(1);
    const [dana] = await makeUsers(t.db, 1);
    await expect(setUserRole(t.db, buyer(dana), { userId: dana, role: "ADMIN" }, NOW)).rejects.toBeInstanceOf(Forbidden);
  });
});
