/**
 * `npm run bench`: the flash-sale benchmark, side by side in one run.
 *
 * Builds nothing itself (the npm script builds first), starts the production server in its own
 * process on a fresh database (embedded, or a new database on the server in DATABASE_URL), and
 * for each client count runs, alternating, the references (a no-op express route, a no-op Remix
 * route, the domain's hold called straight on postgres.js with no HTTP) and the candidates (the
 * JSON API's hold with a bearer token, the seat map form's data request as the browser's
 * JavaScript sends it, and the same form without JavaScript). Half the holds go for 20 hot seats of a 20,000-seat show, the rest anywhere. After
 * every cell the invariants are checked in SQL; a violation fails the run.
 *
 *   npm run bench                       full run (≈ 4 minutes)
 *   npm run bench -- --short            a few seconds: the smoke test inside `npm test`
 *   npm run bench -- --seconds 10 --clients 16,150 --out /tmp/results
 *   npm run bench -- --only browser     the arena's pages in Chromium (load event), and nothing else
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync, inflateSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { findNginx, startCluster } from "~/cluster/cluster";
import { SeatsUnavailable } from "~/domain/errors";
import { holdStats, placeHold } from "~/domain/holds.server";
import { DEMO_LAYOUTS, type LayoutSpec, seatCount } from "~/domain/layouts";
import { DEFAULT_BOOKING_SETTINGS } from "~/domain/settings";
import { sweepAllExpiredHolds } from "~/domain/sweeper.server";
import { loadPagesInTurn, openBrowser } from "./lib/browser";
import { freshDatabase } from "./lib/database";
import { BENCH_SECRET, type Buyer, makeBuyers, makeShow, seatIdsOf } from "./lib/fixtures";
import { checkInvariants, type SeenHold, violationCount } from "./lib/invariants";
import { type BenchAnswer, type BenchRequest, percentile, runLoad } from "./lib/load";
import { machineDescription, postgresCpuMs, processCpuMs } from "./lib/proc";
import { type BenchResults, type HoldRow, markdown, type PageRow, svgChart } from "./lib/report";
import { PROJECT, type ServerProcess, startServerProcess } from "./lib/server";

const { values: args } = parseArgs({
  options: {
    short: { type: "boolean", default: false },
    seconds: { type: "string" },
    clients: { type: "string" },
    out: { type: "string" },
    only: { type: "string" },
    profile: { type: "string" },
    cluster: { type: "string" },
  },
});
/** `--only page` runs just the cells whose path contains the text; `--profile DIR` writes the server's CPU profile there. */
const only = (name: string) => !args.only || name.toLowerCase().includes(args.only.toLowerCase());
const SHORT = args.short;
const SECONDS = Number(args.seconds ?? (SHORT ? 1 : 5));
const CLIENTS = (args.clients ?? (SHORT ? "4" : "16,64,150")).split(",").map(Number);
const OUT = path.resolve(args.out ?? path.join(PROJECT, "bench", "results"));
const ARENA: LayoutSpec = SHORT
  ? { kind: "THEATRE", rows: 20, seatsPerRow: 100, aisleAfter: [50] }
  : { kind: "THEATRE", rows: 100, seatsPerRow: 200, aisleAfter: [50, 100, 150] };
const THEATRE_500: LayoutSpec = { kind: "THEATRE", rows: 20, seatsPerRow: 25, aisleAfter: [5, 20] };
/** Every server the benchmark starts (the one, or a cluster's instances) runs with these. */
const serverEnv: Record<string, string> = {
  SESSION_SECRET: BENCH_SECRET,
  AUTH_RATE_LIMIT_PER_MINUTE: "0",
  DB_POOL_SIZE: String(Math.max(10, Math.min(50, Math.max(...CLIENTS)))),
  HOLD_TTL_SECONDS: "900",
  // The server's own sweeper stays out of the way: the sweep is timed by itself, below.
  SWEEP_INTERVAL_SECONDS: "86400",
  // Every simulated buyer comes from loopback: the brake on hoarding per address stays off.
  MAX_HELD_SEATS_PER_ADDRESS: "0",
};

/** The demo arena's zones: its layout names them. */
const ARENA_ZONES = [
  { name: "Premium", priceCents: 9000 },
  { name: "Standard", priceCents: 6000 },
  { name: "Value", priceCents: 3500 },
];
const HOT_SEATS = 20;
const SWEEP_HOLDS = SHORT ? 2_000 : 100_000;

const database = await freshDatabase(Math.max(...CLIENTS) + 4);
const { db } = database;
let server: ServerProcess | undefined;
const results: BenchResults = {
  startedAt: new Date().toISOString(),
  machine: machineDescription(),
  database: database.embedded ? "embedded PostgreSQL 17" : "PostgreSQL from DATABASE_URL",
  mode: SHORT ? "short" : "full",
  secondsPerCell: SECONDS,
  holds: [],
  pages: [],
  timings: {},
  violations: 0,
};

/**
 * Where the cells send their requests, and whose CPU and counters they read: the one server, or
 * (`--cluster N`) nginx in front of N instances, their CPU and counters summed.
 */
let target: { url: string; pids: number[]; metricsUrls: string[] } | undefined;

/** The servers' own counters (GET /metrics, loopback only), summed over the instances. */
async function metrics(): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  for (const url of target!.metricsUrls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const m of text.matchAll(/^(holdfast_\w+) (\d+)$/gm)) sums[m[1]] = (sums[m[1]] ?? 0) + Number(m[2]);
  }
  return sums;
}
const targetCpuMs = () => target!.pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);

type SeatPattern = { name: string; pick: (seats: number[]) => number[] };
const random = (n: number) => Math.floor(Math.random() * n);
/** Half the requests want one of the hot seats (and its neighbours), the rest any seat of the show. */
function seatsFrom(seats: number[], count: number): number[] {
  const start = Math.random() < 0.5 ? random(HOT_SEATS) : random(seats.length - count);
  return seats.slice(start, start + count);
}
const PATTERNS: SeatPattern[] = [
  { name: "1", pick: (seats) => seatsFrom(seats, 1) },
  { name: "2–4", pick: (seats) => seatsFrom(seats, 2 + random(3)) },
];

interface Candidate {
  name: string;
  request: (showId: string, buyer: Buyer, seatIds: number[]) => BenchRequest;
  /** The booking id when the answer says the hold succeeded; null for a clean conflict; undefined otherwise. */
  outcome: (answer: BenchAnswer) => string | null | undefined;
}

const form = (seatIds: number[]) => new URLSearchParams([["intent", "hold"], ...seatIds.map((id) => ["seat", String(id)])]).toString();
const bookingIdIn = (location: unknown) => /^\/bookings\/([0-9a-f-]{36})$/.exec(String(location ?? ""))?.[1];

const CANDIDATES: Candidate[] = [
  {
    name: "page, JavaScript (data request)",
    request: (showId, buyer, seatIds) => ({
      method: "POST",
      path: `/shows/${showId}?_data=${encodeURIComponent("routes/shows.$showId")}`,
      headers: { Cookie: buyer.cookie, "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Dest": "empty" },
      body: form(seatIds),
    }),
    outcome: (a) => (a.status === 204 ? bookingIdIn(a.headers["x-remix-redirect"]) : a.status === 409 ? null : undefined),
  },
  {
    name: "page, no JavaScript",
    request: (showId, buyer, seatIds) => ({
      method: "POST",
      path: `/shows/${showId}`,
      headers: { Cookie: buyer.cookie, "Content-Type": "application/x-www-form-urlencoded", "Accept-Encoding": "gzip, deflate, br" },
      body: form(seatIds),
    }),
    outcome: (a) => (a.status === 302 ? bookingIdIn(a.headers.location) : a.status === 409 ? null : undefined),
  },
  {
    name: "API, bearer token (JSON)",
    request: (showId, buyer, seatIds) => ({
      method: "POST",
      path: `/api/v1/shows/${showId}/holds`,
      headers: { Authorization: `Bearer ${buyer.token}`, "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ seatIds }),
    }),
    outcome: (a) => {
      if (a.status === 201) return (JSON.parse(a.body.toString()) as { booking: { id: string } }).booking.id;
      return a.status === 409 && a.body.includes('"seats_unavailable"') ? null : undefined;
    },
  },
];
const [PAGE_JS, PAGE_NO_JS, API] = CANDIDATES;

function row(pathName: string, clients: number, seats: string, load: Awaited<ReturnType<typeof runLoad>>): HoldRow {
  const sorted = [...load.latencies].sort((a, b) => a - b);
  return {
    path: pathName,
    clients,
    seats,
    requestsPerSecond: load.requests / load.seconds,
    holdsPerSecond: 0,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? 0,
    serverCpuMsPerRequest: null,
    postgresCpuMsPerRequest: 0,
    statementsPerRequest: null,
    casRetries: null,
    fallbacks: null,
    unexpected: {},
    violations: 0,
  };
}

async function measureHttp(
  pathName: string,
  clients: number,
  seats: string,
  next: (client: number, seq: number) => BenchRequest,
  onAnswer?: Parameters<typeof runLoad>[0]["onAnswer"],
) {
  const before = { cpu: targetCpuMs(), pg: postgresCpuMs(), m: await metrics() };
  const load = await runLoad({ baseUrl: target!.url, clients, seconds: SECONDS, next, onAnswer });
  const after = { cpu: targetCpuMs(), pg: postgresCpuMs(), m: await metrics() };
  const r = row(pathName, clients, seats, load);
  const requests = Math.max(1, load.requests);
  r.serverCpuMsPerRequest = (after.cpu - before.cpu) / requests;
  r.postgresCpuMsPerRequest = (after.pg - before.pg) / requests;
  // The two /metrics requests themselves send no statements.
  r.statementsPerRequest = (after.m.holdfast_db_statements_total - before.m.holdfast_db_statements_total) / requests;
  r.casRetries = after.m.holdfast_hold_cas_retries_total - before.m.holdfast_hold_cas_retries_total;
  r.fallbacks = after.m.holdfast_hold_lock_fallbacks_total - before.m.holdfast_hold_lock_fallbacks_total;
  for (const error of load.errors) r.unexpected[`network: ${error}`] = (r.unexpected[`network: ${error}`] ?? 0) + 1;
  return { r, load };
}

let buyerCursor = 0;
async function holdCell(candidate: Candidate, clients: number, pattern: SeatPattern, buyers: Buyer[]) {
  if (!only(candidate.name)) return;
  const show = await makeShow(db, `${candidate.name} · ${clients} · ${pattern.name}`, ARENA);
  results.timings[`create a ${seatCount(ARENA)}-seat show (last)`] = show.seconds;
  const seats = await seatIdsOf(db, show.id);
  const seen: SeenHold[] = [];
  const unexpected: Record<string, number> = {};
  // Each client waits for its answer before asking again: its latest request is the one answered.
  const asked: Array<{ buyer: Buyer; seatIds: number[] }> = [];
  const { r } = await measureHttp(
    candidate.name,
    clients,
    pattern.name,
    (client) => {
      const buyer = buyers[buyerCursor++ % buyers.length];
      const seatIds = pattern.pick(seats);
      asked[client] = { buyer, seatIds };
      return candidate.request(show.id, buyer, seatIds);
    },
    (client, _req, answer) => {
      const outcome = candidate.outcome(answer);
      if (outcome) seen.push({ bookingId: outcome, userId: asked[client].buyer.id, seatIds: asked[client].seatIds });
      else if (outcome === undefined) unexpected[String(answer.status)] = (unexpected[String(answer.status)] ?? 0) + 1;
    },
  );
  Object.assign(r.unexpected, unexpected);
  r.holdsPerSecond = seen.length / SECONDS;
  const violations = await checkInvariants(db, show.id, seen);
  r.violations = violationCount(violations);
  if (r.violations) console.error(`  INVARIANT VIOLATIONS in ${candidate.name}: ${violations.examples.join("; ")}`);
  results.holds.push(r);
  report(r);
}

async function referenceCell(name: string, pathName: string, clients: number) {
  if (!only(name)) return;
  const { r, load } = await measureHttp(name, clients, "–", () => ({ method: "GET", path: pathName }));
  for (const [status, count] of Object.entries(load.statuses)) if (status !== "200") r.unexpected[status] = count;
  results.holds.push(r);
  report(r);
}

/** The domain's hold straight on postgres.js, no HTTP: the floor under every path above. */
async function rawCell(clients: number, pattern: SeatPattern, buyers: Buyer[]) {
  if (!only("domain hold on postgres.js, no HTTP (reference)")) return;
  const show = await makeShow(db, `raw · ${clients} · ${pattern.name}`, ARENA);
  const seats = await seatIdsOf(db, show.id);
  const seen: SeenHold[] = [];
  const latencies: number[] = [];
  const unexpected: Record<string, number> = {};
  const before = {
    cpu: process.cpuUsage(),
    pg: postgresCpuMs(),
    stmts: database.stats.statements,
    retries: holdStats.casRetries,
    fallbacks: holdStats.lockFallbacks,
  };
  const started = performance.now();
  const until = started + SECONDS * 1000;
  const settings = { ...DEFAULT_BOOKING_SETTINGS };
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const buyer = buyers[buyerCursor++ % buyers.length];
        const seatIds = pattern.pick(seats);
        const t0 = performance.now();
        try {
          const held = await placeHold(db, { userId: buyer.id, showId: show.id, seatIds }, new Date(), settings);
          seen.push({ bookingId: held.booking.id, userId: buyer.id, seatIds });
        } catch (error) {
          if (!(error instanceof SeatsUnavailable)) unexpected[(error as Error).message] = (unexpected[(error as Error).message] ?? 0) + 1;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(before.cpu);
  const r = row("domain hold on postgres.js, no HTTP (reference)", clients, pattern.name, {
    requests: latencies.length,
    seconds,
    latencies,
    statuses: {},
    errors: [],
  });
  const requests = Math.max(1, latencies.length);
  r.serverCpuMsPerRequest = (cpu.user + cpu.system) / 1000 / requests;
  r.postgresCpuMsPerRequest = (postgresCpuMs() - before.pg) / requests;
  r.statementsPerRequest = (database.stats.statements - before.stmts) / requests;
  r.casRetries = holdStats.casRetries - before.retries;
  r.fallbacks = holdStats.lockFallbacks - before.fallbacks;
  r.holdsPerSecond = seen.length / seconds;
  r.unexpected = unexpected;
  const violations = await checkInvariants(db, show.id, seen);
  r.violations = violationCount(violations);
  results.holds.push(r);
  report(r);
}

function report(r: HoldRow) {
  const other = Object.entries(r.unexpected)
    .map(([s, c]) => `${c}× ${s}`)
    .join(", ");
  console.log(
    `${r.path.padEnd(48)} ${String(r.clients).padStart(3)} cl ${r.seats.padStart(4)} seats ${r.requestsPerSecond.toFixed(0).padStart(6)} req/s ${r.holdsPerSecond.toFixed(0).padStart(5)} holds/s ` +
      `p50 ${r.p50.toFixed(1).padStart(6)} p99 ${r.p99.toFixed(1).padStart(7)} ms  cpu ${r.serverCpuMsPerRequest?.toFixed(3) ?? "–"} pg ${r.postgresCpuMsPerRequest.toFixed(3)} ms/req ` +
      `stmts ${r.statementsPerRequest?.toFixed(1) ?? "–"}${other ? `  other: ${other}` : ""}${r.violations ? `  VIOLATIONS ${r.violations}` : ""}`,
  );
}

async function pageCell(name: string, pathName: string, clients: number) {
  if (!only(name)) return;
  const first = await fetch(`${server!.url}${pathName}`, { headers: { "Accept-Encoding": "identity" } });
  const bytes = Buffer.from(await first.arrayBuffer()).length;
  let gzipBytes = 0;
  const { r } = await measureHttp(
    name,
    clients,
    "–",
    () => ({ method: "GET", path: pathName, headers: { "Accept-Encoding": "gzip, deflate, br" } }),
    (_c, _r, answer) => {
      gzipBytes = answer.body.length;
      // The page must arrive whole and readable, whichever encoding the server chose.
      const encoding = answer.headers["content-encoding"];
      const page = encoding === "gzip" ? gunzipSync(answer.body) : encoding === "deflate" ? inflateSync(answer.body) : answer.body;
      if (Math.abs(page.length - bytes) > 64) throw new Error(`${pathName}: ${page.length} bytes after decoding, about ${bytes} expected`);
    },
  );
  const page: PageRow = {
    page: name,
    requestsPerSecond: r.requestsPerSecond,
    p50: r.p50,
    p99: r.p99,
    serverCpuMsPerRequest: r.serverCpuMsPerRequest ?? 0,
    bytes,
    gzipBytes,
  };
  results.pages.push(page);
  console.log(
    `${name.padEnd(48)} ${page.requestsPerSecond.toFixed(0).padStart(6)} req/s p50 ${page.p50.toFixed(1)} ms p99 ${page.p99.toFixed(1)} ms cpu ${page.serverCpuMsPerRequest.toFixed(3)} ms/req ${(bytes / 1024).toFixed(1)} KiB, ${(gzipBytes / 1024).toFixed(1)} KiB gzipped`,
  );
}

/** SWEEP_HOLDS expired one-seat holds, made in bulk, then one sweep (as the job runs it) timed. */
async function sweepTiming(buyers: Buyer[]) {
  if (!only("sweep")) return;
  const showsNeeded = Math.ceil(SWEEP_HOLDS / 20_000);
  const layout: LayoutSpec = { kind: "THEATRE", rows: 100, seatsPerRow: Math.min(200, Math.ceil(SWEEP_HOLDS / 100)), aisleAfter: [] };
  const past = new Date(Date.now() - 60_000).toISOString();
  for (let i = 0; i < showsNeeded; i++) {
    const show = await makeShow(db, `sweep ${i}`, layout);
    await db.execute(sql`
      with picked as (
        select s.id as seat_id, gen_random_uuid() as booking_id,
               (${`{${buyers.map((b) => b.id).join(",")}}`}::uuid[])[1 + (row_number() over (order by s.id) % ${buyers.length})::int] as user_id
        from seats s where s.show_id = ${show.id}
      ), b as (
        insert into bookings (id, reference, user_id, show_id, status, expires_at, seat_count, amount_cents, currency, created_at, updated_at)
        select booking_id, upper(substr(md5(booking_id::text), 1, 10)), user_id, ${show.id}, 'HELD', ${past}::timestamptz, 1, 5000, 'GBP', now(), now() from picked
        returning id
      ), bs as (
        insert into booking_seats (booking_id, seat_id) select booking_id, seat_id from picked
      )
      update seats s set status = 'PENDING', holder_id = p.user_id, booking_id = p.booking_id, expires_at = ${past}::timestamptz, version = version + 1
      from picked p where s.id = p.seat_id`);
  }
  await db.execute(sql`vacuum analyze seats`);
  await db.execute(sql`vacuum analyze bookings`);
  const started = performance.now();
  const swept = await sweepAllExpiredHolds(db, new Date());
  const seconds = (performance.now() - started) / 1000;
  results.timings[`sweep ${SWEEP_HOLDS.toLocaleString("en")} expired holds (${swept.seatsFreed.toLocaleString("en")} seats freed)`] =
    seconds;
  console.log(
    `one sweep of ${SWEEP_HOLDS.toLocaleString("en")} expired holds: ${seconds.toFixed(3)} s, ${swept.seatsFreed} seats freed, ${swept.bookingsExpired} bookings expired`,
  );
}

/**
 * `--cluster N`: the API's hold through nginx in front of N instances, in turns with the same
 * cell on the single server, on the same database. Every cell's invariants are checked as ever.
 */
async function clusterCells(instances: number, buyers: Buyer[], single: NonNullable<typeof target>) {
  if (!findNginx()) {
    console.log(`\n— no cluster cells: nginx is not installed (Debian: apt-get install nginx)`);
    return;
  }
  const prefix = await mkdtemp(path.join(os.tmpdir(), "holdfast-bench-nginx-"));
  const cluster = await startCluster({
    instances,
    port: 20_000 + Math.floor(Math.random() * 30_000),
    projectRoot: PROJECT,
    // The database's connections shared out: N pools of the one server's size would not fit.
    env: {
      ...serverEnv,
      DATABASE_URL: database.url,
      DB_POOL_SIZE: String(Math.max(5, Math.floor(Number(serverEnv.DB_POOL_SIZE) / instances))),
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
      NODE_ENV: "production",
      PUBLIC_URL: "http://127.0.0.1",
      // E-mails of the instances' payments, in the nginx folder (removed below), never the project's .data.
      MAIL_DIR: path.join(prefix, "mail"),
    },
    prefix,
    output: "ignore",
  });
  try {
    const inCluster = {
      url: cluster.url,
      pids: cluster.instances.map((i) => i.process.pid ?? 0),
      metricsUrls: cluster.instances.map((i) => i.url),
    };
    console.log(`\n— ${instances} instances behind nginx (API hold), in turns with the single server`);
    for (const clients of CLIENTS) {
      for (const pattern of PATTERNS) {
        target = single;
        await holdCell(API, clients, pattern, buyers);
        target = inCluster;
        await holdCell({ ...API, name: `API, ${instances} instances behind nginx` }, clients, pattern, buyers);
      }
    }
  } finally {
    target = single;
    await cluster.stop();
    await rm(prefix, { recursive: true, force: true });
  }
}

try {
  console.log(
    `Holdfast benchmark (${results.mode}): ${results.machine}; ${results.database}; ${SECONDS} s per cell; clients ${CLIENTS.join(", ")}`,
  );
  const buyers = await makeBuyers(db, SHORT ? 2_000 : 20_000);
  // Open every pooled connection first (scram authentication is slow): measure holds, not logins.
  await Promise.all(Array.from({ length: Math.max(...CLIENTS) }, () => database.sql`select pg_sleep(0.02)`));
  server = await startServerProcess(
    {
      ...serverEnv,
      DATABASE_URL: database.url,
      // A line per request, as in production; BENCH_LOG_LEVEL=error measures the server without them.
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
    },
    args.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(args.profile)}`] : [],
  );
  const single = { url: server.url, pids: [server.pid], metricsUrls: [server.url] };
  target = single;
  // Warm the server (JIT, every pooled connection's prepared statements, caches) on a throwaway
  // show before anything is measured.
  const warm = await makeShow(db, "warm-up", ARENA);
  const warmSeats = await seatIdsOf(db, warm.id);
  await runLoad({
    baseUrl: server.url,
    clients: Math.max(...CLIENTS),
    seconds: SHORT ? 0.5 : 4,
    next: (_c, s) =>
      s % 4 === 0
        ? { method: "GET", path: "/ping" }
        : CANDIDATES[(s % 4) - 1].request(warm.id, buyers[buyerCursor++ % buyers.length], PATTERNS[1].pick(warmSeats)),
  });

  for (const clients of CLIENTS) {
    console.log(`\n— ${clients} clients`);
    for (const pattern of PATTERNS) {
      await referenceCell("express no-op route (reference)", "/healthz", clients);
      await holdCell(API, clients, pattern, buyers);
      await holdCell(PAGE_JS, clients, pattern, buyers);
      await referenceCell("Remix no-op route (reference)", "/ping", clients);
      await holdCell(PAGE_NO_JS, clients, pattern, buyers);
      await rawCell(clients, pattern, buyers);
    }
  }

  if (args.cluster) await clusterCells(Number(args.cluster), buyers, single);

  console.log("\n— pages");
  const theatre = await makeShow(db, "Bench Theatre", THEATRE_500);
  const theatreSeats = await seatIdsOf(db, theatre.id);
  // A third of the theatre is held, so the map has every kind of seat.
  for (let i = 0; i < 40; i++) {
    await placeHold(db, { userId: buyers[i].id, showId: theatre.id, seatIds: theatreSeats.slice(i * 12, i * 12 + 4) });
  }
  const arena = await makeShow(db, "Bench Arena (map)", ARENA);
  for (const clients of [8]) {
    await pageCell("500-seat map page", `/shows/${theatre.id}`, clients);
    await pageCell("500 seats as JSON (API, reference)", `/api/v1/shows/${theatre.id}`, clients);
    await pageCell(`${SHORT ? "2,000" : "20,000"}-seat map page`, `/shows/${arena.id}`, clients);
  }

  if (only("browser")) {
    console.log("\n— pages in Chromium (load event, fresh context each load, in turns)");
    const browser = await openBrowser();
    if (browser) {
      try {
        const sectioned = await makeShow(db, "Bench Arena (by section)", DEMO_LAYOUTS.arena, ARENA_ZONES);
        const pages = [
          { name: "log-in page (the app's smallest: React and Remix alone, reference)", path: "/login" },
          { name: `${SHORT ? "2,000" : "20,000"} seats in one block (every seat on the page, reference)`, path: `/shows/${arena.id}` },
          { name: "20,000-seat arena: the plan", path: `/shows/${sectioned.id}` },
          {
            name: "20,000-seat arena: the plan and one section",
            path: `/shows/${sectioned.id}?section=${encodeURIComponent("Block 104")}`,
          },
        ];
        const rows = [
          ...(await loadPagesInTurn(browser, server.url, pages, SHORT ? 1 : 10, "first visit")),
          ...(await loadPagesInTurn(browser, server.url, pages, SHORT ? 1 : 10, "from the show list")),
        ];
        results.browser = rows;
        for (const b of rows) {
          console.log(
            `${b.page.padEnd(90)} load p50 ${b.loadP50.toFixed(0).padStart(5)} ms p90 ${b.loadP90.toFixed(0).padStart(5)} ms first paint ${b.paintP50.toFixed(0).padStart(4)} ms ${(b.bytes / 1024).toFixed(1)} KiB ${b.elements} elements`,
          );
        }
      } finally {
        await browser.close();
      }
    }
  }

  console.log("\n— timings");
  const creations: number[] = [];
  for (let i = 0; i < (only("create") ? (SHORT ? 1 : 3) : 0); i++)
    creations.push(
      (await makeShow(db, `creation ${i}`, { kind: "THEATRE", rows: 100, seatsPerRow: 200, aisleAfter: [50, 100, 150] })).seconds,
    );
  creations.sort((a, b) => a - b);
  if (creations.length) results.timings["create a 20,000-seat show (median)"] = creations[Math.floor(creations.length / 2)];
  delete results.timings[`create a ${seatCount(ARENA)}-seat show (last)`];
  console.log(`create a 20,000-seat show: ${creations.map((s) => s.toFixed(3)).join(", ")} s`);
  await sweepTiming(buyers);

  results.violations = results.holds.reduce((sum, h) => sum + h.violations, 0);
  await mkdir(OUT, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, "-");
  await writeFile(path.join(OUT, `bench-${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(path.join(OUT, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(path.join(OUT, "latest.md"), markdown(results));
  await writeFile(path.join(OUT, "latest.svg"), svgChart(results));
  console.log(`\n${markdown(results)}\nResults in ${OUT}`);
  const unexpected = results.holds.flatMap((h) => Object.keys(h.unexpected));
  if (results.violations > 0) {
    console.error(`FAILED: ${results.violations} invariant violation(s)`);
    process.exitCode = 1;
  } else if (unexpected.length > 0) {
    console.error(`FAILED: answers other than success or a clean conflict: ${[...new Set(unexpected)].join(", ")}`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(error);
  if (server) console.error(server.output().slice(-4000));
  process.exitCode = 1;
} finally {
  await server?.stop();
  await database.stop();
}
process.exit(process.exitCode ?? 0);
