import { sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { connectDatabase } from "~/db/client.server";
import { oneTripTransaction } from "~/db/one-trip.server";
import { bookings, eventDeliveries, seatNews, seats, webhookDeliveries } from "~/db/schema";
import { DatabaseBusy } from "~/db/unavailable.server";
import { releaseHold } from "~/domain/bookings.server";
import { placeHold } from "~/domain/holds.server";
import { EVENT_NAMES } from "~/events/catalogue";
import { type Consumer, claimDeliveriesQuery, deliverDue, inProcessTransport, relayAll } from "~/events/relay.server";
import { announceSeatNews, SEAT_CHANNEL } from "~/events/seat-news.server";
import { claimWebhooksQuery } from "~/events/webhooks.server";
import { apiUser } from "../support/api";
import { FIXTURE_PASSWORD, makeShow, makeUsers, seatIdsByLabel } from "../support/factories";
import { TestClient } from "../support/http";
import { serverEnv, useServer } from "../support/server";
import { useTestDatabase } from "../support/test-database";

/**
 * Issue 19: a flash sale's hold pays for nothing after its commit that could wait (no NOTIFY in
 * its transaction, events priced per event), and a buyer is never told a stored hold failed.
 */
const t = useTestDatabase();
// Three connections, and a watchdog at 2 s (DB_CONNECT_TIMEOUT_SECONDS + 1): the pool can be
// exhausted by three holds waiting on a lock, while a fourth request waits for a connection.
const server = useServer(() =>
  serverEnv(t.url, {
    DB_POOL_SIZE: "3",
    DB_CONNECT_TIMEOUT_SECONDS: "1",
    AUTH_RATE_LIMIT_PER_MINUTE: "0",
    MAX_HELD_SEATS_PER_ADDRESS: "0",
  }),
);
const farFuture = () => new Date(Date.now() + 7 * 86_400_000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("seat news leaves the hold's commit", () => {
  it("a hold NOTIFYs nothing in its transaction: its news waits in seat_news, and the announcer sends one NOTIFY per show with each seat's newest state", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const { A1, A2 } = await seatIdsByLabel(t.db, show.id);
    const [alice, bob] = await makeUsers(t.db, 2);
    const heard: string[] = [];
    const listener = postgres(t.url, { max: 1, onnotice: () => {} });
    try {
      await listener.listen(SEAT_CHANNEL, (payload) => {
        if (payload.includes(show.id)) heard.push(payload);
      });
      // This show's changes only; the server's announcer polls every 200 ms, so it is kept out
      // of the way by holding the announcer's lock meanwhile.
      const blocker = postgres(t.url, { max: 1, onnotice: () => {} });
      try {
        await blocker.begin(async (tx) => {
          await tx`select pg_advisory_xact_lock(4815162344)`;
          await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [A1] });
          const held = await placeHold(t.db, { userId: bob, showId: show.id, seatIds: [A2] });
          await releaseHold(t.db, { userId: bob, bookingId: held.booking.id });
          await sleep(400);
          // Committed, and not a word on the channel: the news is written down instead.
          expect(heard).toEqual([]);
          const waiting = await t.db.select().from(seatNews).where(sql`${seatNews.showId} = ${show.id}`);
          expect(waiting).toHaveLength(3);
          // Another instance's announcer finds the lock taken and says so.
          expect(await announceSeatNews(t.db)).toMatchObject({ busy: true, rows: 0, notified: 0 });
        });
      } finally {
        await blocker.end();
      }
      // The lock is free: this announcer (or the test server's, whichever looks first) takes all three.
      await announceSeatNews(t.db);
      for (let i = 0; i < 20 && heard.length === 0; i++) await sleep(50);
      // One NOTIFY for the show; A2, held then released, says only its newest state.
      expect(heard.map((p) => JSON.parse(p))).toEqual([{ s: show.id, c: { [A1]: "H", [A2]: "A" } }]);
      expect(await t.db.select().from(seatNews).where(sql`${seatNews.showId} = ${show.id}`)).toEqual([]);
    } finally {
      await listener.end();
    }
  });
});

describe("events priced per event, not per backlog", () => {
  it("a consumer gets no delivery of a type it does not subscribe to, and an event of a show without hooks writes no webhook delivery", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const { A1 } = await seatIdsByLabel(t.db, show.id);
    const [alice] = await makeUsers(t.db, 1);
    const paymentsOnly: Consumer = { name: `payments-${crypto.randomUUID()}`, events: ["booking.confirmed"], handle: async () => {} };
    const everything: Consumer = { name: `all-${crypto.randomUUID()}`, events: EVENT_NAMES, handle: async () => {} };
    const held = await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [A1] });
    await relayAll(t.db, inProcessTransport([paymentsOnly, everything]));
    const deliveries = await t.db
      .select({ consumer: eventDeliveries.consumer })
      .from(eventDeliveries)
      .where(sql`${eventDeliveries.consumer} in (${paymentsOnly.name}, ${everything.name})`);
    expect(deliveries).toEqual([{ consumer: everything.name }]);
    const hooks = await t.db
      .select()
      .from(webhookDeliveries)
      .where(sql`${webhookDeliveries.body} like ${`%${held.booking.id}%`}`);
    expect(hooks).toEqual([]);
  });

  it("a claim reads no more than its batch, with 100,000 deliveries waiting that the planner has not been told of", async () => {
    const consumer = `backlog-${crypto.randomUUID()}`;
    // The planner's statistics stay as they were (autovacuum kept away), so it plans as for a small table.
    for (const table of ["outbox", "event_deliveries", "webhook_deliveries"])
      await t.db.execute(sql.raw(`alter table ${table} set (autovacuum_enabled = false)`));
    // 100,000 events waiting for one consumer, and as many webhook deliveries for one hook.
    const show = await makeShow(t.db, { startsAt: farFuture() });
    await t.db.execute(sql`
      with events as (
        insert into outbox (name, at, show_id, payload)
        select 'booking.held', now(), ${show.id}, '{}'::jsonb from generate_series(1, 100000)
        returning id, event_id
      )
      insert into event_deliveries (consumer, event_id, outbox_id, next_at) select ${consumer}, event_id, id, now() - interval '1 minute' from events`);
    await t.db.execute(sql`
      with hook as (insert into webhooks (show_id, url, secret) values (${show.id}, 'http://127.0.0.1:9/hook', 'secret') returning id)
      insert into webhook_deliveries (webhook_id, event_id, event_name, body, next_at, created_at)
      select hook.id, gen_random_uuid(), 'booking.held', '{}', now() - interval '1 minute', now() from hook, generate_series(1, 100000)`);
    const known = await t.db.execute<{ relname: string; reltuples: number }>(
      sql`select relname, reltuples::float8 as reltuples from pg_class where relname in ('event_deliveries', 'webhook_deliveries')`,
    );
    for (const table of known) expect(table.reltuples).toBeLessThan(100_000);

    const now = new Date();
    const lease = new Date(now.getTime() + 60_000);
    for (const [claim, table, index] of [
      [claimDeliveriesQuery(consumer, now, lease, 50), "event_deliveries", "event_deliveries_open_idx"],
      [claimWebhooksQuery(now, lease, 20), "webhook_deliveries", "webhook_deliveries_open_idx"],
    ] as const) {
      const limit = table === "event_deliveries" ? 50 : 20;
      const nodes = planNodes(await explainInRolledBack(claim));
      const reads = nodes.filter((n) => n["Relation Name"] === table && String(n["Node Type"]).includes("Scan"));
      // The table is read in the claim's order through its open index, and no further than the batch.
      expect(reads.some((n) => n["Node Type"] === "Index Scan" && n["Index Name"] === index)).toBe(true);
      for (const n of reads) {
        expect(n["Node Type"]).not.toBe("Seq Scan");
        expect(Number(n["Actual Rows"]) * Number(n["Actual Loops"] ?? 1)).toBeLessThanOrEqual(limit);
      }
      expect(nodes.some((n) => n["Node Type"] === "Seq Scan" && ["outbox", table].includes(String(n["Relation Name"])))).toBe(false);
    }
    // And the worker takes the batch it claims.
    const handled: string[] = [];
    const working: Consumer = { name: consumer, events: EVENT_NAMES, handle: async (_tx, event) => void handled.push(event.id) };
    expect(await deliverDue(t.db, [working], new Date(), undefined, 50)).toEqual({ done: 50, failed: 0, dead: 0 });
    expect(new Set(handled).size).toBe(50);
  });
});

describe("the hold costs the database what it did, not what planning it costs", () => {
  it("the hold statement is planned once per connection (a generic plan), and the per-buyer limit reads the buyer's own index, not the show's, on a bookings table never analysed", async () => {
    // Autovacuum kept away from bookings: the planner plans for a table it was never told of.
    await t.db.execute(sql.raw("alter table bookings set (autovacuum_enabled = false)"));
    const show = await makeShow(t.db, { startsAt: farFuture(), layout: { kind: "THEATRE", rows: 20, seatsPerRow: 20, aisleAfter: [] } });
    const ids = Object.values(await seatIdsByLabel(t.db, show.id)).sort((a, b) => a - b);
    const buyers = await makeUsers(t.db, 300);
    const one = connectDatabase(t.url, { max: 1 });
    try {
      const indexScans = async () => {
        await one.sql`select pg_stat_force_next_flush()`;
        const rows = await one.sql<{ name: string; scans: number }[]>`
          select indexrelname as name, idx_scan::int as scans from pg_stat_user_indexes
          where indexrelname in ('bookings_user_show_held_idx', 'bookings_show_address_held_idx', 'bookings_show_idx')`;
        return Object.fromEntries(rows.map((r) => [r.name, r.scans]));
      };
      const before = await indexScans();
      for (let i = 0; i < 300; i++) await placeHold(one.db, { userId: buyers[i], showId: show.id, seatIds: [ids[i]] });
      const after = await indexScans();
      // Each hold summed its buyer's holds of the show through the buyer's index; no hold read
      // the show's held bookings (the address brake is off here, so its index is not read at all).
      expect(after.bookings_user_show_held_idx - before.bookings_user_show_held_idx).toBeGreaterThanOrEqual(300);
      // (bookings_held_expiry_idx is left out: the test server's sweeper reads it in the background.)
      for (const index of ["bookings_show_address_held_idx", "bookings_show_idx"])
        expect(after[index] - before[index], index).toBe(0);

      // The hold statement (the one that calls holdfast_abort) was never planned for its values.
      const [plans] = await one.sql<{ generic: number; custom: number }[]>`
        select generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements
        where statement like '%holdfast_abort%' and statement like '%insert into bookings%'`;
      expect(plans).toEqual({ generic: 300, custom: 0 });
    } finally {
      await one.close();
      await t.db.execute(sql.raw("alter table bookings reset (autovacuum_enabled)"));
    }
  });
});

/** EXPLAIN ANALYZE of a data-changing statement, undone. */
async function explainInRolledBack(statement: ReturnType<typeof claimDeliveriesQuery>) {
  const client = postgres(t.url, { max: 1, onnotice: () => {} });
  try {
    const conn = await client.reserve();
    try {
      await conn`begin`;
      const text = new PgDialect({ casing: "snake_case" }).sqlToQuery(statement);
      const [row] = await conn.unsafe(`explain (analyze, format json) ${text.sql}`, text.params as never[]);
      await conn`rollback`;
      return row["QUERY PLAN"];
    } finally {
      conn.release();
    }
  } finally {
    await client.end();
  }
}

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };
function planNodes(plan: unknown): PlanNode[] {
  const out: PlanNode[] = [];
  const walk = (node: PlanNode) => {
    out.push(node);
    for (const child of node.Plans ?? []) walk(child);
  };
  for (const top of plan as Array<{ Plan: PlanNode }>) walk(top.Plan);
  return out;
}

describe("never tell a buyer a stored hold failed", () => {
  it("a hold that cannot get a connection in time is refused (DatabaseBusy) before anything is sent: nothing is stored", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const { B1 } = await seatIdsByLabel(t.db, show.id);
    const [carol] = await makeUsers(t.db, 1);
    const client = postgres(t.url, { max: 1, onnotice: () => {} });
    try {
      const only = await client.reserve();
      const refused = oneTripTransaction(
        client,
        [{ text: "update seats set status = 'BLOCKED', version = version + 1 where id = $1", params: [B1] }],
        undefined,
        { acquireTimeoutMs: 200 },
      );
      await expect(refused).rejects.toBeInstanceOf(DatabaseBusy);
      only.release();
      await sleep(100);
      const [seat] = await t.db.select({ status: seats.status }).from(seats).where(sql`${seats.id} = ${B1}`);
      expect(seat.status).toBe("AVAILABLE");
      // A hold whose request was answered meanwhile (its claim refused) sends nothing either.
      await expect(placeHold(t.db, { userId: carol, showId: show.id, seatIds: [B1], claim: () => false })).rejects.toBeInstanceOf(
        DatabaseBusy,
      );
      expect(await t.db.select().from(bookings).where(sql`${bookings.userId} = ${carol}`)).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it("a transaction whose connection dies under it fails with a catchable error: the process goes on (patches/postgres+3.4.9.patch)", async () => {
    const client = postgres(t.url, { max: 1, onnotice: () => {} });
    try {
      const conn = await client.reserve();
      const [{ pid }] = await conn`select pg_backend_pid() as pid`;
      await t.db.execute(sql`select pg_terminate_backend(${pid}::int)`);
      await sleep(200);
      // Unpatched, this write is scheduled on a socket that is gone, and the process dies.
      await expect(conn`select 1`).rejects.toMatchObject({ code: expect.stringMatching(/^CONNECTION_/) });
      conn.release();
      expect(await client`select 1 as ok`).toEqual([{ ok: 1 }]);
    } finally {
      await client.end();
    }
  });

  it("holds already sent when the pool is exhausted are answered with the hold (API, page with and without JavaScript); a request still waiting is answered 503 and stores nothing", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const ids = await seatIdsByLabel(t.db, show.id);
    const api = await apiUser(t.db);
    const [pageUser, scriptUser, lateUser] = await Promise.all([signedIn(), signedIn(), signedIn()]);
    // Warm: the instance's caches (sessions, seat places) are filled, so the holds below only wait on the lock.
    expect((await pageUser.client.get(`/shows/${show.id}`)).status).toBe(200);
    type Answer = { status: number; headers: Headers; body: string };
    const read = async (r: { status: number; headers: Headers; text(): Promise<string> }): Promise<Answer> => ({
      status: r.status,
      headers: r.headers,
      body: await r.text(),
    });
    const form = (seat: number) =>
      new URLSearchParams([
        ["intent", "hold"],
        ["seat", String(seat)],
      ]).toString();
    const formHeaders = { "Content-Type": "application/x-www-form-urlencoded" };

    // An admin's reset takes the show's lock alone; holds wait for it inside their transactions.
    const locker = postgres(t.url, { max: 1, onnotice: () => {} });
    await locker`select pg_advisory_lock(hashtextextended(${`show:${show.id}`}, 0))`;
    let sent: Array<Promise<Answer>> = [];
    let late: Answer;
    try {
      sent = [
        fetch(`${server.url}/api/v1/shows/${show.id}/holds`, {
          method: "POST",
          headers: { Authorization: `Bearer ${api.token}`, "Content-Type": "application/json" },
          body: JSON.stringify({ seatIds: [ids.A1] }),
        }).then(read),
        pageUser.client.request(`/shows/${show.id}`, { method: "POST", body: form(ids.A2), headers: formHeaders }).then(read),
        scriptUser.client
          .request(`/shows/${show.id}?_data=${encodeURIComponent("routes/shows.$showId")}`, {
            method: "POST",
            body: form(ids.A3),
            headers: { ...formHeaders, "Sec-Fetch-Dest": "empty" },
          })
          .then(read),
      ];
      // The three holds now have the pool's three connections, waiting on the lock.
      await sleep(500);
      // A fourth waits for a connection. The watchdog (2 s) finds the database not answering its
      // ping (no connection is free): the request still waiting is answered 503; the holds in
      // flight are not.
      late = await lateUser.client.request(`/shows/${show.id}`, { method: "POST", body: form(ids.A4), headers: formHeaders }).then(read);
      expect(await Promise.race([Promise.all(sent).then(() => "answered"), sleep(300).then(() => "waiting")])).toBe("waiting");
    } finally {
      await locker`select pg_advisory_unlock(hashtextextended(${`show:${show.id}`}, 0))`;
      await locker.end();
    }
    expect(late.status).toBe(503);
    expect(late.headers.get("retry-after")).toBe("5");
    const [viaApi, withoutScript, withScript] = await Promise.all(sent);
    // Each hold that was sent is answered with the hold.
    expect(viaApi.status).toBe(201);
    const booked = (JSON.parse(viaApi.body) as { booking: { id: string; seats: Array<{ label: string }> } }).booking;
    expect(booked.seats.map((s) => s.label)).toEqual(["A1"]);
    expect(withoutScript.status).toBe(302);
    expect(withoutScript.headers.get("location")).toMatch(/^\/bookings\/[0-9a-f-]{36}$/);
    expect(withScript.status).toBe(204);
    expect(withScript.headers.get("x-remix-redirect")).toMatch(/^\/bookings\/[0-9a-f-]{36}$/);
    // The request answered 503 held nothing, then or later.
    await sleep(500);
    expect(await t.db.select().from(bookings).where(sql`${bookings.userId} = ${lateUser.id}`)).toEqual([]);
    const [c4] = await t.db.select({ status: seats.status }).from(seats).where(sql`${seats.id} = ${ids.A4}`);
    expect(c4.status).toBe("AVAILABLE");
    const held = await t.db.select({ userId: bookings.userId }).from(bookings).where(sql`${bookings.showId} = ${show.id}`);
    expect(held.map((b) => b.userId).sort()).toEqual([api.id, pageUser.id, scriptUser.id].sort());
  });
});

async function signedIn() {
  const user = await apiUser(t.db);
  const client = new TestClient(server.url);
  expect((await client.post("/login", { email: user.email, password: FIXTURE_PASSWORD })).status).toBe(302);
  return { ...user, client };
}
