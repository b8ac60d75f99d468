import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumedEvents, eventDeliveries, outbox, salesPerMinute, users } from "~/db/schema";
import { cancelBooking, confirmBooking, releaseHold } from "~/domain/bookings.server";
import { placeHold } from "~/domain/holds.server";
import { TEST_CARDS } from "~/domain/payments";
import { cancelShow, editShow, setSeatsBlocked } from "~/domain/show-admin.server";
import { sweepAllExpiredHolds } from "~/domain/sweeper.server";
import { EVENT_NAMES, type HoldfastEvent } from "~/events/catalogue";
import { analyticsConsumer, emailConsumer } from "~/events/consumers.server";
import { createMailer } from "~/events/mail.server";
import {
  type Consumer,
  type DeliveryPolicy,
  deliverDue,
  handleOnce,
  inProcessTransport,
  type Outgoing,
  pruneEvents,
  relayAll,
  relayBatch,
  type Transport,
} from "~/events/relay.server";
import { makeShow, makeUsers, NOW, seatIdsByLabel } from "../support/factories";
import { useTestDatabase } from "../support/test-database";

/**
 * The transactional outbox (drizzle/0012_outbox_trigger.sql), the relay and the consumers,
 * without a broker (the in-process path a newcomer's `npm start` uses). RabbitMQ's path is
 * events-rabbitmq.test.ts.
 */
const t = useTestDatabase();
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
let mailDir: string;
beforeAll(async () => {
  mailDir = await mkdtemp(path.join(os.tmpdir(), "holdfast-events-mail-"));
});
afterAll(() => rm(mailDir, { recursive: true, force: true }));

const eventsOf = (showId: string) => t.db.select().from(outbox).where(eq(outbox.showId, showId)).orderBy(asc(outbox.id));

/** A broker stand-in: keeps what it was given, in order, and can fail after `failAfter` events. */
function recordingTransport(options: { failAfter?: number } = {}) {
  const got: HoldfastEvent[] = [];
  const transport: Transport = {
    async publish(_tx, batch: Outgoing[]) {
      for (const { event } of batch) {
        if (options.failAfter !== undefined && got.length >= options.failAfter) throw new Error("connection lost mid-batch");
        got.push(event);
      }
    },
  };
  return { got, transport };
}

async function unpublished() {
  const [row] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from outbox where published_at is null`);
  return row.n;
}

/** Marks everything published (so each test sees only its own events). */
const drain = () => relayAll(t.db, recordingTransport().transport);

describe("the outbox", () => {
  it("gets one event per change, in the change's own transaction: hold, pay, release, expiry, cancel, admin's changes", async () => {
    const show = await makeShow(t.db, { startsAt: later(60 * 24 * 30) });
    const [alice, bob, carol] = await makeUsers(t.db, 3);
    const { A1, A2, A3, B1 } = await seatIdsByLabel(t.db, show.id);
    const held = await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [A1, A2] }, NOW);
    await confirmBooking(
      t.db,
      { userId: alice, bookingId: held.booking.id, idempotencyKey: "events-pay-1", card: TEST_CARDS.approve },
      NOW,
    );
    const bobs = await placeHold(t.db, { userId: bob, showId: show.id, seatIds: [A3] }, NOW);
    await releaseHold(t.db, { userId: bob, bookingId: bobs.booking.id }, NOW);
    await placeHold(t.db, { userId: carol, showId: show.id, seatIds: [B1] }, NOW);
    await sweepAllExpiredHolds(t.db, later(60));
    // A hold that loses (A1 is sold) changes nothing and writes no event.
    await expect(placeHold(t.db, { userId: bob, showId: show.id, seatIds: [A1] }, later(61))).rejects.toThrow();
    await cancelBooking(t.db, { userId: alice, bookingId: held.booking.id }, later(62));
    const [admin] = await t.db.select().from(users).where(eq(users.id, bob));
    const actor = { id: admin.id, name: admin.name, email: admin.email, role: "ADMIN" as const };
    await t.db.update(users).set({ role: "ADMIN" }).where(eq(users.id, bob));
    await setSeatsBlocked(t.db, actor, { showId: show.id, seatIds: [A3], blocked: true }, later(63));
    await editShow(t.db, actor, show.id, { name: "Renamed" }, later(64)).catch(() => {});

    const rows = await eventsOf(show.id);
    const names = rows.map((r) => r.name);
    expect(names.slice(0, 7)).toEqual([
      "booking.held",
      "booking.confirmed",
      "booking.held",
      "booking.released",
      "booking.held",
      "booking.expired",
      "booking.cancelled",
    ]);
    expect(names).toContain("show.changed");
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(rows.length);
    expect(rows[1]).toMatchObject({
      version: 1,
      at: NOW,
      payload: {
        bookingId: held.booking.id,
        reference: held.booking.reference,
        userId: alice,
        showId: show.id,
        seatIds: [A1, A2],
        seatLabels: ["A1", "A2"],
        amountCents: 2000,
        currency: "GBP",
        by: "buyer",
      },
    });
    expect(rows[5].payload).toMatchObject({ by: "system", userId: carol, seatLabels: ["B1"] });
    // No card data, ever: not the number, not its last four digits. (Ids are left out of the
    // search: a random UUID may well contain "4242".)
    const withoutIds = JSON.stringify(rows.map((r) => r.payload)).replace(
      /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
      "<id>",
    );
    expect(withoutIds).not.toMatch(/4242|card/i);
  });

  it("tells each buyer when an admin cancels the show: booking.cancelled for a sale, booking.released for a hold, by the admin", async () => {
    const show = await makeShow(t.db, { startsAt: later(60 * 24 * 30) });
    const [ada, paid, holding] = await makeUsers(t.db, 3);
    await t.db.update(users).set({ role: "ADMIN" }).where(eq(users.id, ada));
    const [adaRow] = await t.db.select().from(users).where(eq(users.id, ada));
    const { A1, A2 } = await seatIdsByLabel(t.db, show.id);
    const sale = await placeHold(t.db, { userId: paid, showId: show.id, seatIds: [A1] }, NOW);
    await confirmBooking(
      t.db,
      { userId: paid, bookingId: sale.booking.id, idempotencyKey: "events-cancel-1", card: TEST_CARDS.approve },
      NOW,
    );
    const hold = await placeHold(t.db, { userId: holding, showId: show.id, seatIds: [A2] }, NOW);
    await cancelShow(t.db, { id: ada, name: adaRow.name, email: adaRow.email, role: "ADMIN" }, show.id, later(1));
    const after = (await eventsOf(show.id)).slice(3);
    expect(after.map((r) => r.name).sort()).toEqual(["booking.cancelled", "booking.released", "show.cancelled"]);
    expect(after.find((r) => r.name === "booking.cancelled")?.payload).toMatchObject({
      bookingId: sale.booking.id,
      userId: paid,
      seatLabels: ["A1"],
      by: "admin",
    });
    expect(after.find((r) => r.name === "booking.released")?.payload).toMatchObject({
      bookingId: hold.booking.id,
      userId: holding,
      by: "admin",
    });
  });

  it("gets nothing from a change rolled back", async () => {
    const show = await makeShow(t.db, { startsAt: later(60 * 24 * 30) });
    const [alice] = await makeUsers(t.db, 1);
    const { A1 } = await seatIdsByLabel(t.db, show.id);
    await expect(
      t.db.transaction(async (tx) => {
        await tx.execute(sql`insert into audit_log (at, show_id, action) values (now(), ${show.id}, 'edit')`);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await eventsOf(show.id)).toEqual([]);
    await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [A1] }, NOW);
    expect((await eventsOf(show.id)).map((r) => r.name)).toEqual(["booking.held"]);
  });
});

describe("the relay", () => {
  it("publishes in order and marks what it published; a crash between publishing and marking publishes again, and the consumer absorbs the repeat", async () => {
    await drain();
    const show = await makeShow(t.db, { startsAt: later(60 * 24 * 30) });
    const users_ = await makeUsers(t.db, 5);
    const ids = Object.values(await seatIdsByLabel(t.db, show.id));
    for (let i = 0; i < 5; i++) await placeHold(t.db, { userId: users_[i], showId: show.id, seatIds: [ids[i]] }, NOW);

    // Published, then the process dies before the mark: the transaction rolls back.
    const broker = recordingTransport();
    const crashing: Transport = {
      async publish(tx, batch) {
        await broker.transport.publish(tx, batch);
        throw new Error("killed after publishing, before marking");
      },
    };
    await expect(relayBatch(t.db, crashing)).rejects.toThrow("killed");
    expect(broker.got).toHaveLength(5);
    expect(await unpublished()).toBe(5);
    // The next relay publishes the same five again, in the same order, and marks them.
    expect(await relayAll(t.db, broker.transport)).toEqual({ published: 5, busy: false });
    expect(broker.got.map((e) => e.id)).toEqual([...broker.got.slice(0, 5), ...broker.got.slice(0, 5)].map((e) => e.id));
    expect(await unpublished()).toBe(0);

    // A consumer given all ten handles five.
    let handled = 0;
    const counting: Consumer = { name: `count-${randomUUID()}`, events: EVENT_NAMES, handle: async () => void handled++ };
    const outcomes = [];
    for (const event of broker.got) outcomes.push(await handleOnce(t.db, counting, event));
    expect(handled).toBe(5);
    expect(outcomes.filter((o) => o === "repeat")).toHaveLength(5);
  });

  it("loses nothing when killed mid-batch: what it had not confirmed is published by the next run", async () => {
    await drain();
    const show = await makeShow(t.db, { startsAt: later(60 * 24 * 30) });
    const buyers = await makeUsers(t.db, 8);
    const ids = Object.values(await seatIdsByLabel(t.db, show.id));
    for (let i = 0; i < 8; i++) await placeHold(t.db, { userId: buyers[i], showId: show.id, seatIds: [ids[i]] }, NOW);
    const dying = recordingTransport({ failAfter: 3 });
    await expect(relayAll(t.db, dying.transport)).rejects.toThrow("mid-batch");
    expect(await unpublished()).toBe(8);
    const next = recordingTransport();
    await relayAll(t.db, next.transport);
    const expected = (await eventsOf(show.id)).map((r) => r.eventId);
    expect(next.got.map((e) => e.id)).toEqual(expected);
  });

  it("runs one at a time across instances (an advisory lock): a second relay meanwhile reports busy", async () => {
    await drain();
    const show = await makeShow(t.db, { startsAt: later(60 * 24 * 30) });
    const [alice] = await makeUsers(t.db, 1);
    const { A1 } = await seatIdsByLabel(t.db, show.id);
    await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [A1] }, NOW);
    let release = () => {};
    const slow: Transport = { publish: () => new Promise<void>((resolve) => (release = resolve)) };
    const first = relayBatch(t.db, slow);
    await new Promise((r) => setTimeout(r, 100));
    expect(await relayBatch(t.db, recordingTransport().transport)).toEqual({ published: 0, busy: true });
    release();
    expect(await first).toEqual({ published: 1, busy: false });
  });
});

describe("without a broker: the in-process queue", () => {
  const quick: DeliveryPolicy = { maxAttempts: 3, backoffMs: () => 0, leaseMs: 60_000 };

  it("retries a failing consumer and, after the last try, keeps the event as dead; one that recovers handles it once", async () => {
    await drain();
    const show = await makeShow(t.db, { startsAt: later(60 * 24 * 30) });
    const [alice] = await makeUsers(t.db, 1);
    const { A1 } = await seatIdsByLabel(t.db, show.id);
    let flakyCalls = 0;
    let flakyDone = 0;
    const broken: Consumer = {
      name: `broken-${randomUUID()}`,
      events: EVENT_NAMES,
      handle: () => Promise.reject(new Error("SMTP said no")),
    };
    const flaky: Consumer = {
      name: `flaky-${randomUUID()}`,
      events: EVENT_NAMES,
      async handle() {
        if (++flakyCalls < 3) throw new Error("not yet");
        flakyDone++;
      },
    };
    await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [A1] }, NOW);
    await relayAll(t.db, inProcessTransport([broken, flaky]));
    for (let i = 0; i < 4; i++) await deliverDue(t.db, [broken, flaky], new Date(), quick);
    const rows = await t.db.select().from(eventDeliveries).where(sql`${eventDeliveries.consumer} in (${broken.name}, ${flaky.name})`);
    const of = (name: string) => rows.find((r) => r.consumer === name);
    expect(of(broken.name)).toMatchObject({ attempts: 3, lastError: "SMTP said no", doneAt: null });
    expect(of(broken.name)?.deadAt).toBeInstanceOf(Date);
    expect(of(flaky.name)).toMatchObject({ attempts: 3, deadAt: null, lastError: null });
    expect(of(flaky.name)?.doneAt).toBeInstanceOf(Date);
    expect(flakyDone).toBe(1);
  });

  it("works each consumer's deliveries apart: one consumer's worker never claims, or fails, another's", async () => {
    await drain();
    const show = await makeShow(t.db, { startsAt: later(60 * 24 * 30) });
    const [alice] = await makeUsers(t.db, 1);
    const { A1 } = await seatIdsByLabel(t.db, show.id);
    const a: Consumer = { name: `a-${randomUUID()}`, events: EVENT_NAMES, handle: async () => {} };
    const b: Consumer = { name: `b-${randomUUID()}`, events: EVENT_NAMES, handle: async () => {} };
    await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [A1] }, NOW);
    await relayAll(t.db, inProcessTransport([a, b]));
    expect(await deliverDue(t.db, [a], new Date(), quick)).toEqual({ done: 1, failed: 0, dead: 0 });
    const [left] = await t.db.select().from(eventDeliveries).where(eq(eventDeliveries.consumer, b.name));
    expect(left).toMatchObject({ attempts: 0, doneAt: null, lastError: null });
    expect(await deliverDue(t.db, [b], new Date(), quick)).toEqual({ done: 1, failed: 0, dead: 0 });
  });

  it("sends the buyer an e-mail with the ticket when they pay (text and HTML, the reference, the seats, a QR code), once however often it is delivered; notices of expiry and cancellation", async () => {
    // Earlier tests' holds end first, and their events are out of the way.
    await sweepAllExpiredHolds(t.db, later(60));
    await drain();
    const show = await makeShow(t.db, { startsAt: later(60 * 24 * 30), priceCents: 2500 });
    const [alice, bob] = await makeUsers(t.db, 2);
    const [aliceRow] = await t.db.select().from(users).where(eq(users.id, alice));
    const { A4, A5, B5 } = await seatIdsByLabel(t.db, show.id);
    const mailer = createMailer({ dir: mailDir, from: "Holdfast <tickets@holdfast.localhost>" });
    const consumers = [emailConsumer(mailer, "https://tickets.example.com"), analyticsConsumer];
    const held = await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [A4, A5] }, NOW);
    await confirmBooking(
      t.db,
      { userId: alice, bookingId: held.booking.id, idempotencyKey: "events-mail-1", card: TEST_CARDS.approve },
      NOW,
    );
    await placeHold(t.db, { userId: bob, showId: show.id, seatIds: [B5] }, NOW);
    await sweepAllExpiredHolds(t.db, later(60));
    await relayAll(t.db, inProcessTransport(consumers));
    await deliverDue(t.db, consumers, new Date(), quick);

    const files = (await readdir(mailDir)).filter((f) => f.endsWith(".eml")).sort();
    expect(files).toHaveLength(2);
    const ticket = await readFile(path.join(mailDir, files[0]), "utf8");
    expect(ticket).toContain(`To: ${aliceRow.email}`);
    expect(ticket).toMatch(new RegExp(`Subject: Your ticket for ${show.name}: ${held.booking.reference}`));
    expect(ticket).toContain("Content-Type: text/plain");
    expect(ticket).toContain("Content-Type: text/html");
    expect(ticket).toContain("Content-Type: image/png");
    expect(ticket).toContain("Content-Type: text/calendar");
    expect(ticket).toContain(`Reference: ${held.booking.reference}`);
    expect(ticket).toContain("Seats: A4, A5");
    expect(ticket).toContain("https://tickets.example.com/bookings/");
    const expiry = await readFile(path.join(mailDir, files[1]), "utf8");
    expect(expiry).toMatch(/Subject: Your hold for .* has ended/);
    expect(expiry).toContain("B5");

    // Delivered again (a relay that crashed before marking): no second message, the same file.
    const [confirmed] = await t.db.select().from(outbox).where(sql`${outbox.name} = 'booking.confirmed' and ${outbox.showId} = ${show.id}`);
    const again = await handleOnce(t.db, consumers[0], {
      id: confirmed.eventId,
      name: "booking.confirmed",
      at: confirmed.at.toISOString(),
      version: 1,
      showId: show.id,
      payload: confirmed.payload,
    });
    expect(again).toBe("repeat");
    expect((await readdir(mailDir)).filter((f) => f.endsWith(".eml"))).toHaveLength(2);

    // Cancelled: a third message, and the analytics take the sale back off.
    await cancelBooking(t.db, { userId: alice, bookingId: held.booking.id }, later(2));
    await relayAll(t.db, inProcessTransport(consumers));
    await deliverDue(t.db, consumers, new Date(), quick);
    const all = (await readdir(mailDir)).filter((f) => f.endsWith(".eml")).sort();
    expect(all).toHaveLength(3);
    const texts = await Promise.all(all.map((f) => readFile(path.join(mailDir, f), "utf8")));
    expect(texts.filter((m) => /Subject: Booking .* is cancelled/.test(m))).toHaveLength(1);
    const sales = await t.db.select().from(salesPerMinute).where(eq(salesPerMinute.showId, show.id)).orderBy(asc(salesPerMinute.minute));
    expect(sales.map((s) => [s.seatsSold, s.revenueCents, s.seatsCancelled])).toEqual([
      [2, 5000, 0],
      [-2, -5000, 2],
    ]);
    const [handled] = await t.db.execute<{ n: number }>(
      sql`select count(*)::int as n from ${consumedEvents} where consumer = 'analytics' and event_id in (select event_id from outbox where show_id = ${show.id})`,
    );
    expect(handled.n).toBe(2);
  });
});

describe("pruning", () => {
  it("deletes handled events after a week and dead deliveries after a month, never an unpublished one", async () => {
    await sweepAllExpiredHolds(t.db, later(60));
    await drain();
    const show = await makeShow(t.db, { startsAt: later(60 * 24 * 30) });
    const [alice] = await makeUsers(t.db, 1);
    const { A1, A2 } = await seatIdsByLabel(t.db, show.id);
    await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [A1] }, NOW);
    const dead: Consumer = { name: `dead-${randomUUID()}`, events: EVENT_NAMES, handle: () => Promise.reject(new Error("always")) };
    await relayAll(t.db, inProcessTransport([dead]));
    await deliverDue(t.db, [dead], new Date(), { maxAttempts: 1, backoffMs: () => 0, leaseMs: 1000 });
    await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [A2] }, NOW); // not yet published
    const count = async () => (await eventsOf(show.id)).length;
    expect(await count()).toBe(2);
    await pruneEvents(t.db, new Date(Date.now() + 8 * 86_400_000));
    expect(await count()).toBe(2); // the dead delivery keeps its event; the unpublished one stays
    await pruneEvents(t.db, new Date(Date.now() + 31 * 86_400_000));
    expect((await eventsOf(show.id)).map((r) => r.publishedAt)).toEqual([null]);
  });
});
