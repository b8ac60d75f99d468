/**
 * The process as an operator meets it (issue 11): what `npm start` starts is the server itself
 * (`node build/server.js`), so a signal to that PID stops everything it started; a `kill -9`
 * leaves the embedded PostgreSQL running, and the next start stops it and goes on on the same
 * data; a second Holdfast on a live folder is refused; and a `kill -9` in the middle of a flash
 * sale loses nothing a buyer was told.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { apiUser } from "../support/api";
import { inconsistentSeats, makeShow, seatIdsByLabel, seatsInTwoLiveBookings } from "../support/factories";
import { eventually, isAlive, listening, PROJECT, postmasterOf, type ServerProcess, startServerProcess } from "../support/process";
import { TEST_SECRET } from "../support/server";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase({ max: 4 });

const dirs: string[] = [];
async function tempDataDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-lifecycle-"));
  await chmod(dir, 0o755);
  dirs.push(dir);
  return dir;
}
const running: ServerProcess[] = [];
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill("SIGKILL");
  for (const dir of dirs) {
    // A postmaster a killed test left behind must not outlive the suite.
    const pm = await postmasterOf(dir).catch(() => null);
    if (pm && isAlive(pm.pid)) process.kill(pm.pid, "SIGQUIT");
    await rm(dir, { recursive: true, force: true });
  }
});

const embedded = (dataDir: string) => ({ HOLDFAST_DATA_DIR: dataDir, DEMO_SEED: "false", NODE_ENV: "development" });
async function start(env: Record<string, string>) {
  const server = await startServerProcess(env);
  running.push(server);
  return server;
}

describe("npm start", () => {
  it("runs the compiled server with node, no tsx at run time", () => {
    const pkg = JSON.parse(readFileSync(path.join(PROJECT, "package.json"), "utf8"));
    expect(pkg.scripts.start).toBe("node build/server.js");
    expect(pkg.scripts.build).toContain("--outfile=build/server.js");
  });

  it("stops on SIGTERM, SIGINT and SIGHUP alike, leaving no process and no listening port behind", { timeout: 120_000 }, async () => {
    const dataDir = await tempDataDir();
    for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
      const server = await start(embedded(dataDir));
      const postmaster = await postmasterOf(dataDir);
      expect(isAlive(postmaster.pid)).toBe(true);
      server.child.kill(signal);
      // Bounded, so a server that hangs on its way out fails here with what it printed.
      const exited = await Promise.race([server.exited, new Promise((r) => setTimeout(() => r("still running after 30 s"), 30_000))]);
      expect(exited, `${signal}:\n${server.output()}`).toBe(0);
      expect(server.output()).toContain(`${signal} received: shutting down`);
      await eventually(() => !isAlive(postmaster.pid), 10_000, `PostgreSQL to stop after ${signal}`);
      expect(await listening(server.port), `HTTP port after ${signal}`).toBe(false);
      expect(await listening(postmaster.port), `PostgreSQL port after ${signal}`).toBe(false);
    }
  });

  it("after a kill -9, the next start stops the PostgreSQL left behind and comes up on the same data", { timeout: 120_000 }, async () => {
    const dataDir = await tempDataDir();
    const first = await start(embedded(dataDir));
    const email = `${randomUUID()}@example.com`;
    const signup = await fetch(`${first.url}/api/v1/auth/signup`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "Survivor", email, password: "a-good-long-password" }),
    });
    expect(signup.status).toBe(201);
    const orphan = await postmasterOf(dataDir);

    first.child.kill("SIGKILL");
    await first.exited;
    expect(isAlive(orphan.pid)).toBe(true); // what a kill -9 leaves: PostgreSQL, still running

    const second = await start(embedded(dataDir));
    expect(second.output()).toContain(`Stopping the embedded PostgreSQL (PID ${orphan.pid}) left running`);
    expect(isAlive(orphan.pid)).toBe(false);
    const token = await fetch(`${second.url}/api/v1/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password: "a-good-long-password" }),
    });
    expect(token.status).toBe(200);

    // A second Holdfast on the same live folder is refused, naming the first.
    const third = await startServerProcess(embedded(dataDir)).catch((error: Error) => error);
    expect(third).toBeInstanceOf(Error);
    expect(String(third)).toContain(`Another Holdfast (PID ${second.child.pid}) is using the data folder`);
    expect((await fetch(`${second.url}/readyz`)).status).toBe(200);

    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});

describe("its log", () => {
  // A line per request goes to standard output. Written synchronously, a reader that does not
  // keep up (here: nobody reads for a while) stalled every request once the pipe was full.
  it("never stalls the server when nobody reads it for a while; what waited is written after", { timeout: 120_000 }, async () => {
    const server = await start({ DATABASE_URL: t.url, SESSION_SECRET: TEST_SECRET });
    server.child.stdout.pause();
    const before = server.output().length;
    let answered = 0;
    // About 2,000 lines of 200 bytes: several times what a pipe holds (64 KB).
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let i = 0; i < 100; i++) {
          const response = await fetch(`${server.url}/api/v1/shows?limit=1`, { signal: AbortSignal.timeout(10_000) });
          await response.arrayBuffer();
          if (response.status === 200) answered++;
        }
      }),
    );
    expect(answered).toBe(2000);
    expect(server.output().length - before).toBeLessThan(70_000); // nobody read while they were answered
    server.child.stdout.resume();
    await eventually(() => (server.output().match(/"path":"\/api\/v1\/shows"/g) ?? []).length === 2000, 15_000, "every request line");
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^holdfast_log_lines_dropped_total 0$/m);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });
});

describe("kill -9 in the middle of a flash sale", () => {
  it("keeps every seat consistent and every hold and payment a buyer was told of", { timeout: 120_000 }, async () => {
    const env = {
      DATABASE_URL: t.url,
      SESSION_SECRET: TEST_SECRET,
      AUTH_RATE_LIMIT_PER_MINUTE: "0",
      MAX_HELD_SEATS_PER_ADDRESS: "0",
    };
    const show = await makeShow(t.db, {
      startsAt: new Date(Date.now() + 7 * 86_400_000),
      layout: { kind: "THEATRE", rows: 4, seatsPerRow: 10, aisleAfter: [] },
    });
    const seatIds = Object.values(await seatIdsByLabel(t.db, show.id));
    const buyers = await Promise.all(Array.from({ length: 30 }, () => apiUser(t.db)));
    let server = await start(env);

    const toldHeld = new Map<string, string>(); // booking id → buyer id
    const toldPaid = new Set<string>();
    let stop = false;
    const call = (path: string, token: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}`, ...headers },
        body: JSON.stringify(body),
      });
    const buyer = async (who: (typeof buyers)[number], n: number) => {
      for (let round = 0; !stop; round++) {
        try {
          const pick = [seatIds[(n * 7 + round * 3) % seatIds.length], seatIds[(n * 11 + round * 5) % seatIds.length]];
          const held = await call(`/api/v1/shows/${show.id}/holds`, who.token, { seatIds: [...new Set(pick)] });
          if (held.status !== 201) continue;
          const { booking } = (await held.json()) as { booking: { id: string } };
          toldHeld.set(booking.id, who.id);
          if (round % 3 === 2) continue; // some holds are left to run out
          const card = round % 4 === 1 ? "4000 0000 0000 0002" : "4242 4242 4242 4242";
          const paid = await call(
            `/api/v1/bookings/${booking.id}/confirm`,
            who.token,
            { card },
            { "Idempotency-Key": `pay-${booking.id}` },
          );
          if (paid.status === 200) toldPaid.add(booking.id);
        } catch {
          // The server is gone: what this buyer was told so far stands; try again shortly.
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const crowd = Promise.all(buyers.map((b, i) => buyer(b, i)));
    await eventually(() => toldHeld.size >= 20 && toldPaid.size >= 5, 30_000, "the sale to get going");
    server.child.kill("SIGKILL");
    await server.exited;
    await new Promise((r) => setTimeout(r, 300));
    server = await start(env);
    await new Promise((r) => setTimeout(r, 1000)); // the crowd goes on against the new process
    stop = true;
    await crowd;

    const now = new Date();
    expect(await seatsInTwoLiveBookings(t.db, now)).toHaveLength(0);
    expect(await inconsistentSeats(t.db)).toHaveLength(0);
    const rows = await t.db.execute<{ id: string; user_id: string; status: string }>(
      sql`select id, user_id, status from bookings where show_id = ${show.id}`,
    );
    const stored = new Map(rows.map((r) => [r.id, r]));
    for (const [id, userId] of toldHeld) {
      expect(stored.get(id), `hold ${id}`).toMatchObject({ user_id: userId });
      // Still held, expired, paid, or released by its buyer after a declined card: never lost.
      expect(["HELD", "EXPIRED", "CONFIRMED", "RELEASED"]).toContain(stored.get(id)?.status);
    }
    for (const id of toldPaid) expect(stored.get(id)?.status, `payment ${id}`).toBe("CONFIRMED");
    // Each paid booking charged once.
    const [charges] = await t.db.execute<{ n: number; bookings: number }>(sql`
      select count(*)::int as n, count(distinct booking_id)::int as bookings from payments
      where status = 'SUCCEEDED' and booking_id in (select id from bookings where show_id = ${show.id})`);
    expect(charges.n).toBe(charges.bookings);
    expect(charges.bookings).toBeGreaterThanOrEqual(toldPaid.size);

    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });
});
