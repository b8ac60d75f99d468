import { sql } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { SeatsUnavailable } from "~/domain/errors";
import { type HoldResult, placeHold } from "~/domain/holds.server";
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

describe("50 concurrent holds of one seat, on separate connections", () => {
  it("exactly one wins on the default path (compare-and-swap)", async () => {
    const winner = await oneSeatRace(DEFAULT_BOOKING_SETTINGS);
    expect(winner.path).toBe("cas");
  });

  it("exactly one wins with HOLD_STRATEGY=lock", async () => {
    const winner = await oneSeatRace({ ...DEFAULT_BOOKING_SETTINGS, holdStrategy: "lock" });
    expect(winner.path).toBe("lock");
  });

  it("exactly one wins when every optimistic attempt is lost and the FOR UPDATE fallback decides", async () => {
    // A writer bumps the seat's version without taking it and keeps its row lock until all 50
    // holders have read the old version and are waiting to swap. Every swap then fails on a seat
    // that is still free, the retry budget runs out, and the fallback path must decide.
    const admin = postgres(t.url, { max: 1, onnotice: () => {} });
    const settings = { ...DEFAULT_BOOKING_SETTINGS, casAttempts: 1 };
    try {
      const winner = await oneSeatRace(settings, async (seatId) => {
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
          commit();
          await blocker;
        };
      });
      expect(winner.path).toBe("lock");
      expect(winner.attempts).toBe(2);
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
    ["compare-and-swap", DEFAULT_BOOKING_SETTINGS],
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
