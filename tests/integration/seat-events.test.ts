import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { placeHold } from "~/domain/holds.server";
import { createLogger } from "~/logger.server";
import { startServer } from "~/server/start.server";
import { apiUser } from "../support/api";
import { makeShow, makeUsers, seatIdsByLabel } from "../support/factories";
import { serverEnv, useServer } from "../support/server";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();
// Two instances on one database, as behind a load balancer.
const a = useServer(() => serverEnv(t.url, { AUTH_RATE_LIMIT_PER_MINUTE: "0" }));
const b = useServer(() => serverEnv(t.url, { AUTH_RATE_LIMIT_PER_MINUTE: "0" }));
const farFuture = () => new Date(Date.now() + 7 * 86_400_000);

interface Stream {
  events: Array<Record<string, unknown>>;
  /** The next event that passes `match`, or a failure after `ms`. */
  next(match: (event: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  close(): void;
}

/** Opens GET /shows/:id/events as a browser's EventSource would, and collects its events. */
async function openStream(baseUrl: string, showId: string): Promise<Stream> {
  const abort = new AbortController();
  const response = await fetch(`${baseUrl}/shows/${showId}/events`, { headers: { Accept: "text/event-stream" }, signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  expect(response.headers.get("x-accel-buffering")).toBe("no");
  const events: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split("\n")
            .filter((line) => line.startsWith("data: "))
            .map((line) => line.slice(6))
            .join("\n");
          if (data) events.push(JSON.parse(data));
          for (const wake of waiters) wake();
        }
      }
    } catch {
      // Closed by the test.
    }
  })();
  return {
    events,
    next(match, ms = 1_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${ms} ms; got ${JSON.stringify(events)}`));
        }, ms);
        if (!check()) waiters.add(check);
      });
    },
    close: () => abort.abort(),
  };
}

describe("live seat maps across instances (PostgreSQL LISTEN/NOTIFY, Server-Sent Events)", () => {
  it("a hold made through instance A reaches a map open on instance B within a second, and so do payment, release and expiry", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const ids = await seatIdsByLabel(t.db, show.id);
    const other = await makeShow(t.db, { startsAt: farFuture() });
    const stream = await openStream(b.url, show.id);
    try {
      const buyer = await apiUser(t.db);
      const started = Date.now();
      const held = await fetch(`${a.url}/api/v1/shows/${show.id}/holds`, {
        method: "POST",
        headers: { Authorization: `Bearer ${buyer.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ seatIds: [ids.A1, ids.A2] }),
      });
      expect(held.status).toBe(201);
      const booking = ((await held.json()) as { booking: { id: string } }).booking;
      const event = await stream.next((e) => (e.c as Record<string, string> | undefined)?.[ids.A1] === "H");
      expect(Date.now() - started).toBeLessThan(1_000);
      // The show, and each changed seat's new state; never whose hold it is.
      expect(event).toEqual({ s: show.id, c: { [ids.A1]: "H", [ids.A2]: "H" } });

      const paid = await fetch(`${a.url}/api/v1/bookings/${booking.id}/confirm`, {
        method: "POST",
        headers: { Authorization: `Bearer ${buyer.token}`, "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
        body: JSON.stringify({ card: "4242424242424242" }),
      });
      expect(paid.status).toBe(200);
      await stream.next((e) => (e.c as Record<string, string> | undefined)?.[ids.A1] === "B");

      // A hold on another show says nothing to this map; one on this show, made and released, does.
      const [someone] = await makeUsers(t.db, 1);
      await placeHold(t.db, { userId: someone, showId: other.id, seatIds: [(await seatIdsByLabel(t.db, other.id)).A1] });
      const mine = await placeHold(t.db, { userId: someone, showId: show.id, seatIds: [ids.B5] });
      await stream.next((e) => (e.c as Record<string, string> | undefined)?.[ids.B5] === "H");
      await t.db.execute(
        sql`update seats set status = 'AVAILABLE', holder_id = null, booking_id = null, expires_at = null where booking_id = ${mine.booking.id}`,
      );
      await stream.next((e) => (e.c as Record<string, string> | undefined)?.[ids.B5] === "A");
      // Besides "live": only this show's changes.
      expect(stream.events.filter((e) => e.live === undefined).every((e) => e.s === show.id)).toBe(true);
      expect(stream.events[0]).toEqual({ live: true });
    } finally {
      stream.close();
    }
  });

  it("a change too big for one NOTIFY tells the map to reload everything", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture(), layout: { kind: "THEATRE", rows: 40, seatsPerRow: 50, aisleAfter: [] } });
    const stream = await openStream(a.url, show.id);
    try {
      await t.db.execute(sql`update seats set status = 'BLOCKED', version = version + 1 where show_id = ${show.id}`);
      expect(await stream.next((e) => e.all === true)).toEqual({ s: show.id, all: true });
    } finally {
      stream.close();
    }
  });

  it("answers 404 for an unknown or malformed show, 400 for an address that is not UTF-8, and a rolled-back change sends nothing", async () => {
    expect((await fetch(`${b.url}/shows/${crypto.randomUUID()}/events`)).status).toBe(404);
    expect((await fetch(`${b.url}/shows/%ff/events`)).status).toBe(400);
    const malformed = await fetch(`${b.url}/shows/not-a-show/events`);
    expect(malformed.status).toBe(404);
    expect(await malformed.json()).toEqual({ error: { code: "not_found", message: "There is no such show" } });

    const show = await makeShow(t.db, { startsAt: farFuture() });
    const ids = await seatIdsByLabel(t.db, show.id);
    // The show's id in capitals names the same show: its changes come all the same.
    const stream = await openStream(b.url, show.id.toUpperCase());
    try {
      await t.db
        .transaction(async (tx) => {
          await tx.execute(sql`update seats set status = 'BLOCKED', version = version + 1 where id = ${ids.A3}`);
          throw new Error("roll back");
        })
        .catch(() => {});
      await t.db.execute(sql`update seats set status = 'BLOCKED', version = version + 1 where id = ${ids.A4}`);
      await stream.next((e) => (e.c as Record<string, string> | undefined)?.[ids.A4] === "X");
      expect(stream.events.some((e) => (e.c as Record<string, string> | undefined)?.[ids.A3])).toBe(false);
    } finally {
      stream.close();
    }
  });

  it("ends its open streams when the instance shuts down, so shutting down never waits on a map", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const third = await startServer({ env: serverEnv(t.url), logger: createLogger("silent") });
    const response = await fetch(`${third.url}/shows/${show.id}/events`);
    expect(response.status).toBe(200);
    const started = Date.now();
    await third.close();
    // Without ending the streams the HTTP server would wait 10 s for them, then cut them.
    expect(Date.now() - started).toBeLessThan(3_000);
    const rest = await response.text();
    expect(rest).toContain("retry: 2000");
  });
});
