/**
 * postgres.js 3.4.9 fetches a new connection's array types with a query whose promise nobody
 * holds: a connection destroyed while that query waits (the pool ended, the database dropped)
 * rejected it unhandled, which ends a Node process. Seen in a CI run (production.test.ts, the
 * database dropped under a server). The patch (patches/postgres+3.4.9.patch) lets that rejection
 * go; the query that was waiting for the connection is still told.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { withDatabase } from "../support/global-setup";

describe("a connection destroyed while it fetches its types", () => {
  it("rejects the waiting query, and leaves no unhandled rejection behind", async () => {
    const adminUrl = inject("adminDatabaseUrl");
    const name = `holdfast_types_${randomBytes(4).toString("hex")}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    const blocker = postgres(withDatabase(adminUrl, name), { max: 1, onnotice: () => {} });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      // Hold the catalog the types query reads, so the new connection waits inside that query.
      const locked = await blocker.reserve();
      await locked`begin`;
      await locked.unsafe("lock table pg_catalog.pg_type in access exclusive mode");
      const client = postgres(withDatabase(adminUrl, name), { max: 1, onnotice: () => {}, fetch_types: true });
      const waiting = client`select 1 as one`.catch((error: Error & { code?: string }) => error);
      // Until the types query is the one waiting on the lock.
      for (let i = 0; i < 200; i++) {
        const [row] = await admin<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity where datname = ${name} and query like '%typarray%' and wait_event_type = 'Lock'`;
        if (row.n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const [seen] = await admin<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity where datname = ${name} and query like '%typarray%' and wait_event_type = 'Lock'`;
      expect(seen.n, "the types query waits on the lock").toBe(1);
      await client.end({ timeout: 0 });
      const outcome = await waiting;
      expect(outcome).toBeInstanceOf(Error);
      expect((outcome as { code?: string }).code).toBe("CONNECTION_DESTROYED");
      await locked`rollback`;
      locked.release();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      await blocker.end();
      await admin.unsafe(`drop database "${name}" with (force)`);
      await admin.end();
    }
  });
});
