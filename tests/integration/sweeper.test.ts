import { sql } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { loadConfig } from "~/config.server";
import { connectDatabase } from "~/db/client.server";
import { confirmBooking } from "~/domain/bookings.server";
import { HoldExpired } from "~/domain/errors";
import { placeHold } from "~/domain/holds.server";
import { TEST_CARDS } from "~/domain/payments";
import { DEFAULT_BOOKING_SETTINGS } from "~/domain/settings";
import { sweepAllExpiredHolds, sweepExpiredHolds } from "~/domain/sweeper.server";
import type { AppServices } from "~/server/context.server";
import { startJobs } from "~/server/jobs.server";
import { inconsistentSeats, makeShow, makeUsers, NOW, seatIdsByLabel, seatRows, seatsInTwoLiveBookings } from "../support/factories";
import { capturingLogger } from "../support/server";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase({ max: 20 });
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const TTL = DEFAULT_BOOKING_SETTINGS.holdTtlSeconds;

async function bookingStatus(id: string) {
  const [row] = await t.db.execute<{ status: string }>(sql`select status from bookings where id = ${id}`);
  return row.status;
}

describe("sweepExpiredHolds", () => {
  it("frees seats whose hold ended, marks their bookings EXPIRED, and leaves live holds alone", async () => {
    const [alice, bob] = await makeUsers(t.db, 2);
    const show = await makeShow(t.db);
    const ids = await seatIdsByLabel(t.db, show.id);
    const old = await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [ids.A1, ids.A2] }, NOW);
    const fresh = await placeHold(t.db, { userId: bob, showId: show.id, seatIds: [ids.A3] }, later(60));
    const result = await sweepExpiredHolds(t.db, later(TTL));
    expect(result.seatsFreed).toBeGreaterThanOrEqual(2);
    expect(result.bookingsExpired).toContain(old.booking.reference);
    expect(result.bookingsExpired).not.toContain(fresh.booking.reference);
    const rows = await seatRows(t.db, show.id);
    expect(rows.find((r) => r.label === "A1")).toMatchObject({ status: "AVAILABLE", booking_id: null, version: 2 });
    expect(rows.find((r) => r.label === "A3")).toMatchObject({ status: "PENDING", holder_id: bob });
    expect(await bookingStatus(old.booking.id)).toBe("EXPIRED");
    expect(await bookingStatus(fresh.booking.id)).toBe("HELD");
    expect(await sweepExpiredHolds(t.db, later(TTL))).toEqual({ seatsFreed: 0, bookingsExpired: [] });
  });

  it("never frees a seat that was re-held after its expiry, even when the sweep runs late", async () => {
    const [alice, bob] = await makeUsers(t.db, 2);
    const show = await makeShow(t.db);
    const ids = await seatIdsByLabel(t.db, show.id);
    await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [ids.A1] }, NOW);
    const rehold = await placeHold(t.db, { userId: bob, showId: show.id, seatIds: [ids.A1] }, later(TTL + 1));
    await sweepExpiredHolds(t.db, later(TTL + 30));
    expect((await seatRows(t.db, show.id)).find((r) => r.label === "A1")).toMatchObject({
      status: "PENDING",
      booking_id: rehold.booking.id,
    });
  });

  it("never frees a re-held seat when the re-hold and the sweep run at the same moment", async () => {
    const users = await makeUsers(t.db, 40);
    const show = await makeShow(t.db, { layout: { kind: "THEATRE", rows: 2, seatsPerRow: 10, aisleAfter: [] } });
    const ids = Object.values(await seatIdsByLabel(t.db, show.id));
    await Promise.all(ids.map((id, i) => placeHold(t.db, { userId: users[i], showId: show.id, seatIds: [id] }, NOW)));
    const reholds = ids.map((id, i) => placeHold(t.db, { userId: users[20 + i], showId: show.id, seatIds: [id] }, later(TTL + 1)));
    const [sweep, ...held] = await Promise.all([sweepExpiredHolds(t.db, later(TTL + 30)), ...reholds]);
    expect(sweep.seatsFreed).toBeLessThanOrEqual(20);
    const rows = await seatRows(t.db, show.id);
    for (const { booking } of held) {
      expect(rows.filter((r) => r.booking_id === booking.id && r.status === "PENDING")).toHaveLength(1);
    }
  });

  it("a payment racing the sweeper either completes or fails with HoldExpired, never half", async () => {
    const users = await makeUsers(t.db, 30);
    const show = await makeShow(t.db, { layout: { kind: "THEATRE", rows: 6, seatsPerRow: 10, aisleAfter: [] } });
    const ids = Object.values(await seatIdsByLabel(t.db, show.id)).sort((a, b) => a - b);
    const holds = await Promise.all(
      users.map((u, i) => placeHold(t.db, { userId: u, showId: show.id, seatIds: ids.slice(i * 2, i * 2 + 2) }, NOW)),
    );
    // Each payer's clock says the hold is live; the sweeper's says it has ended.
    const payments = holds.map(({ booking }) =>
      confirmBooking(
        t.db,
        { userId: booking.userId, bookingId: booking.id, idempotencyKey: `race-${booking.id}`, card: TEST_CARDS.approve },
        later(TTL - 1),
      ),
    );
    const sweeps = [sweepExpiredHolds(t.db, later(TTL + 1)), sweepExpiredHolds(t.db, later(TTL + 1))];
    const outcomes = await Promise.allSettled(payments);
    await Promise.all(sweeps);
    // A booking a payer had locked was skipped by those sweeps (SKIP LOCKED); the next one marks it.
    await sweepExpiredHolds(t.db, later(TTL + 1));
    const rows = await seatRows(t.db, show.id);
    for (const [i, outcome] of outcomes.entries()) {
      const mine = rows.filter((r) => ids.slice(i * 2, i * 2 + 2).includes(r.id));
      if (outcome.status === "fulfilled") {
        expect(mine.every((r) => r.status === "BOOKED" && r.booking_id === holds[i].booking.id)).toBe(true);
        expect(await bookingStatus(holds[i].booking.id)).toBe("CONFIRMED");
      } else {
        expect(outcome.reason).toBeInstanceOf(HoldExpired);
        expect(mine.every((r) => r.status === "AVAILABLE")).toBe(true);
        expect(await bookingStatus(holds[i].booking.id)).toBe("EXPIRED");
      }
    }
    expect(await inconsistentSeats(t.db)).toHaveLength(0);
  });

  describe("a payment and a sweep interleaved at the worst moments", () => {
    /** Holds `rows` locked on a separate connection until the returned function is called. */
    async function lockRows(statement: (tx: postgres.TransactionSql) => Promise<unknown>) {
      const client = postgres(t.url, { max: 1, onnotice: () => {} });
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const done = client.begin(async (tx) => {
        await statement(tx);
        locked();
        await released;
      });
      await isLocked;
      return async () => {
        release();
        await done;
        await client.end();
      };
    }
    async function waitForLockWaiters(count: number) {
      for (let i = 0; i < 500; i++) {
        const [{ waiting }] =
          await t.sql`select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
        if (waiting >= count) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error("nobody waited");
    }

    it("fails with HoldExpired, changing nothing, when the sweep frees the seats while the payment waits", async () => {
      const [alice] = await makeUsers(t.db, 1);
      const show = await makeShow(t.db);
      const ids = await seatIdsByLabel(t.db, show.id);
      const { booking } = await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [ids.A1, ids.A2] }, NOW);
      const unlock = await lockRows((tx) => tx`select id from bookings where id = ${booking.id} for update`);
      let payment: Promise<unknown>;
      try {
        payment = confirmBooking(
          t.db,
          { userId: alice, bookingId: booking.id, idempotencyKey: "worst-case-1", card: TEST_CARDS.approve },
          later(TTL - 1),
        ).catch((e) => e);
        await waitForLockWaiters(1);
        const swept = await sweepExpiredHolds(t.db, later(TTL + 1));
        // Its seats were free to take; its booking row was busy, so that was skipped.
        expect(swept.bookingsExpired).not.toContain(booking.reference);
        expect((await seatRows(t.db, show.id)).filter((r) => r.booking_id === booking.id)).toHaveLength(0);
      } finally {
        await unlock();
      }
      expect(await payment).toBeInstanceOf(HoldExpired);
      const mine = (await seatRows(t.db, show.id)).filter((r) => r.label === "A1" || r.label === "A2");
      expect(mine.every((r) => r.status === "AVAILABLE")).toBe(true);
      const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from payments where booking_id = ${booking.id}`);
      expect(n).toBe(0);
    });

    it("completes, every seat BOOKED, when the payment holds the seats and the sweep skips them", async () => {
      const [alice] = await makeUsers(t.db, 1);
      const show = await makeShow(t.db);
      const ids = await seatIdsByLabel(t.db, show.id);
      const { booking } = await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [ids.B1, ids.B2] }, NOW);
      const unlock = await lockRows((tx) => tx`select id from seats where id in ${tx([ids.B1, ids.B2])} for update`);
      let payment: ReturnType<typeof confirmBooking>;
      try {
        payment = confirmBooking(
          t.db,
          { userId: alice, bookingId: booking.id, idempotencyKey: "worst-case-2", card: TEST_CARDS.approve },
          later(TTL - 1),
        );
        payment.catch(() => {});
        await waitForLockWaiters(1);
        const swept = await sweepExpiredHolds(t.db, later(TTL + 1));
        expect(swept.bookingsExpired).not.toContain(booking.reference);
        expect((await seatRows(t.db, show.id)).filter((r) => r.booking_id === booking.id && r.status === "PENDING")).toHaveLength(2);
      } finally {
        await unlock();
      }
      const { booking: paid } = await payment;
      expect(paid.status).toBe("CONFIRMED");
      const mine = (await seatRows(t.db, show.id)).filter((r) => r.label === "B1" || r.label === "B2");
      expect(mine.every((r) => r.status === "BOOKED" && r.booking_id === booking.id)).toBe(true);
      expect((await sweepExpiredHolds(t.db, later(TTL + 2))).bookingsExpired).not.toContain(booking.reference);
      expect((await seatRows(t.db, show.id)).filter((r) => r.booking_id === booking.id && r.status === "BOOKED")).toHaveLength(2);
    });
  });

  it("is safe when several processes sweep at once: each seat is freed exactly once", async () => {
    const users = await makeUsers(t.db, 50);
    const show = await makeShow(t.db, { layout: { kind: "THEATRE", rows: 10, seatsPerRow: 10, aisleAfter: [] } });
    const ids = Object.values(await seatIdsByLabel(t.db, show.id)).sort((a, b) => a - b);
    await Promise.all(users.map((u, i) => placeHold(t.db, { userId: u, showId: show.id, seatIds: ids.slice(i * 2, i * 2 + 2) }, NOW)));
    const results = await Promise.all(Array.from({ length: 6 }, () => sweepExpiredHolds(t.db, later(TTL + 1), 17)));
    let rest = await sweepExpiredHolds(t.db, later(TTL + 1));
    while (rest.seatsFreed > 0) rest = await sweepExpiredHolds(t.db, later(TTL + 1));
    const freed = results.reduce((n, r) => n + r.seatsFreed, 0);
    const references = results.flatMap((r) => r.bookingsExpired);
    expect(new Set(references).size).toBe(references.length);
    expect(freed).toBeLessThanOrEqual(100);
    expect((await seatRows(t.db, show.id)).every((r) => r.status === "AVAILABLE")).toBe(true);
    expect(await seatsInTwoLiveBookings(t.db, later(TTL + 1))).toHaveLength(0);
  });
});

describe("the sweeper job", () => {
  it("runs every SWEEP_INTERVAL_SECONDS and logs what it freed", async () => {
    const [alice] = await makeUsers(t.db, 1);
    const show = await makeShow(t.db, { startsAt: new Date(Date.now() + 86_400_000) });
    const ids = await seatIdsByLabel(t.db, show.id);
    // A hold placed 10 minutes ago has ended by the wall clock the job uses.
    const { booking } = await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [ids.A1] }, new Date(Date.now() - 600_000));
    const log = capturingLogger("info");
    const messages = () => log.lines().map((line) => line.msg);
    const config = loadConfig({ SWEEP_INTERVAL_SECONDS: "1" });
    const jobs = startJobs({ config, db: t.db } as AppServices, log.logger);
    try {
      const deadline = Date.now() + 10_000;
      while (!messages().some((m) => m.includes(booking.reference)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await jobs.stop();
    }
    expect(messages().find((m) => m.includes(booking.reference))).toMatch(/^sweeper: freed \d+ seat\(s\); expired \d+ booking\(s\): /);
    expect(await bookingStatus(booking.id)).toBe("EXPIRED");
  });
});

describe("two instances, each running the sweeper", () => {
  it("take turns under the advisory lock: every ended hold is expired exactly once, none is skipped", async () => {
    const HOLDS = 300;
    const users = await makeUsers(t.db, HOLDS);
    const show = await makeShow(t.db, { layout: { kind: "THEATRE", rows: 15, seatsPerRow: 20, aisleAfter: [] } });
    const ids = Object.values(await seatIdsByLabel(t.db, show.id));
    for (let i = 0; i < HOLDS; i++) await placeHold(t.db, { userId: users[i], showId: show.id, seatIds: [ids[i]] }, NOW);
    // Two instances: two pools of their own. Small batches, so each run takes many turns.
    const instances = [connectDatabase(t.url, { max: 2 }), connectDatabase(t.url, { max: 2 })];
    try {
      const runs = await Promise.all(
        instances.flatMap((instance) => [0, 1, 2].map(() => sweepAllExpiredHolds(instance.db, later(TTL + 1), 25))),
      );
      // Some runs found the lock taken and left the work to the instance that had it.
      expect(runs.some((r) => r.busy)).toBe(true);
      expect(runs.some((r) => r.seatsFreed > 0)).toBe(true);
      // A last run (as the next tick would) finds whatever a busy turn left, then nothing is left.
      await sweepAllExpiredHolds(instances[0].db, later(TTL + 1), 25);
      const [left] = await t.db.execute<{ held: number; pending: number; audits: number; twice: number }>(sql`
        select (select count(*) from bookings where show_id = ${show.id} and status = 'HELD')::int as held,
               (select count(*) from seats where show_id = ${show.id} and status = 'PENDING')::int as pending,
               (select count(*) from audit_log where show_id = ${show.id} and action = 'expire')::int as audits,
               (select count(*) from (select booking_id from audit_log where show_id = ${show.id} and action = 'expire'
                 group by booking_id having count(*) > 1) d)::int as twice`);
      expect(left).toEqual({ held: 0, pending: 0, audits: HOLDS, twice: 0 });
      expect(await inconsistentSeats(t.db)).toEqual([]);
    } finally {
      await Promise.all(instances.map((i) => i.close()));
    }
  });
});
