/**
 * `npm run bench`: the flash-sale benchmark, side by side in one run.
 *
 * Builds nothing itself (the npm script builds first), starts the production server in its own
 * process on a fresh database (embedded, or a new database on the server in DATABASE_URL), and
 * for each client count and seat pattern runs, alternating, the references (a no-op express route,
 * a no-op Remix route, the domain's hold called straight on postgres.js with no HTTP, and the naive
 * reference: the seed's hold written plainly with Express and pg, bench/naive/server.ts, on tables
 * of its own) and the candidates (the JSON API's hold with a bearer token, at each `--pool` size;
 * the seat map form's data request as the browser's JavaScript sends it; the same form without
 * JavaScript, on the flat show and on an arena's section). Half the holds go for 20 hot seats of a
 * 20,000-seat show (or of the section), the rest anywhere. After every Holdfast hold cell the bench
 * waits until the holds' events are drained (outbox, deliveries) and counts the statements of
 * request and events together; every hold path is reported ÷ the naive cell of its round. After
 * every cell the invariants are checked in SQL; a violation fails the run.
 *
 *   npm run bench                       full run
 *   npm run bench -- --short            a few seconds a cell: the smoke test inside `npm test`
 *   npm run bench -- --seconds 10 --clients 16,150 --out /tmp/results
 *   npm run bench -- --pool 10,50       the API's hold on one server per pool size (DB_POOL_SIZE; default 10)
 *   npm run bench -- --never-analysed   autovacuum off and no ANALYZE anywhere (the sweep's timing is skipped)
 *   npm run bench -- --only browser     the arena's pages in Chromium (load event), and nothing else
 *   npm run bench -- --only api         cells whose path contains the text (the naive cells come with any hold cell)
 *   npm run bench -- --cluster 3        also the API's hold through nginx in front of 3 instances
 *   npm run bench -- --profile DIR      the Holdfast servers' CPU profiles, written to DIR
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync, inflateSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { SeatsUnavailable } from "~/domain/errors";
import { holdStats, placeHold } from "~/domain/holds.server";
import { DEMO_LAYOUTS, type LayoutSpec, seatCount } from "~/domain/layouts";
import { DEFAULT_BOOKING_SETTINGS } from "~/domain/settings";
import { sweepAllExpiredHolds } from "~/domain/sweeper.server";
import { findNginx, startCluster } from "../tools/cluster/cluster";
import { loadPagesInTurn, openBrowser } from "./lib/browser";
import { analysedTables, freshDatabase, turnOffAutovacuum } from "./lib/database";
import { eventMonitor } from "./lib/events";
import { BENCH_SECRET, type Buyer, makeBuyers, makeShow, seatIdsOf, showCreation } from "./lib/fixtures";
import { checkInvariants, type SeenHold, type Violations, violationCount } from "./lib/invariants";
import { type BenchAnswer, type BenchRequest, type LoadResult, percentile, runLoad } from "./lib/load";
import { checkNaiveInvariants, createNaiveSchema, makeNaiveShow, naiveTokens, startNaiveServer } from "./lib/naive";
import { holdFormAction } from "./lib/page-form";
import { countPostgresOf, machineDescription, postgresCpuMs, processCpuMs } from "./lib/proc";
import { type BenchResults, type HoldRow, markdown, type NaiveRatios, type PageRow, svgChart } from "./lib/report";
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
    pool: { type: "string" },
    "never-analysed": { type: "boolean", default: false },
  },
});
/** `--only page` runs just the cells whose path contains the text; `--profile DIR` writes the servers' CPU profiles there. */
const only = (name: string) => !args.only || name.toLowerCase().includes(args.only.toLowerCase());
const SHORT = args.short;
const SECONDS = Number(args.seconds ?? (SHORT ? 1 : 5));
const CLIENTS = (args.clients ?? (SHORT ? "4" : "16,64,150")).split(",").map(Number);
/** Holdfast's DB_POOL_SIZE, one server per size; the first serves every cell, the others the API's hold in turns. */
const POOLS = (args.pool ?? "10").split(",").map(Number);
if (!POOLS.every((p) => Number.isInteger(p) && p >= 1 && p <= 500)) throw new Error(`--pool ${args.pool}: whole numbers from 1 to 500`);
const NEVER_ANALYSED = args["never-analysed"];
showCreation.analyse = !NEVER_ANALYSED;
const NAIVE_POOL = 10;
const OUT = path.resolve(args.out ?? path.join(PROJECT, "bench", "results"));
const ARENA: Extract<LayoutSpec, { rows: number }> = SHORT
  ? { kind: "THEATRE", rows: 20, seatsPerRow: 100, aisleAfter: [50] }
  : { kind: "THEATRE", rows: 100, seatsPerRow: 200, aisleAfter: [50, 100, 150] };
const THEATRE_500: LayoutSpec = { kind: "THEATRE", rows: 20, seatsPerRow: 25, aisleAfter: [5, 20] };
/** Every server the benchmark starts (the one, or a cluster's instances) runs with these. */
const serverEnv: Record<string, string> = {
  SESSION_SECRET: BENCH_SECRET,
  AUTH_RATE_LIMIT_PER_MINUTE: "0",
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
/** The arena's section the "arena section" cells sell from (the browser cells open it too). */
const ARENA_SECTION = "Block 104";
const HOT_SEATS = 20;
const SWEEP_HOLDS = SHORT ? 2_000 : 100_000;
/** How long a cell waits for its events to be worked off after the load before it warns and moves on. */
const DRAIN_TIMEOUT_MS = 60_000;

const BENCH_POOL = Math.max(...CLIENTS) + 4;
const database = await freshDatabase(BENCH_POOL, {
  // The bench's pool, every Holdfast server's (and its LISTEN connection), the naive reference's, a cluster's, and room to spare.
  maxConnections:
    BENCH_POOL + POOLS.reduce((sum, p) => sum + p + 2, 0) + NAIVE_POOL + (args.cluster ? POOLS[0] + 7 * Number(args.cluster) : 0) + 20,
  neverAnalysed: NEVER_ANALYSED,
});
const { db } = database;
const events = await eventMonitor(database.sql, database.statements);
const [{ pid: backendPid }] = await database.sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
/** PostgreSQL's CPU is the bench cluster's alone when it runs on this machine (other clusters may share it). */
const ownPostgres = countPostgresOf(backendPid);
const servers: ServerProcess[] = [];
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
  pools: POOLS,
  neverAnalysed: NEVER_ANALYSED,
};

/**
 * Where a cell sends its requests, and whose CPU and counters it reads: a Holdfast server, the
 * naive reference, or (`--cluster N`) nginx in front of N instances, their CPU and counters summed.
 */
interface Target {
  url: string;
  pids: number[];
  metricsUrls: string[];
  /** Its DB pool size, for the report. */
  pool: number;
}
/** Every Holdfast process running now: their relays and consumers share the events' work. */
const holdfastTargets: Target[] = [];

/** The servers' own counters (GET /metrics, loopback only), summed over the instances. */
async function metrics(urls: string[]): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  for (const url of urls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const m of text.matchAll(/^(holdfast_\w+) (\d+)$/gm)) sums[m[1]] = (sums[m[1]] ?? 0) + Number(m[2]);
  }
  return sums;
}
const cpuMsOf = (pids: number[]) => pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
const change = (before: Record<string, number>, after: Record<string, number>, name: string) =>
  name in before && name in after ? after[name] - before[name] : null;

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

/** A cell's show: its id, the seats its holds pick from, and the page the hold form is on. */
interface HoldShow {
  id: string;
  seats: number[];
  page: string;
}

interface Candidate {
  name: string;
  request: (show: HoldShow, buyer: Buyer, seatIds: number[]) => BenchRequest;
  /** The booking id when the answer says the hold succeeded; null for a clean conflict; undefined otherwise. */
  outcome: (answer: BenchAnswer) => string | null | undefined;
  /** The cell's show; without it, a flat ARENA show. */
  show?: (target: Target, name: string, buyer: Buyer) => Promise<HoldShow>;
}

const form = (seatIds: number[]) => new URLSearchParams([["intent", "hold"], ...seatIds.map((id) => ["seat", String(id)])]).toString();
const bookingIdIn = (location: unknown) => /^\/bookings\/([0-9a-f-]{36})$/.exec(String(location ?? ""))?.[1];

const PAGE_JS: Candidate = {
  name: "page, JavaScript (data request)",
  request: (show, buyer, seatIds) => ({
    method: "POST",
    path: `${show.page}${show.page.includes("?") ? "&" : "?"}_data=${encodeURIComponent("routes/shows.$showId")}`,
    headers: { Cookie: buyer.cookie, "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Dest": "empty" },
    body: form(seatIds),
  }),
  outcome: (a) => (a.status === 204 ? bookingIdIn(a.headers["x-remix-redirect"]) : a.status === 409 ? null : undefined),
};
const PAGE_NO_JS: Candidate = {
  name: "page, no JavaScript",
  request: (show, buyer, seatIds) => ({
    method: "POST",
    path: show.page,
    headers: { Cookie: buyer.cookie, "Content-Type": "application/x-www-form-urlencoded", "Accept-Encoding": "gzip, deflate, br" },
    body: form(seatIds),
  }),
  outcome: (a) => (a.status === 302 ? bookingIdIn(a.headers.location) : a.status === 409 ? null : undefined),
};
let sectionActionShown = false;
/** The same form on the demo arena, one section open: it posts where the page's form says (its `?section=`). */
const PAGE_NO_JS_SECTION: Candidate = {
  ...PAGE_NO_JS,
  name: "page, no JavaScript, arena section",
  show: async (target, name, buyer) => {
    const show = await makeShow(db, name, DEMO_LAYOUTS.arena, ARENA_ZONES);
    const page = await holdFormAction(target.url, `/shows/${show.id}?section=${encodeURIComponent(ARENA_SECTION)}`, buyer.cookie);
    if (!page.includes("?section=")) console.warn(`  warning: the section's hold form posts to ${page}, without its section`);
    else if (!sectionActionShown) console.log(`  (the section's hold form posts to ${page.replace(show.id, ":showId")})`);
    sectionActionShown = true;
    return { id: show.id, seats: await seatIdsOf(db, show.id, ARENA_SECTION), page };
  },
};
const API: Candidate = {
  name: "API, bearer token (JSON)",
  request: (show, buyer, seatIds) => ({
    method: "POST",
    path: `/api/v1/shows/${show.id}/holds`,
    headers: { Authorization: `Bearer ${buyer.token}`, "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ seatIds }),
  }),
  outcome: (a) => {
    if (a.status === 201) return (JSON.parse(a.body.toString()) as { booking: { id: string } }).booking.id;
    return a.status === 409 && a.body.includes('"seats_unavailable"') ? null : undefined;
  },
};
const NAIVE = "naive reference (Express + pg, SELECT … FOR UPDATE)";
const RAW = "domain hold on postgres.js, no HTTP (reference)";
/** The naive cells run in every round that runs any hold cell. */
const anyHoldCell = () => [API, PAGE_JS, PAGE_NO_JS, PAGE_NO_JS_SECTION].some((c) => only(c.name)) || only(RAW) || only(NAIVE);

function row(pathName: string, clients: number, seats: string, load: LoadResult): HoldRow {
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
    pool: null,
    statementsPerHold: null,
    statementsCountedBy: null,
    events: null,
    cpuMsPerRequestWithEvents: null,
    deadlocks: null,
    vsNaive: null,
  };
}

async function measureHttp(
  target: Target,
  pathName: string,
  clients: number,
  seats: string,
  next: (client: number, seq: number) => BenchRequest,
  onAnswer?: Parameters<typeof runLoad>[0]["onAnswer"],
) {
  const before = { cpu: cpuMsOf(target.pids), pg: postgresCpuMs(), m: await metrics(target.metricsUrls) };
  const load = await runLoad({ baseUrl: target.url, clients, seconds: SECONDS, next, onAnswer });
  const endedAt = performance.now();
  const after = { cpu: cpuMsOf(target.pids), pg: postgresCpuMs(), m: await metrics(target.metricsUrls) };
  const r = row(pathName, clients, seats, load);
  const requests = Math.max(1, load.requests);
  r.pool = target.pool;
  r.serverCpuMsPerRequest = (after.cpu - before.cpu) / requests;
  r.postgresCpuMsPerRequest = (after.pg - before.pg) / requests;
  // The two /metrics requests themselves send no statements.
  const statements = change(before.m, after.m, "holdfast_db_statements_total");
  r.statementsPerRequest = statements === null ? null : statements / requests;
  r.casRetries = change(before.m, after.m, "holdfast_hold_cas_retries_total");
  r.fallbacks = change(before.m, after.m, "holdfast_hold_lock_fallbacks_total");
  for (const error of load.errors) r.unexpected[`network: ${error}`] = (r.unexpected[`network: ${error}`] ?? 0) + 1;
  return { r, load, endedAt };
}

/** What a hold cell's load left: its row, and when the load ended. */
interface Loaded {
  r: HoldRow;
  requests: number;
  holds: number;
  endedAt: number;
}

/**
 * A Holdfast hold cell with its events: waits until earlier cells' events are gone, then brackets
 * the load and the drain after it with readings of the statements (pg_stat_statements, or the
 * servers' counters), the outbox and the CPU of every Holdfast process and PostgreSQL.
 * `benchServes`: the bench process itself places the holds (the domain's hold, no HTTP).
 */
async function withEvents(load: () => Promise<Loaded>, benchServes = false): Promise<HoldRow> {
  if (!(await events.untilDrained(DRAIN_TIMEOUT_MS)))
    console.warn("  warning: earlier events still pending; this cell's figures include them");
  const pids = () => holdfastTargets.flatMap((t) => t.pids);
  const urls = holdfastTargets.flatMap((t) => t.metricsUrls);
  const benchCpuMs = () => {
    const { user, system } = process.cpuUsage();
    return benchServes ? (user + system) / 1000 : 0;
  };
  const readings = async () => ({
    cpu: cpuMsOf(pids()) + benchCpuMs(),
    pg: postgresCpuMs(),
    m: await metrics(urls),
    own: benchServes ? database.stats.statements : 0,
  });
  const before = await readings();
  const mark = await events.mark();
  const { r, requests, holds, endedAt } = await load();
  const drain = await events.drain(mark, DRAIN_TIMEOUT_MS);
  const after = await readings();
  if (!drain.drained) console.warn(`  warning: ${r.path}: events still pending ${DRAIN_TIMEOUT_MS / 1000} s after the load`);
  r.events = {
    created: drain.events,
    drainedPerSecond: drain.events / ((drain.at - mark.at) / 1000),
    drainSeconds: Math.max(0, (drain.at - endedAt) / 1000),
    drained: drain.drained,
  };
  let statements: number;
  if (drain.statements !== null && mark.statements !== null) {
    statements = drain.statements - mark.statements;
    r.statementsCountedBy = "pg_stat_statements";
  } else {
    statements = (change(before.m, after.m, "holdfast_db_statements_total") ?? 0) + (after.own - before.own);
    r.statementsCountedBy = "/metrics";
  }
  r.statementsPerHold = holds > 0 ? statements / holds : null;
  r.cpuMsPerRequestWithEvents = (after.cpu - before.cpu + after.pg - before.pg) / Math.max(1, requests);
  return r;
}

/** Server + PostgreSQL CPU per request of a row, during its load. */
const cpuPerRequest = (h: HoldRow) => (h.serverCpuMsPerRequest ?? 0) + h.postgresCpuMsPerRequest;
/** The naive cell of each clients × pattern, the latest: every Holdfast hold row of the round is compared with it. */
const naiveCells = new Map<string, HoldRow>();
function versusNaive(r: HoldRow): NaiveRatios | null {
  const naive = naiveCells.get(`${r.clients} ${r.seats}`);
  if (!naive) return null;
  const ratio = (a: number | null, b: number | null) => (a === null || b === null || b <= 0 ? null : a / b);
  return {
    requestsPerSecond: ratio(r.requestsPerSecond, naive.requestsPerSecond),
    holdsPerSecond: ratio(r.holdsPerSecond, naive.holdsPerSecond),
    cpuPerRequest: ratio(cpuPerRequest(r), cpuPerRequest(naive)),
    cpuPerRequestWithEvents: ratio(r.cpuMsPerRequestWithEvents, naive.cpuMsPerRequestWithEvents),
    naiveDeadlocks: naive.deadlocks ?? 0,
  };
}

/**
 * The load of a hold cell: `clients` buyers holding seats picked by `pattern`, every successful
 * answer kept for the invariant check.
 */
async function holdLoad(
  target: Target,
  name: string,
  clients: number,
  pattern: SeatPattern,
  seats: number[],
  buyers: Buyer[],
  request: (buyer: Buyer, seatIds: number[]) => BenchRequest,
  outcome: (answer: BenchAnswer) => string | null | undefined,
) {
  const seen: SeenHold[] = [];
  const unexpected: Record<string, number> = {};
  // Each client waits for its answer before asking again: its latest request is the one answered.
  const asked: Array<{ buyer: Buyer; seatIds: number[] }> = [];
  const { r, load, endedAt } = await measureHttp(
    target,
    name,
    clients,
    pattern.name,
    (client) => {
      const buyer = buyers[buyerCursor++ % buyers.length];
      const seatIds = pattern.pick(seats);
      asked[client] = { buyer, seatIds };
      return request(buyer, seatIds);
    },
    (client, _req, answer) => {
      const booking = outcome(answer);
      if (booking) seen.push({ bookingId: booking, userId: asked[client].buyer.id, seatIds: asked[client].seatIds });
      else if (booking === undefined) unexpected[String(answer.status)] = (unexpected[String(answer.status)] ?? 0) + 1;
    },
  );
  Object.assign(r.unexpected, unexpected);
  r.holdsPerSecond = seen.length / SECONDS;
  return { r, seen, requests: load.requests, holds: seen.length, endedAt };
}

function recordViolations(r: HoldRow, violations: Violations) {
  r.violations = violationCount(violations);
  if (r.violations) console.error(`  INVARIANT VIOLATIONS in ${r.path}: ${violations.examples.join("; ")}`);
}

let buyerCursor = 0;
async function holdCell(target: Target, candidate: Candidate, clients: number, pattern: SeatPattern, buyers: Buyer[]) {
  if (!only(candidate.name)) return;
  const name = `${candidate.name} · ${clients} · ${pattern.name}`;
  let show: HoldShow;
  if (candidate.show) {
    show = await candidate.show(target, name, buyers[0]);
  } else {
    const made = await makeShow(db, name, ARENA);
    results.timings[`create a ${seatCount(ARENA)}-seat show (last)`] = made.seconds;
    show = { id: made.id, seats: await seatIdsOf(db, made.id), page: `/shows/${made.id}` };
  }
  let seen: SeenHold[] = [];
  const r = await withEvents(async () => {
    const cell = await holdLoad(
      target,
      candidate.name,
      clients,
      pattern,
      show.seats,
      buyers,
      (buyer, seatIds) => candidate.request(show, buyer, seatIds),
      candidate.outcome,
    );
    seen = cell.seen;
    return cell;
  });
  recordViolations(r, await checkInvariants(db, show.id, seen));
  r.vsNaive = versusNaive(r);
  results.holds.push(r);
  report(r);
}

/** The naive reference on a fresh flat show of its own, the same buyers and seat pattern. */
async function naiveCell(target: Target, tokens: Map<string, string>, clients: number, pattern: SeatPattern, buyers: Buyer[]) {
  const show = await makeNaiveShow(database.sql, ARENA.rows, ARENA.seatsPerRow, showCreation.analyse);
  let deadlocks = 0;
  const before = await events.statements();
  const { r, seen, requests, holds } = await holdLoad(
    target,
    NAIVE,
    clients,
    pattern,
    show.seatIds,
    buyers,
    (buyer, seatIds) => ({
      method: "POST",
      path: "/holds",
      headers: { Authorization: `Bearer ${tokens.get(buyer.id)}`, "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ showId: show.id, seatIds }),
    }),
    (a) => {
      if (a.status === 201) return (JSON.parse(a.body.toString()) as { booking: { id: string } }).booking.id;
      if (a.status === 409 && a.body.includes('"deadlock_detected"')) deadlocks++;
      else if (a.status !== 409 || !a.body.includes('"seats_unavailable"')) return undefined;
      return null;
    },
  );
  const after = await events.statements();
  r.deadlocks = deadlocks;
  r.cpuMsPerRequestWithEvents = cpuPerRequest(r);
  if (before !== null && after !== null) {
    r.statementsPerRequest = (after - before) / Math.max(1, requests);
    r.statementsPerHold = holds > 0 ? (after - before) / holds : null;
    r.statementsCountedBy = "pg_stat_statements";
  }
  recordViolations(r, await checkNaiveInvariants(database.sql, show.id, seen));
  naiveCells.set(`${clients} ${pattern.name}`, r);
  results.holds.push(r);
  report(r);
}

async function referenceCell(target: Target, name: string, pathName: string, clients: number) {
  if (!only(name)) return;
  const { r, load } = await measureHttp(target, name, clients, "–", () => ({ method: "GET", path: pathName }));
  for (const [status, count] of Object.entries(load.statuses)) if (status !== "200") r.unexpected[status] = count;
  results.holds.push(r);
  report(r);
}

/** The domain's hold straight on postgres.js, no HTTP: the floor under every path above. */
async function rawCell(clients: number, pattern: SeatPattern, buyers: Buyer[]) {
  if (!only(RAW)) return;
  const show = await makeShow(db, `raw · ${clients} · ${pattern.name}`, ARENA);
  const seats = await seatIdsOf(db, show.id);
  const seen: SeenHold[] = [];
  const r = await withEvents(async () => {
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
            if (!(error instanceof SeatsUnavailable))
              unexpected[(error as Error).message] = (unexpected[(error as Error).message] ?? 0) + 1;
          }
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const endedAt = performance.now();
    const seconds = (endedAt - started) / 1000;
    const cpu = process.cpuUsage(before.cpu);
    const r = row(RAW, clients, pattern.name, { requests: latencies.length, seconds, latencies, statuses: {}, errors: [] });
    const requests = Math.max(1, latencies.length);
    r.serverCpuMsPerRequest = (cpu.user + cpu.system) / 1000 / requests;
    r.postgresCpuMsPerRequest = (postgresCpuMs() - before.pg) / requests;
    r.statementsPerRequest = (database.stats.statements - before.stmts) / requests;
    r.casRetries = holdStats.casRetries - before.retries;
    r.fallbacks = holdStats.lockFallbacks - before.fallbacks;
    r.holdsPerSecond = seen.length / seconds;
    r.unexpected = unexpected;
    return { r, requests: latencies.length, holds: seen.length, endedAt };
  }, true);
  recordViolations(r, await checkInvariants(db, show.id, seen));
  results.holds.push(r);
  report(r);
}

const x = (v: number | null) => (v === null ? "–" : `${v.toFixed(2)}×`);
function report(r: HoldRow) {
  const other = Object.entries(r.unexpected)
    .map(([s, c]) => `${c}× ${s}`)
    .join(", ");
  const pool = POOLS.length > 1 && r.pool !== null ? ` pool ${r.pool}` : "";
  const ev = r.events
    ? `  events ${r.events.created} ${r.events.drainedPerSecond.toFixed(0)}/s +${r.events.drainSeconds.toFixed(2)} s`
    : "";
  const naive = r.vsNaive
    ? `  ÷ naive: req/s ${x(r.vsNaive.requestsPerSecond)} holds/s ${x(r.vsNaive.holdsPerSecond)} cpu ${x(r.vsNaive.cpuPerRequest)} (with events ${x(r.vsNaive.cpuPerRequestWithEvents)})`
    : "";
  console.log(
    `${r.path.padEnd(52)}${pool} ${String(r.clients).padStart(3)} cl ${r.seats.padStart(4)} seats ${r.requestsPerSecond.toFixed(0).padStart(6)} req/s ${r.holdsPerSecond.toFixed(0).padStart(5)} holds/s ` +
      `p50 ${r.p50.toFixed(1).padStart(6)} p99 ${r.p99.toFixed(1).padStart(7)} ms  cpu ${r.serverCpuMsPerRequest?.toFixed(3) ?? "–"} pg ${r.postgresCpuMsPerRequest.toFixed(3)} ms/req ` +
      `stmts ${r.statementsPerRequest?.toFixed(1) ?? "–"}` +
      (r.statementsPerHold !== null ? ` stmts/hold ${r.statementsPerHold.toFixed(1)}` : "") +
      ev +
      (r.deadlocks ? `  deadlocks ${r.deadlocks}` : "") +
      naive +
      `${other ? `  other: ${other}` : ""}${r.violations ? `  VIOLATIONS ${r.violations}` : ""}`,
  );
}

async function pageCell(target: Target, name: string, pathName: string, clients: number) {
  if (!only(name)) return;
  const first = await fetch(`${target.url}${pathName}`, { headers: { "Accept-Encoding": "identity" } });
  const bytes = Buffer.from(await first.arrayBuffer()).length;
  let gzipBytes = 0;
  const { r } = await measureHttp(
    target,
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
  return page;
}

/** SWEEP_HOLDS expired one-seat holds, made in bulk, then one sweep (as the job runs it) timed. */
async function sweepTiming(buyers: Buyer[]) {
  if (!only("sweep")) return;
  if (NEVER_ANALYSED) {
    console.log("sweep timing skipped: it analyses the tables first (--never-analysed)");
    return;
  }
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
        insert into booking_seats (booking_id, seat_id, price_cents) select booking_id, seat_id, 5000 from picked
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
async function clusterCells(instances: number, buyers: Buyer[], single: Target) {
  if (!findNginx()) {
    console.log(`\n— no cluster cells: nginx is not installed (Debian: apt-get install nginx)`);
    return;
  }
  const prefix = await mkdtemp(path.join(os.tmpdir(), "holdfast-bench-nginx-"));
  // The database's connections shared out: N pools of the one server's size would not fit.
  const pool = Math.max(5, Math.floor(single.pool / instances));
  const cluster = await startCluster({
    instances,
    port: 20_000 + Math.floor(Math.random() * 30_000),
    projectRoot: PROJECT,
    env: {
      ...serverEnv,
      DATABASE_URL: database.url,
      DB_POOL_SIZE: String(pool),
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
      NODE_ENV: "production",
      PUBLIC_URL: "http://127.0.0.1",
      // E-mails of the instances' payments, in the nginx folder (removed below), never the project's .data.
      MAIL_DIR: path.join(prefix, "mail"),
    },
    prefix,
    output: "ignore",
  });
  const inCluster: Target = {
    url: cluster.url,
    pids: cluster.instances.map((i) => i.process.pid ?? 0),
    metricsUrls: cluster.instances.map((i) => i.url),
    pool,
  };
  holdfastTargets.push(inCluster);
  try {
    console.log(`\n— ${instances} instances behind nginx (API hold), in turns with the single server`);
    for (const clients of CLIENTS) {
      for (const pattern of PATTERNS) {
        await holdCell(single, API, clients, pattern, buyers);
        await holdCell(inCluster, { ...API, name: `API, ${instances} instances behind nginx` }, clients, pattern, buyers);
      }
    }
  } finally {
    holdfastTargets.splice(holdfastTargets.indexOf(inCluster), 1);
    await cluster.stop();
    await rm(prefix, { recursive: true, force: true });
  }
}

/** Every pooled connection of a server opened, its JIT warm, on a throwaway show: measure holds, not logins. */
async function warmUp(target: Target, request: (seq: number) => BenchRequest) {
  await runLoad({
    baseUrl: target.url,
    clients: Math.max(target.pool, ...CLIENTS),
    seconds: SHORT ? 0.5 : 4,
    next: (_c, s) => request(s),
  });
}

try {
  console.log(
    `Holdfast benchmark (${results.mode}): ${results.machine}; ${results.database}${NEVER_ANALYSED ? " (tables never analysed, autovacuum off)" : ""}; ` +
      `${SECONDS} s per cell; clients ${CLIENTS.join(", ")}; Holdfast's DB pool ${POOLS.join(", ")}; ` +
      `statements counted by ${database.statements ? "pg_stat_statements" : "the servers' /metrics"}; ` +
      `PostgreSQL CPU of ${ownPostgres ? "the bench's cluster" : "every postgres process on the machine"}`,
  );
  await createNaiveSchema(database.sql);
  if (NEVER_ANALYSED) {
    await turnOffAutovacuum(database.sql);
    const analysed = await analysedTables(database.sql);
    console.log(`never-analysed check: ${analysed} table(s) of the bench database analysed (must be 0)`);
    if (analysed !== 0) throw new Error(`--never-analysed: ${analysed} table(s) were analysed before the run began`);
    results.analysedTables = { atStart: analysed, atEnd: analysed };
  }
  const buyers = await makeBuyers(db, SHORT ? 2_000 : 20_000);
  const tokens = await naiveTokens(buyers.map((b) => b.id));
  // Open the bench's own pooled connections first (scram authentication is slow): measure holds, not logins.
  await Promise.all(Array.from({ length: BENCH_POOL }, () => database.sql`select pg_sleep(0.02)`));
  for (const pool of POOLS) {
    const started = await startServerProcess(
      {
        ...serverEnv,
        DATABASE_URL: database.url,
        DB_POOL_SIZE: String(pool),
        // A line per request, as in production; BENCH_LOG_LEVEL=error measures the server without them.
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
      },
      args.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(args.profile)}`] : [],
    );
    servers.push(started);
    holdfastTargets.push({ url: started.url, pids: [started.pid], metricsUrls: [started.url], pool });
  }
  const [main, ...otherPools] = holdfastTargets;
  const naiveServer = await startNaiveServer(database.url);
  servers.push(naiveServer);
  const naive: Target = { url: naiveServer.url, pids: [naiveServer.pid], metricsUrls: [], pool: NAIVE_POOL };

  // Warm the servers (JIT, every pooled connection's prepared statements, caches) on throwaway
  // shows before anything is measured.
  const warm = await makeShow(db, "warm-up", ARENA);
  const warmShow: HoldShow = { id: warm.id, seats: await seatIdsOf(db, warm.id), page: `/shows/${warm.id}` };
  const warmHold = (candidate: Candidate) =>
    candidate.request(warmShow, buyers[buyerCursor++ % buyers.length], PATTERNS[1].pick(warmShow.seats));
  await warmUp(main, (s) => (s % 4 === 0 ? { method: "GET", path: "/ping" } : warmHold([PAGE_JS, PAGE_NO_JS, API][(s % 4) - 1])));
  for (const other of otherPools) await warmUp(other, () => warmHold(API));
  const naiveWarm = await makeNaiveShow(database.sql, ARENA.rows, ARENA.seatsPerRow, showCreation.analyse);
  await warmUp(naive, () => {
    const buyer = buyers[buyerCursor++ % buyers.length];
    return {
      method: "POST",
      path: "/holds",
      headers: { Authorization: `Bearer ${tokens.get(buyer.id)}`, "Content-Type": "application/json" },
      body: JSON.stringify({ showId: naiveWarm.id, seatIds: PATTERNS[1].pick(naiveWarm.seatIds) }),
    };
  });

  for (const clients of CLIENTS) {
    console.log(`\n— ${clients} clients`);
    for (const pattern of PATTERNS) {
      await referenceCell(main, "express no-op route (reference)", "/healthz", clients);
      if (anyHoldCell()) await naiveCell(naive, tokens, clients, pattern, buyers);
      // The API's hold at each pool size in turns, one server each: only the one measured has load.
      for (const target of holdfastTargets) await holdCell(target, API, clients, pattern, buyers);
      await holdCell(main, PAGE_JS, clients, pattern, buyers);
      await referenceCell(main, "Remix no-op route (reference)", "/ping", clients);
      await holdCell(main, PAGE_NO_JS, clients, pattern, buyers);
      await holdCell(main, PAGE_NO_JS_SECTION, clients, pattern, buyers);
      await rawCell(clients, pattern, buyers);
    }
  }

  if (args.cluster) await clusterCells(Number(args.cluster), buyers, main);

  console.log("\n— pages");
  const theatre = await makeShow(db, "Bench Theatre", THEATRE_500);
  const theatreSeats = await seatIdsOf(db, theatre.id);
  // A third of the theatre is held, so the map has every kind of seat.
  for (let i = 0; i < 40; i++) {
    await placeHold(db, { userId: buyers[i].id, showId: theatre.id, seatIds: theatreSeats.slice(i * 12, i * 12 + 4) });
  }
  const arena = await makeShow(db, "Bench Arena (map)", ARENA);
  for (const clients of [8]) {
    const page = await pageCell(main, "500-seat map page", `/shows/${theatre.id}`, clients);
    const json = await pageCell(main, "500 seats as JSON (API, reference)", `/api/v1/shows/${theatre.id}`, clients);
    if (page && json) {
      results.pageVsJson = {
        requestsPerSecond: page.requestsPerSecond / json.requestsPerSecond,
        serverCpuPerRequest: page.serverCpuMsPerRequest / json.serverCpuMsPerRequest,
      };
      console.log(
        `${"500-seat map page ÷ the same seats as JSON".padEnd(48)} req/s ${x(results.pageVsJson.requestsPerSecond)} server CPU per request ${x(results.pageVsJson.serverCpuPerRequest)}`,
      );
    }
    await pageCell(main, `${SHORT ? "2,000" : "20,000"}-seat map page`, `/shows/${arena.id}`, clients);
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
            path: `/shows/${sectioned.id}?section=${encodeURIComponent(ARENA_SECTION)}`,
          },
        ];
        const rows = [
          ...(await loadPagesInTurn(browser, main.url, pages, SHORT ? 1 : 10, "first visit")),
          ...(await loadPagesInTurn(browser, main.url, pages, SHORT ? 1 : 10, "from the show list")),
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
  if (NEVER_ANALYSED) {
    const analysed = await analysedTables(database.sql);
    results.analysedTables = { atStart: results.analysedTables?.atStart ?? 0, atEnd: analysed };
    console.log(`never-analysed check at the end: ${analysed} table(s) analysed`);
    if (analysed !== 0) console.warn(`warning: ${analysed} table(s) were analysed during a --never-analysed run`);
  }

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
  for (const s of servers) console.error(s.output().slice(-4000));
  process.exitCode = 1;
} finally {
  for (const s of servers) await s.stop();
  await database.stop();
}
process.exit(process.exitCode ?? 0);
