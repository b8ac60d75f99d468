import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { placeHold } from "~/domain/holds.server";
import { checkInvariants, violationCount } from "../../bench/lib/invariants";
import type { BenchResults } from "../../bench/lib/report";
import { makeShow, makeUsers, NOW, seatIdsByLabel } from "../support/factories";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();

describe("the benchmark's invariant checks", () => {
  it("find nothing wrong in a clean sale, and catch a double sale and a hold the database does not have", async () => {
    const [alice, bob] = await makeUsers(t.db, 2);
    const show = await makeShow(t.db);
    const { A1, A2 } = await seatIdsByLabel(t.db, show.id);
    const held = await placeHold(t.db, { userId: alice, showId: show.id, seatIds: [A1, A2] }, NOW);
    const seen = [{ bookingId: held.booking.id, userId: alice, seatIds: [A2, A1] }];
    expect(violationCount(await checkInvariants(t.db, show.id, seen, NOW))).toBe(0);

    // A hold reported to a client that is not stored, or stored for someone else.
    const missing = await checkInvariants(t.db, show.id, [...seen, { bookingId: crypto.randomUUID(), userId: bob, seatIds: [A1] }], NOW);
    expect(missing.missingHolds).toBe(1);
    const wrong = await checkInvariants(t.db, show.id, [{ ...seen[0], userId: bob }], NOW);
    expect(wrong.wrongHolder).toBe(1);

    // A second live booking on A1, forced past the app (as a broken hold path would leave it).
    await t.db.execute(sql`
      with b as (
        insert into bookings (reference, user_id, show_id, status, expires_at, seat_count, amount_cents, currency, created_at, updated_at)
        values ('DOUBLE0001', ${bob}, ${show.id}, 'HELD', ${new Date(NOW.getTime() + 600_000).toISOString()}::timestamptz, 1, 1000, 'GBP', now(), now())
        returning id)
      insert into booking_seats (booking_id, seat_id, price_cents) select id, ${A1}, 1000 from b`);
    const doubled = await checkInvariants(t.db, show.id, seen, NOW);
    expect(doubled.seatsInTwoLiveBookings).toBe(1);
    expect(doubled.examples.join(" ")).toMatch(/in 2 live bookings/);
  });
});

describe("npm run bench -- --short", () => {
  it("runs every path against a real server, checks the invariants, and writes its results", async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), "holdfast-bench-smoke-"));
    try {
      const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", "bench/run.ts", "--short", "--out", out], {
          cwd: path.resolve(import.meta.dirname, "../.."),
          env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production" },
        });
        let text = "";
        child.stdout.on("data", (d) => (text += d));
        child.stderr.on("data", (d) => (text += d));
        child.on("exit", (exitCode) => resolve({ code: exitCode, output: text }));
      });
      expect(code, output).toBe(0);
      const results = JSON.parse(await readFile(path.join(out, "latest.json"), "utf8")) as BenchResults;
      expect(results.violations).toBe(0);
      const paths = new Set(results.holds.map((h) => h.path));
      for (const name of [
        "API, bearer token (JSON)",
        "page, JavaScript (data request)",
        "page, no JavaScript",
        "domain hold on postgres.js, no HTTP (reference)",
        "Remix no-op route (reference)",
      ]) {
        expect(paths).toContain(name);
      }
      for (const row of results.holds) {
        expect(row.unexpected, row.path).toEqual({});
        expect(row.requestsPerSecond, row.path).toBeGreaterThan(0);
        if (!row.path.includes("reference") || row.path.startsWith("domain")) expect(row.holdsPerSecond, row.path).toBeGreaterThan(0);
      }
      expect(results.pages.map((p) => p.page)).toContain("500-seat map page");
      // The arena's pages in Chromium (as the end-to-end tests, the suite needs a browser).
      const loaded = new Map(results.browser?.map((b) => [b.page, b]));
      for (const mode of ["first visit", "from the show list"]) {
        const section = loaded.get(`20,000-seat arena: the plan and one section · ${mode}`);
        expect(section?.loadP50, mode).toBeGreaterThan(0);
        expect(section?.bytes, mode).toBeLessThan(150 * 1024);
        expect(loaded.get(`20,000-seat arena: the plan · ${mode}`)?.elements, mode).toBeLessThan(1_000);
      }
      expect(await readFile(path.join(out, "latest.md"), "utf8")).toContain("| path | clients |");
      expect(await readFile(path.join(out, "latest.svg"), "utf8")).toContain("<svg");
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 180_000);
});
