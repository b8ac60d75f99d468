import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase } from "~/db/client.server";
import { placeHold } from "~/domain/holds.server";
import { sweepAllExpiredHolds } from "~/domain/sweeper.server";
import { ApiClient, apiUser, Contract } from "../support/api";
import {
  FIXTURE_PASSWORD,
  inconsistentSeats,
  makeShow,
  makeUsers,
  NOW,
  seatIdsByLabel,
  seatsInTwoLiveBookings,
} from "../support/factories";
import { findPgbouncer, type Pgbouncer, startPgbouncer } from "../support/pgbouncer";
import { capturingLogger, serverEnv, useServer } from "../support/server";
import { useTestDatabase } from "../support/test-database";

/**
 * Holdfast behind pgbouncer in transaction mode (docs/several-instances.md, "pgbouncer"): each transaction may land on
 * any of a few server connections, so nothing may lean on session state. The app runs with
 * DATABASE_POOLER=transaction (statements unnamed) and DATABASE_DIRECT_URL (migrations, LISTEN);
 * advisory locks are transaction-scoped. Three server connections serve a pool of twelve.
 */
const binary = findPgbouncer();
if (!binary)
  console.warn(
    "SKIPPED tests/integration/pgbouncer.test.ts: pgbouncer is not installed (Debian: apt-get install pgbouncer; .ci/run installs it)",
  );

const POOL = 3;
const t = useTestDatabase();
let bouncer: Pgbouncer;
const log = capturingLogger("error");

describe.skipIf(!binary)("behind pgbouncer in transaction mode", () => {
  beforeAll(async () => {
    bouncer = await startPgbouncer(binary as string, t.url, { poolSize: POOL });
  });
  const server = useServer(
    () =>
      serverEnv(bouncer.url, {
        DATABASE_DIRECT_URL: t.url,
        DATABASE_POOLER: "transaction",
        DB_POOL_SIZE: "12",
        AUTH_RATE_LIMIT_PER_MINUTE: "100",
        SWEEP_INTERVAL_SECONDS: "86400",
      }),
    { logger: log.logger },
  );
  afterAll(async () => {
    await bouncer?.stop();
  });

  // The API through the tests' client, every answer checked against the served OpenAPI document.
  let client: ApiClient;
  beforeAll(async () => {
    client = new ApiClient(server.url, await Contract.load(server.url));
  });
  const api = (method: string, path: string, token?: string, body?: unknown, headers?: Record<string, string>) =>
    client.as(token).call(method, path, { body, headers });
  const farFuture = () => new Date(Date.now() + 30 * 86_400_000);

  it("sells a flash sale's seats once each: 40 buyers at once on 10 seats, pages read meanwhile, then pay and release", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const ids = Object.values(await seatIdsByLabel(t.db, show.id));
    const buyers = await Promise.all(Array.from({ length: 40 }, () => apiUser(t.db)));
    const [holds, pages] = await Promise.all([
      Promise.all(
        buyers.map((b, i) =>
          api("POST", `/api/v1/shows/${show.id}/holds`, b.token, {
            seatIds: [ids[i % 10], ids[(i * 3 + 1) % 10]].filter((v, j, a) => a.indexOf(v) === j),
          }),
        ),
      ),
      Promise.all(Array.from({ length: 20 }, () => fetch(`${server.url}/shows/${show.id}`).then((r) => r.status))),
    ]);
    expect(holds.every((h) => h.status === 201 || h.status === 409)).toBe(true);
    expect(holds.filter((h) => h.status === 201).length).toBeGreaterThan(0);
    expect(pages.every((s) => s === 200)).toBe(true);
    expect(await seatsInTwoLiveBookings(t.db, new Date())).toHaveLength(0);
    expect(await inconsistentSeats(t.db)).toEqual([]);

    const won = holds.map((h, i) => ({ h, buyer: buyers[i] })).filter(({ h }) => h.status === 201);
    const paid = await api(
      "POST",
      `/api/v1/bookings/${won[0].h.body.booking?.id}/confirm`,
      won[0].buyer.token,
      { card: "4242424242424242" },
      { "Idempotency-Key": "pgbouncer-pay-1" },
    );
    expect(paid.status).toBe(200);
    if (won[1]) expect((await api("DELETE", `/api/v1/bookings/${won[1].h.body.booking?.id}`, won[1].buyer.token)).status).toBe(200);
    expect(await inconsistentSeats(t.db)).toEqual([]);
  });

  it("counts log-in guesses in PostgreSQL through it (the brake's upsert is one transaction)", async () => {
    const { email } = await apiUser(t.db);
    const outcomes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${server.url}/api/v1/auth/token`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ email, password: `wrong-${i}` }),
      });
      outcomes.push(response.status);
    }
    expect(outcomes).toEqual([401, 401, 401, 401, 401, 429]);
    const right = await fetch(`${server.url}/api/v1/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-Forwarded-For": "203.0.113.50" },
      body: JSON.stringify({ email, password: FIXTURE_PASSWORD }),
    });
    // The socket's address is the client's (no TRUST_PROXY): still the guesser's, still braked.
    expect(right.status).toBe(429);
  });

  it("streams a live map's changes: LISTEN is on the direct connection, the NOTIFY comes from a hold through pgbouncer", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const { B2 } = await seatIdsByLabel(t.db, show.id);
    const abort = new AbortController();
    const stream = await fetch(`${server.url}/shows/${show.id}/events`, { signal: abort.signal });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    /** Reads the stream until it says `what`, for at most `ms`. */
    const until = async (what: RegExp, ms: number) => {
      const timer = setTimeout(() => abort.abort(), ms);
      try {
        while (!what.test(text)) {
          const { done, value } = await reader.read();
          if (done) throw new Error("the stream ended");
          text += decoder.decode(value);
        }
      } catch {
        throw new Error(`the stream did not say ${what} within ${ms} ms; it said: ${text}`);
      } finally {
        clearTimeout(timer);
      }
    };
    await until(/"live":true/, 5000);
    const buyer = await apiUser(t.db);
    const started = Date.now();
    expect((await api("POST", `/api/v1/shows/${show.id}/holds`, buyer.token, { seatIds: [B2] })).status).toBe(201);
    await until(new RegExp(`"${B2}":\\s*"H"`), 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    abort.abort();
  });

  it("lets two instances' sweepers take turns through it: every ended hold expired exactly once", async () => {
    const HOLDS = 60;
    const users = await makeUsers(t.db, HOLDS);
    const show = await makeShow(t.db, { layout: { kind: "THEATRE", rows: 6, seatsPerRow: 10, aisleAfter: [] } });
    const ids = Object.values(await seatIdsByLabel(t.db, show.id));
    for (let i = 0; i < HOLDS; i++) await placeHold(t.db, { userId: users[i], showId: show.id, seatIds: [ids[i]] }, NOW);
    const instances = [0, 1].map(() => connectDatabase(bouncer.url, { max: 3, pooler: "transaction" }));
    try {
      const later = new Date(NOW.getTime() + 86_400_000);
      const runs = await Promise.all(instances.flatMap((instance) => [0, 1, 2].map(() => sweepAllExpiredHolds(instance.db, later, 10))));
      expect(runs.some((r) => r.seatsFreed > 0)).toBe(true);
      await sweepAllExpiredHolds(instances[0].db, later, 10);
      const [left] = await t.db.execute<{ held: number; audits: number; twice: number }>(sql`
        select (select count(*) from bookings where show_id = ${show.id} and status = 'HELD')::int as held,
               (select count(*) from audit_log where show_id = ${show.id} and action = 'expire')::int as audits,
               (select count(*) from (select booking_id from audit_log where show_id = ${show.id} and action = 'expire'
                 group by booking_id having count(*) > 1) d)::int as twice`);
      expect(left).toEqual({ held: 0, audits: HOLDS, twice: 0 });
    } finally {
      await Promise.all(instances.map((i) => i.close()));
    }
  });

  it("really multiplexed: the app's twelve connections shared at most three server connections, and nothing went wrong", async () => {
    const console = postgres(bouncer.adminUrl, { max: 1, fetch_types: false, onnotice: () => {} });
    try {
      const pools = (await console.unsafe("SHOW POOLS").simple()) as unknown as Array<{
        database: string;
        sv_active: string;
        sv_idle: string;
        sv_used: string;
      }>;
      const ours = pools.find((p) => p.database === t.name);
      expect(ours).toBeDefined();
      expect(Number(ours?.sv_active) + Number(ours?.sv_idle) + Number(ours?.sv_used)).toBeLessThanOrEqual(POOL);
    } finally {
      await console.end();
    }
    expect(log.lines().filter((line) => line.level === "error" || line.level === "50")).toEqual([]);
  });
});
