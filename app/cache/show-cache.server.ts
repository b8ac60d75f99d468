import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import type { Logger } from "~/logger.server";

/**
 * The show list's cache (REDIS_URL). Entries live in a generation: `<prefix>shows:gen` is a
 * counter, and every show.* event bumps it (the `cache` consumer), so every list cached before
 * the change is never read again; a TTL bounds the rest (the seats-left counts). The generation
 * is read before the list is, so a list read before a change and stored after it lands in the
 * old generation: never served. Without Redis nothing is cached. A Redis that fails is passed by:
 * the list comes from PostgreSQL and the page never waits on the cache for long.
 */
export interface ShowCache {
  readonly enabled: boolean;
  /** The cached value of `key` in the current generation, or `fill()`'s (then stored). */
  get<T>(key: string, fill: () => Promise<T>): Promise<T>;
  /** Every cached list is stale (a show was created, changed, cancelled or deleted). */
  invalidate(): Promise<void>;
  close(): Promise<void>;
}

export const noShowCache: ShowCache = {
  enabled: false,
  get: (_key, fill) => fill(),
  invalidate: async () => {},
  close: async () => {},
};

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
// Dates come back as Dates, as the loader had them from PostgreSQL.
const revive = (_key: string, value: unknown) => (typeof value === "string" && ISO_INSTANT.test(value) ? new Date(value) : value);

export function redisShowCache(url: string, options: { ttlSeconds: number; prefix?: string; log: Logger }): ShowCache {
  const prefix = options.prefix ?? "holdfast:";
  const redis = new Redis(url, {
    // Fail fast rather than queue: a page never waits on a Redis that is away.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 1000,
    commandTimeout: 500,
  });
  let lastComplaint = 0;
  const complain = (what: string, error: unknown) => {
    if (Date.now() - lastComplaint < 60_000) return; // once a minute while it lasts
    lastComplaint = Date.now();
    options.log.error(`show cache: ${what}; reading from PostgreSQL meanwhile`, error);
  };
  redis.on("error", (error) => complain("Redis is unreachable", error));
  const genKey = `${prefix}shows:gen`;
  return {
    enabled: true,
    async get(key, fill) {
      // Still connecting (just started, or reconnecting): PostgreSQL answers, without a complaint.
      if (redis.status !== "ready") return fill();
      let entry: string | undefined;
      try {
        const gen = (await redis.get(genKey)) ?? "0";
        entry = `${prefix}shows:${gen}:${createHash("sha256").update(key).digest("base64url")}`;
        const hit = await redis.get(entry);
        if (hit !== null) return JSON.parse(hit, revive);
      } catch (error) {
        complain("a read failed", error);
        return fill();
      }
      const value = await fill();
      redis.set(entry, JSON.stringify(value), "EX", options.ttlSeconds).catch((error) => complain("a write failed", error));
      return value;
    },
    async invalidate() {
      await redis.incr(genKey);
    },
    async close() {
      redis.disconnect();
    },
  };
}
