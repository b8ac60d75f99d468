import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { extendHold } from "~/domain/bookings.server";
import { Conflict, HoldExpired, NotFound, SeatsUnavailable, ValidationFailed } from "~/domain/errors";
import { placeHold } from "~/domain/holds.server";
import { DEFAULT_BOOKING_SETTINGS } from "~/domain/settings";
import { getSeatCodes, listUpcomingShows } from "~/domain/shows.server";
import { sweepExpiredHolds } from "~/domain/sweeper.server";
import { inconsistentSeats, makeShow, makeUsers, NOW, seatIdsByLabel, seatRows, seatsInTwoLiveBookings } from "../support/factories";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe("placeHold", () => {
  it("holds seats all together: PENDING, one booking, versions + 1, expiry after HOLD_TTL", async () => {
    const [user] = await makeUsers(t.db, 1);
    const show = await makeShow(t.db);
    const ids = await seatIdsByLabel(t.db, show.id);
    const result = await placeHold(t.db, { userId: user, showId: show.id, seatIds: [ids.A2, ids.A1] }, NOW);
    expect(result.path).toBe("cas");
    expect(result.seats.map((s) => s.label)).toEqual(["A1", "A2"]);
    expect(result.booking).toMatchObject({ status: "HELD", seatCount: 2, amountCents: 2000, currency: "GBP" });
    expect(result.booking.expiresAt.getTime()).toBe(NOW.getTime() + DEFAULT_BOOKING_SETTINGS.holdTtlSeconds * 1000);
    expect(result.booking.reference).toMatch(/^[2-9A-HJ-NP-Z]{10}$/);
    const rows = await seatRows(t.db, show.id);
    const held = rows.filter((r) => r.status === "PENDING");
    expect(held.map((r) => r.label)).toEqual(["A1", "A2"]);
    for (const r of held) expect(r).toMatchObject({ holder_id: user, booking_id: result.booking.id, version: 1 });
    expect(rows.filter((r) => r.status === "AVAILABLE").every((r) => r.version === 0)).toBe(true);
  });

  it("fails at once naming every taken seat, and holds nothing (all or nothing)", async () => {
    const [alice, bob] = await makeUsers(t.db, 2);
    const show = await makeShow(t.db);
    const ids = await seatIdsByLabel(t.db, show.id);
    await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [ids.A1, ids.A2] }, NOW);
    const error = await placeHold(t.db, { userId: bob, showId: show.id, seatIds: [ids.A3, ids.A2, ids.A1] }, NOW).catch((e) => e);
    expect(error).toBeInstanceOf(SeatsUnavailable);
    expect(error.message).toBe("A1 and A2 were just taken — nothing was held");
    const rows = await seatRows(t.db, show.id);
    expect(rows.find((r) => r.label === "A3")).toMatchObject({ status: "AVAILABLE", version: 0 });
  });

  it("takes a seat whose hold has ended without waiting for the sweeper", async () => {
    const [alice, bob] = await makeUsers(t.db, 2);
    const show = await makeShow(t.db);
    const ids = await seatIdsByLabel(t.db, show.id);
    await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [ids.A1] }, NOW);
    const ttl = DEFAULT_BOOKING_SETTINGS.holdTtlSeconds;
    await expect(placeHold(t.db, { userId: bob, showId: show.id, seatIds: [ids.A1] }, later(ttl - 1))).rejects.toBeInstanceOf(
      SeatsUnavailable,
    );
    const held = await placeHold(t.db, { userId: bob, showId: show.id, seatIds: [ids.A1] }, later(ttl));
    expect(held.booking.userId).toBe(bob);
    expect((await seatRows(t.db, show.id)).find((r) => r.label === "A1")).toMatchObject({ holder_id: bob, version: 2 });
  });

  it("limits a user to MAX_SEATS_PER_HOLD seats of one show at a time", async () => {
    const [user] = await makeUsers(t.db, 1);
    const show = await makeShow(t.db);
    const ids = Object.values(await seatIdsByLabel(t.db, show.id)).sort((a, b) => a - b);
    const settings = { ...DEFAULT_BOOKING_SETTINGS, maxSeatsPerHold: 3 };
    await expect(placeHold(t.db, { userId: user, showId: show.id, seatIds: ids.slice(0, 4) }, NOW, settings)).rejects.toThrow(
      "You can hold at most 3 seats at a time",
    );
    await placeHold(t.db, { userId: user, showId: show.id, seatIds: ids.slice(0, 2) }, NOW, settings);
    const error = await placeHold(t.db, { userId: user, showId: show.id, seatIds: ids.slice(2, 4) }, NOW, settings).catch((e) => e);
    expect(error).toBeInstanceOf(Conflict);
    expect(error.message).toMatch(/at most 3 seats of a show at a time; you already hold 2/);
    // Once the first hold has ended, the user may hold again.
    await expect(
      placeHold(t.db, { userId: user, showId: show.id, seatIds: ids.slice(2, 5) }, later(settings.holdTtlSeconds), settings),
    ).resolves.toBeTruthy();
  });

  it("the per-user limit holds even when one user's holds race", async () => {
    const [user] = await makeUsers(t.db, 1);
    const show = await makeShow(t.db, { layout: { kind: "THEATRE", rows: 4, seatsPerRow: 10, aisleAfter: [] } });
    const ids = Object.values(await seatIdsByLabel(t.db, show.id)).sort((a, b) => a - b);
    const settings = { ...DEFAULT_BOOKING_SETTINGS, maxSeatsPerHold: 4 };
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        placeHold(t.db, { userId: user, showId: show.id, seatIds: ids.slice(i * 2, i * 2 + 2) }, NOW, settings),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    expect((await seatRows(t.db, show.id)).filter((r) => r.status === "PENDING")).toHaveLength(4);
  });

  it.each([
    [{ seatIds: [] }, "Pick at least one seat"],
    [{ seatIds: ["abc"] }, "Unknown seat"],
    [{ seatIds: [-1] }, "Unknown seat"],
  ])("rejects bad input %j with a clear message and holds nothing", async (patch, message) => {
    const [user] = await makeUsers(t.db, 1);
    const show = await makeShow(t.db);
    const error = await placeHold(t.db, { userId: user, showId: show.id, ...patch } as never, NOW).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(Object.values(error.fieldErrors)).toContain(message);
    expect((await seatRows(t.db, show.id)).every((r) => r.status === "AVAILABLE")).toBe(true);
  });

  it("rejects the same seat twice, seats of another show, unknown and started shows", async () => {
    const [user] = await makeUsers(t.db, 1);
    const show = await makeShow(t.db);
    const other = await makeShow(t.db);
    const ids = await seatIdsByLabel(t.db, show.id);
    const otherIds = await seatIdsByLabel(t.db, other.id);
    await expect(placeHold(t.db, { userId: user, showId: show.id, seatIds: [ids.A1, ids.A1] }, NOW)).rejects.toThrow(ValidationFailed);
    await expect(placeHold(t.db, { userId: user, showId: show.id, seatIds: [ids.A1, otherIds.A2] }, NOW)).rejects.toThrow(
      "Some of these seats are not part of this show",
    );
    await expect(
      placeHold(t.db, { userId: user, showId: "8d0e4a52-5d7e-4f51-9d5b-4bd8b6f2f0a1", seatIds: [ids.A1] }, NOW),
    ).rejects.toBeInstanceOf(NotFound);
    await expect(placeHold(t.db, { userId: user, showId: show.id, seatIds: [ids.A1] }, show.startsAt)).rejects.toThrow("already started");
    expect((await seatRows(t.db, show.id)).every((r) => r.status === "AVAILABLE")).toBe(true);
  });

  it("reports seats compactly, one character each, and counts what is left for the show list", async () => {
    const [alice, bob] = await makeUsers(t.db, 2);
    const show = await makeShow(t.db);
    const ids = await seatIdsByLabel(t.db, show.id);
    await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [ids.A1] }, NOW);
    await placeHold(t.db, { userId: bob, showId: show.id, seatIds: [ids.A3] }, NOW);
    expect(await getSeatCodes(t.db, show.id, alice, NOW)).toBe("YAHAAAAAAA");
    expect(await getSeatCodes(t.db, show.id, null, NOW)).toBe("HAHAAAAAAA");
    expect(await getSeatCodes(t.db, show.id, alice, later(DEFAULT_BOOKING_SETTINGS.holdTtlSeconds))).toBe("AAAAAAAAAA");
    const listed = (await listUpcomingShows(t.db, NOW)).find((s) => s.id === show.id);
    expect(listed).toMatchObject({ seatsLeft: 8, totalSeats: 10 });
  });
});

describe("extending a hold", () => {
  const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

  it("moves the booking's end and every seat's end together, once; never for someone else, never after the end", async () => {
    const [alice, bob] = await makeUsers(t.db, 2);
    const show = await makeShow(t.db);
    const ids = await seatIdsByLabel(t.db, show.id);
    const { booking } = await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [ids.A1, ids.A2] }, NOW);
    const ends = booking.expiresAt.getTime();

    await expect(extendHold(t.db, { userId: bob, bookingId: booking.id }, 120, at(10))).rejects.toBeInstanceOf(NotFound);
    const extended = await extendHold(t.db, { userId: alice, bookingId: booking.id }, 120, at(10));
    expect(extended.expiresAt.getTime()).toBe(ends + 120_000);
    expect(extended.extendedAt?.getTime()).toBe(at(10).getTime());
    const rows = (await seatRows(t.db, show.id)).filter((s) => s.booking_id === booking.id);
    expect(rows.map((s) => new Date(s.expires_at ?? 0).getTime())).toEqual([ends + 120_000, ends + 120_000]);
    expect(await inconsistentSeats(t.db)).toHaveLength(0);

    const again = extendHold(t.db, { userId: alice, bookingId: booking.id }, 120, at(20));
    await expect(again).rejects.toBeInstanceOf(Conflict);
    await expect(again).rejects.toThrow("extended once already");
    const [audit] = await t.db.execute<{ n: number }>(
      sql`select count(*)::int as n from audit_log where booking_id = ${booking.id} and action = 'extend'`,
    );
    expect(audit.n).toBe(1);

    const late = await placeHold(t.db, { userId: bob, showId: show.id, seatIds: [ids.B1] }, NOW);
    const after = new Date(late.booking.expiresAt.getTime() + 1000);
    await expect(extendHold(t.db, { userId: bob, bookingId: late.booking.id }, 120, after)).rejects.toBeInstanceOf(HoldExpired);
    const b1 = (await seatRows(t.db, show.id)).find((s) => s.id === ids.B1);
    expect(new Date(b1?.expires_at ?? 0).getTime()).toBe(late.booking.expiresAt.getTime());
    await expect(extendHold(t.db, { userId: bob, bookingId: late.booking.id }, 0, NOW)).rejects.toBeInstanceOf(Conflict);
  });

  it("racing the sweeper at the last moment, ends either extended everywhere or swept everywhere", async () => {
    const users = await makeUsers(t.db, 20);
    const show = await makeShow(t.db, { layout: { kind: "THEATRE", rows: 4, seatsPerRow: 10, aisleAfter: [] } });
    const ids = Object.values(await seatIdsByLabel(t.db, show.id));
    const holds = await Promise.all(
      users.map((userId, i) => placeHold(t.db, { userId, showId: show.id, seatIds: [ids[2 * i], ids[2 * i + 1]] }, NOW)),
    );
    const end = holds[0].booking.expiresAt.getTime();
    // Each extension asks a moment before the end, while a sweep runs at the end itself.
    const outcomes = await Promise.allSettled([
      ...holds.map((h, i) => extendHold(t.db, { userId: users[i], bookingId: h.booking.id }, 60, new Date(end - 1 - (i % 3)))),
      sweepExpiredHolds(t.db, new Date(end)),
    ]);
    for (const outcome of outcomes.slice(0, -1)) {
      if (outcome.status === "rejected") expect(outcome.reason).toBeInstanceOf(HoldExpired);
    }
    expect(await inconsistentSeats(t.db)).toHaveLength(0);
    expect(await seatsInTwoLiveBookings(t.db, new Date(end + 30_000))).toHaveLength(0);
  });
});
