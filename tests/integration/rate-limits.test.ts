import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthRateLimiter, deleteLapsedRateLimits, limitsFor } from "~/auth/rate-limit.server";
import { connectDatabase, type Database } from "~/db/client.server";
import { RateLimited } from "~/domain/errors";
import { attempt } from "../support/rate-limit";
import { useTestDatabase } from "../support/test-database";

/**
 * The log-in and sign-up brakes behind a load balancer: every instance counts in PostgreSQL,
 * so a guesser spreading attempts over N instances gets one budget, not N.
 */
const t = useTestDatabase();
let other: Database;
beforeAll(() => {
  // A second instance: its own pool on the same database.
  other = connectDatabase(t.url, { max: 2 });
});
afterAll(() => other?.close());

describe("the brakes, shared by instances through PostgreSQL", () => {
  it("stop one address guessing one account after 5 failures in all, whichever instance each guess reached", async () => {
    const a = new AuthRateLimiter(100, { db: t.db });
    const b = new AuthRateLimiter(100, { db: other.db });
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push(await attempt(i % 2 ? b : a, "198.51.100.1", "owner@example.com", false));
    expect(outcomes).toEqual(["wrong", "wrong", "wrong", "wrong", "wrong", "limited"]);
    expect(await attempt(a, "198.51.100.1", "owner@example.com", true)).toBe("limited");
    // The owner elsewhere is not locked out, on either instance.
    expect(await attempt(b, "203.0.113.9", "owner@example.com", true)).toBe("ok");
  });

  it("count an address's attempts per minute across instances, concurrent ones included", async () => {
    const limits = limitsFor(10);
    const instances = [new AuthRateLimiter(10, { db: t.db, limits }), new AuthRateLimiter(10, { db: other.db, limits })];
    const outcomes = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        instances[i % 2].signUp("192.0.2.7").then(
          () => "ok",
          (e) => (e instanceof RateLimited ? "limited" : e),
        ),
      ),
    );
    // Exactly the budget passes: the upsert counts atomically, never two at once past the limit.
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(10);
    expect(outcomes.filter((o) => o === "limited")).toHaveLength(6);
  });

  it("a success on one instance clears the pair's count for all", async () => {
    const a = new AuthRateLimiter(100, { db: t.db });
    const b = new AuthRateLimiter(100, { db: other.db });
    for (let i = 0; i < 4; i++) await attempt(a, "198.51.100.2", "typo@example.com", false);
    expect(await attempt(b, "198.51.100.2", "typo@example.com", true)).toBe("ok");
    for (let i = 0; i < 4; i++) expect(await attempt(a, "198.51.100.2", "typo@example.com", false)).toBe("wrong");
  });

  it("keep no email or address in clear (an HMAC under the server's secret), and the jobs delete lapsed counts", async () => {
    const a = new AuthRateLimiter(100, { db: t.db, keySecret: "a server secret" });
    await attempt(a, "198.51.100.77", "secret.person@example.com", false);
    const rows = await t.db.execute<{ key: string }>(sql`select key from rate_limits`);
    expect(rows.length).toBeGreaterThan(0);
    for (const { key } of rows) {
      expect(key).not.toMatch(/example\.com|198\.51/);
      expect(key).toMatch(/^auth-(ip|pair|email):[A-Za-z0-9_-]{43}$/);
    }
    const before = rows.length;
    expect(await deleteLapsedRateLimits(t.db, new Date())).toBe(0); // none lapsed yet
    expect(await deleteLapsedRateLimits(t.db, new Date(Date.now() + 2 * 3600_000))).toBe(before);
    const [left] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from rate_limits`);
    expect(left.n).toBe(0);
  });
});
