import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { apiUser } from "../support/api";
import { makeShow } from "../support/factories";
import { capturingLogger, serverEnv, useServer } from "../support/server";
import { serviceAnswers } from "../support/services";
import { useTestDatabase } from "../support/test-database";

/**
 * The show list's cache in Redis (REDIS_URL; the machine's on 127.0.0.1:6379 here): filled by
 * reads, made stale by show.* events through the outbox, so it never serves a list older than the
 * last committed show change by more than a second. Skipped, and said so, without a Redis.
 */
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const reachable = await serviceAnswers(REDIS_URL, 6379);
if (!reachable)
  console.warn(
    `SKIPPED tests/integration/show-cache.test.ts: no Redis at ${new URL(REDIS_URL).host} (set REDIS_URL, or start redis-server)`,
  );

const t = useTestDatabase();
const prefix = `holdfast-test-${randomUUID().slice(0, 8)}:`;
const inAWeek = () => new Date(Date.now() + 7 * 86_400_000);

describe.skipIf(!reachable)("the show list, cached in Redis", () => {
  // A TTL far longer than the test: only the events make the list fresh.
  const server = useServer(() =>
    serverEnv(t.url, { REDIS_URL, REDIS_KEY_PREFIX: prefix, CACHE_TTL_SECONDS: "3600", AUTH_RATE_LIMIT_PER_MINUTE: "0" }),
  );
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
  const listed = async (path = "/api/v1/shows?limit=100") => {
    const response = await fetch(`${server.url}${path}`, { headers: { Accept: "application/json" } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { shows: Array<{ id: string; name: string }> }).shows;
  };

  it("serves reads from the cache, and a show an admin creates is on the list within a second", async () => {
    // The server's Redis connection may still be opening at its first request: list until the cache holds it.
    let first = await listed();
    for (const end = Date.now() + 5000; (await redis.keys(`${prefix}shows:*:*`)).length === 0 && Date.now() < end; ) {
      await new Promise((r) => setTimeout(r, 50));
      first = await listed();
    }
    expect(await redis.keys(`${prefix}shows:*:*`)).not.toHaveLength(0);
    // A show written behind the app's back (no event): the cached list does not have it — it is the cache answering.
    const hidden = await makeShow(t.db, { startsAt: inAWeek() });
    expect((await listed()).map((s) => s.id)).not.toContain(hidden.id);
    expect((await listed()).length).toBe(first.length);

    const boss = await apiUser(t.db, "ADMIN");
    const name = `Cached ${randomUUID().slice(0, 6)}`;
    const created = await fetch(`${server.url}/api/v1/admin/shows`, {
      method: "POST",
      headers: { Authorization: `Bearer ${boss.token}`, "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({
        name,
        venue: "Hall",
        city: "Leeds",
        timeZone: "Europe/London",
        startsAt: inAWeek().toISOString(),
        currency: "GBP",
        priceZones: [{ name: "Stalls", priceCents: 4500 }],
        layout: { kind: "THEATRE", sections: [{ name: "Stalls", rows: 2, seatsPerRow: 4, aisleAfter: [], zone: "Stalls" }] },
      }),
    });
    expect(created.status).toBe(201);
    const committed = Date.now();
    let seenAfter = Number.POSITIVE_INFINITY;
    while (Date.now() - committed < 3000) {
      const [api, page] = await Promise.all([listed(), fetch(`${server.url}/`).then((r) => r.text())]);
      if (api.some((s) => s.name === name) && page.includes(name)) {
        seenAfter = Date.now() - committed;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seenAfter).toBeLessThan(1000);
    // The new generation's list is read afresh: the hidden show is on it too.
    expect((await listed()).map((s) => s.id)).toContain(hidden.id);
  });

  it("filters and pages are cached apart, and bad filters are answered 400 and never cached", async () => {
    const leeds = await listed("/api/v1/shows?city=Leeds&limit=100");
    expect(leeds.every((s) => s.name)).toBe(true);
    const bad = await fetch(`${server.url}/api/v1/shows?limit=banana`, { headers: { Accept: "application/json" } });
    expect(bad.status).toBe(400);
    expect((await fetch(`${server.url}/?kind=NOPE`)).status).toBe(400);
  });
});

// A database of its own: instances on one database share its event deliveries, and this one's cache consumer fails.
const apart = useTestDatabase();

describe.skipIf(!reachable)("with Redis gone", () => {
  const log = capturingLogger("error");
  // Nothing listens on port 1: every cache call fails at once.
  const server = useServer(() => serverEnv(apart.url, { REDIS_URL: "redis://127.0.0.1:1", CACHE_TTL_SECONDS: "60" }), {
    logger: log.logger,
  });

  it("reads the list from PostgreSQL, quickly, and says so once", async () => {
    const show = await makeShow(apart.db, { startsAt: inAWeek() });
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${server.url}/api/v1/shows?limit=100`, { headers: { Accept: "application/json" } });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { shows: Array<{ id: string }> }).shows.map((s) => s.id)).toContain(show.id);
      expect((await fetch(`${server.url}/`)).status).toBe(200);
    }
    expect(Date.now() - started).toBeLessThan(5000);
    expect(log.lines().filter((l) => l.msg.startsWith("show cache:")).length).toBeLessThanOrEqual(1);
  });
});
