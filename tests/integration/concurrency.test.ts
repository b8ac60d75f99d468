import { sql } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { SeatsUnavailable } from "~/domain/errors";
import { type HoldResult, holdStats, placeHold } from "~/domain/holds.server";
import { type BookingSettings, DEFAULT_BOOKING_SETTINGS } from "~/domain/settings";
import { inconsistentSeats, makeShow, makeUsers, NOW, seatIdsByLabel, seatRows, seatsInTwoLiveBookings } from "../support/factories";
import { useTestDatabase } from "../support/test-database";

// Enough connections that every concurrent hold below runs on its own.
const t = useTestDatabase({ max: 60 });

async function oneSeatRace(settings: BookingSettings, beforeRace?: (seatId: number) => Promise<() => Promise<void>>) {
  const users = await makeUsers(t.db, 50);
  const show = await makeShow(t.db);
  const { A1 } = await seatIdsByLabel(t.db, show.id);
  const release = beforeRace ? await beforeRace(A1) : undefined;
  const race = Promise.allSettled(users.map((userId) => placeHold(t.db, { userId, showId: show.id, seatIds: [A1] }, NOW, settings)));
  await release?.();
  const results = await race;
  const winners = results.filter((r): r is PromiseFulfilledResult<HoldResult> => r.status === "fulfilled").map((r) => r.value);
  const losers = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason);
  expect(winners).toHaveLength(1);
  expect(losers).toHaveLength(49);
  for (const error of losers) {
    expect(error).toBeInstanceOf(SeatsUnavailable);
    expect(error.message).toBe("A1 was just taken — nothing was held");
  }
  const [seat] = (await seatRows(t.db, show.id)).filter((r) => r.label === "A1");
  expect(seat).toMatchObject({ status: "PENDING", holder_id: winners[0].booking.userId, booking_id: winners[0].booking.id });
  const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from bookings where show_id = ${show.id}`);
  expect(n).toBe(1);
  return winners[0];
}

/**
 * Another transaction changes a seat's version (not its state) and keeps its row locked until
 * `commit`: holds that read the old version lose their compare-and-swap on a seat still free.
 */
async function changeAndKeepLocked(admin: postgres.Sql, seatId: number): Promise<{ commit(): Promise<void> }> {
  let commit!: () => void;
  const committed = new Promise<void>((r) => (commit = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const blocker = admin.begin(async (tx) => {
    await tx`update seats set version = version + 1 where id = ${seatId}`;
    locked();
    await committed;
  });
  await isLocked;
  return {
    async commit() {
      commit();
      await blocker;
    },
  };
}

// Each hold by itself (HOLD_BATCH=1), so that the 50 race on separate connections.
const ALONE: BookingSettings = { ...DEFAULT_BOOKING_SETTINGS, holdBatch: 1 };

describe("50 concurrent holds of one seat, on separate connections", () => {
  it("exactly one wins on the default path (compare-and-swap)", async () => {
    const winner = await oneSeatRace(ALONE);
    expect(winner.path).toBe("cas");
  });

  it("exactly one wins with HOLD_STRATEGY=lock", async () => {
    const winner = await oneSeatRace({ ...ALONE, holdStrategy: "lock" });
    expect(winner.path).toBe("lock");
  });

  it("exactly one wins when every optimistic attempt is lost and the FOR UPDATE fallback decides", async () => {
    // A writer bumps the seat's version without taking it and keeps its row lock until all 50
    // holders have read the old version and are waiting to swap. Every swap then fails on a seat
    // that is still free, the retry budget runs out, and the fallback path must decide.
    const admin = postgres(t.url, { max: 1, onnotice: () => {} });
    const settings = { ...ALONE, casAttempts: 1 };
    try {
      const winner = await oneSeatRace(settings, async (seatId) => {
        const blocker = await changeAndKeepLocked(admin, seatId);
        return async () => {
          const deadline = Date.now() + 20_000;
          for (;;) {
            const [{ waiting }] = await t.sql`
              select count(*)::int as waiting from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock'`;
            if (waiting >= 50) break;
            if (Date.now() > deadline) throw new Error(`only ${waiting} holders reached the seat`);
            await new Promise((r) => setTimeout(r, 20));
          }
          await blocker.commit();
        };
      });
      expect(winner.path).toBe("lock");
      expect(winner.attempts).toBe(2);
    } finally {
      await admin.end();
    }
  });
});

describe("holds of one show that arrive together are committed together (group commit)", () => {
  it("50 concurrent holds of one seat: exactly one wins, in a few transactions instead of 50", async () => {
    let before = 0;
    const winner = await oneSeatRace(DEFAULT_BOOKING_SETTINGS, async () => {
      before = t.db.$stats.statements;
      return async () => {};
    });
    expect(winner.path).toBe("cas");
    // Alone, each would send its read and a transaction of four: 250 statements and more. In
    // groups of up to 32, a group's BEGIN, locks and COMMIT are shared: 50 reads, 50 hold
    // statements, three each for a handful of groups, a second read for each loser refused
    // inside a group (to tell the buyer whose the seat is), and the race's two checking reads.
    expect(t.db.$stats.statements - before).toBeLessThan(200);
  });

  it("a member refused (another member took its seat, or its buyer's limit) stores nothing and does not undo the others", async () => {
    const users = await makeUsers(t.db, 20);
    const show = await makeShow(t.db, { layout: { kind: "THEATRE", rows: 2, seatsPerRow: 20, aisleAfter: [] } });
    const ids = Object.values(await seatIdsByLabel(t.db, show.id)).sort((a, b) => a - b);
    const settings = { ...DEFAULT_BOOKING_SETTINGS, maxSeatsPerHold: 2 };
    // Buyer 0 asks for three seats in all (over the limit of 2 once both of theirs land); buyers
    // 1 and 2 want the same seat; the rest want seats of their own.
    const requests = [
      { userId: users[0], seatIds: [ids[0], ids[1]] },
      { userId: users[0], seatIds: [ids[2]] },
      { userId: users[1], seatIds: [ids[3]] },
      { userId: users[2], seatIds: [ids[3]] },
      ...users.slice(3).map((userId, i) => ({ userId, seatIds: [ids[10 + i]] })),
    ];
    const results = await Promise.allSettled(requests.map((r) => placeHold(t.db, { ...r, showId: show.id }, NOW, settings)));
    const outcome = results.map((r) => (r.status === "fulfilled" ? "held" : (r.reason as Error).constructor.name));
    // Buyer 0's two holds: one of them lands, the other is over the limit (whichever came second).
    expect(outcome.slice(0, 2).sort()).toEqual(["Conflict", "held"].sort());
    expect(outcome.slice(2, 4).sort()).toEqual(["SeatsUnavailable", "held"]);
    expect(outcome.slice(4).every((o) => o === "held")).toBe(true);
    const rows = await seatRows(t.db, show.id);
    const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [{ request: requests[i], booking: r.value.booking }] : []));
    for (const { request, booking } of won) {
      expect(
        rows
          .filter((s) => s.booking_id === booking.id)
          .map((s) => s.id)
          .sort(),
      ).toEqual([...request.seatIds].sort());
    }
    expect(rows.filter((s) => s.status !== "AVAILABLE")).toHaveLength(won.reduce((n, w) => n + w.request.seatIds.length, 0));
    expect(await seatsInTwoLiveBookings(t.db, NOW)).toHaveLength(0);
    expect(await inconsistentSeats(t.db)).toHaveLength(0);
  });

  it.each([
    ["in groups", DEFAULT_BOOKING_SETTINGS],
    ["each alone", ALONE],
  ])(
    "the same form sent 8 times at once (%s): every answer is the one hold, never the buyer's own seat 'just taken'",
    async (_, settings) => {
      const [buyer] = await makeUsers(t.db, 1);
      const show = await makeShow(t.db);
      const { A5 } = await seatIdsByLabel(t.db, show.id);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => placeHold(t.db, { userId: buyer, showId: show.id, seatIds: [A5] }, NOW, settings)),
      );
      const answers = results.map((r) => (r.status === "fulfilled" ? r.value.booking.id : String(r.reason)));
      expect(new Set(answers).size).toBe(1);
      const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from bookings where show_id = ${show.id}`);
      expect(n).toBe(1);
    },
  );

  it("a group undone by a seat that changed under it: nothing of it is stored, and every member goes on by itself", async () => {
    const users = await makeUsers(t.db, 12);
    const show = await makeShow(t.db, { layout: { kind: "THEATRE", rows: 2, seatsPerRow: 10, aisleAfter: [] } });
    const { A1, ...others } = await seatIdsByLabel(t.db, show.id);
    const rest = Object.values(others).slice(0, 11);
    // Another transaction changes A1 (its version, not its state) and keeps the row locked: the
    // group's compare-and-swap skips the locked seat, counts one seat short and undoes the group.
    const admin = postgres(t.url, { max: 1, onnotice: () => {} });
    const retriesBefore = holdStats.casRetries;
    try {
      const blocker = await changeAndKeepLocked(admin, A1);
      const wants = [[A1], ...rest.map((id) => [id])];
      const race = Promise.allSettled(users.map((userId, i) => placeHold(t.db, { userId, showId: show.id, seatIds: wants[i] }, NOW)));
      await new Promise((r) => setTimeout(r, 300));
      await blocker.commit();
      const results = await race;
      // Every hold landed in the end, each exactly once: A1's after the other change committed.
      expect(results.map((r) => (r.status === "fulfilled" ? "held" : String(r.reason)))).toEqual(users.map(() => "held"));
      expect(holdStats.casRetries).toBeGreaterThan(retriesBefore);
      const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from bookings where show_id = ${show.id}`);
      expect(n).toBe(12);
      expect(await seatsInTwoLiveBookings(t.db, NOW)).toHaveLength(0);
      expect(await inconsistentSeats(t.db)).toHaveLength(0);
    } finally {
      await admin.end();
    }
  });
});

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe("200 concurrent multi-seat holds over overlapping seats, in random orders", () => {
  it.each([
    ["compare-and-swap, holds of one show committed together (the default)", DEFAULT_BOOKING_SETTINGS],
    ["compare-and-swap, each hold alone (HOLD_BATCH=1)", ALONE],
    ["HOLD_STRATEGY=lock", { ...DEFAULT_BOOKING_SETTINGS, holdStrategy: "lock" as const }],
    ["a one-attempt optimistic budget", { ...DEFAULT_BOOKING_SETTINGS, casAttempts: 1 }],
  ])("%s: all or nothing, no deadlock reaches a caller, no seat in two live bookings", async (_, settings) => {
    const users = await makeUsers(t.db, 200);
    const show = await makeShow(t.db, { layout: { kind: "THEATRE", rows: 3, seatsPerRow: 10, aisleAfter: [] } });
    const ids = Object.values(await seatIdsByLabel(t.db, show.id));
    const requests = users.map((userId) => ({
      userId,
      showId: show.id,
      seatIds: shuffle(ids).slice(0, 2 + Math.floor(Math.random() * 3)),
    }));
    const results = await Promise.allSettled(requests.map((r) => placeHold(t.db, r, NOW, settings)));

    const unexpected = results.filter((r) => r.status === "rejected" && !(r.reason instanceof SeatsUnavailable));
    expect(unexpected).toEqual([]);
    const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [{ request: requests[i], result: r.value }] : []));
    expect(won.length).toBeGreaterThan(0);

    const rows = await seatRows(t.db, show.id);
    for (const { request, result } of won) {
      // All of a winner's seats, and only those, are held by its booking.
      const mine = rows.filter((s) => s.booking_id === result.booking.id).map((s) => s.id);
      expect(mine.sort()).toEqual([...request.seatIds].sort());
    }
    // Losers left nothing behind: every held seat belongs to a winner, and no booking without seats.
    expect(rows.filter((s) => s.status !== "AVAILABLE")).toHaveLength(won.reduce((n, w) => n + w.request.seatIds.length, 0));
    const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from bookings where show_id = ${show.id}`);
    expect(n).toBe(won.length);
    expect(await seatsInTwoLiveBookings(t.db, NOW)).toHaveLength(0);
    expect(await inconsistentSeats(t.db)).toHaveLength(0);
  });
});
