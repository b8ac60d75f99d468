/** The benchmark's outputs: a Markdown table, an SVG chart of throughput by client count, and JSON. */

export interface HoldRow {
  path: string;
  clients: number;
  seats: string;
  requestsPerSecond: number;
  holdsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  serverCpuMsPerRequest: number | null;
  postgresCpuMsPerRequest: number;
  statementsPerRequest: number | null;
  casRetries: number | null;
  fallbacks: number | null;
  unexpected: Record<string, number>;
  violations: number;
  /** The Holdfast server's DB_POOL_SIZE (the naive reference's pool: 10); null where no server's pool served. */
  pool: number | null;
  /** Statements PostgreSQL ran from the cell's start until its events were drained, per successful hold. */
  statementsPerHold: number | null;
  statementsCountedBy: "pg_stat_statements" | "/metrics" | null;
  /** The events the cell's holds wrote, and how fast they were worked off (Holdfast's hold cells). */
  events: EventFigures | null;
  /** Server (every Holdfast process) and PostgreSQL CPU from the cell's start until its events were drained, per request. */
  cpuMsPerRequestWithEvents: number | null;
  /** The naive reference's deadlocks: answered 409 like a taken seat, counted apart. */
  deadlocks: number | null;
  /** This row ÷ the naive reference's cell of the same clients and seats per hold, in the same round. */
  vsNaive: NaiveRatios | null;
}

export interface EventFigures {
  /** Outbox rows written during the cell. */
  created: number;
  /** Events ÷ time from the cell's start until nothing was pending. */
  drainedPerSecond: number;
  /** From the end of the load until nothing was pending. */
  drainSeconds: number;
  /** False when the wait gave up with events still pending. */
  drained: boolean;
}

export interface NaiveRatios {
  requestsPerSecond: number | null;
  holdsPerSecond: number | null;
  /** Server + PostgreSQL CPU per request, during the load. */
  cpuPerRequest: number | null;
  /** The same, with the CPU spent until the events were drained (the naive reference has none). */
  cpuPerRequestWithEvents: number | null;
  naiveDeadlocks: number;
}

export interface PageRow {
  page: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  serverCpuMsPerRequest: number;
  bytes: number;
  gzipBytes: number;
}

/** A page loaded in a real browser (Chromium), one load after another, alternating with its reference. */
export interface BrowserRow {
  page: string;
  loads: number;
  /** Navigation start to the load event's end, ms. */
  loadP50: number;
  loadP90: number;
  /** To first contentful paint, ms. */
  paintP50: number;
  /** To the first byte of the page, ms (the server's share). */
  ttfbP50: number;
  /** To DOMContentLoaded's end (scripts run, the page hydrated), ms. */
  readyP50: number;
  bytes: number;
  elements: number;
}

export interface BenchResults {
  startedAt: string;
  machine: string;
  database: string;
  mode: "full" | "short";
  secondsPerCell: number;
  holds: HoldRow[];
  pages: PageRow[];
  browser?: BrowserRow[];
  timings: Record<string, number>;
  violations: number;
  /** Holdfast's DB_POOL_SIZE for each server the run started (`--pool`); the first serves every cell but the API's other pools. */
  pools: number[];
  /** `--never-analysed`: autovacuum off, nothing analysed; tables analysed at the start and the end (both 0). */
  neverAnalysed: boolean;
  analysedTables?: { atStart: number; atEnd: number };
  /** The 500-seat map page ÷ the same seats as the API's JSON. */
  pageVsJson?: { requestsPerSecond: number; serverCpuPerRequest: number };
}

const n = (x: number | null, digits = 0) =>
  x === null ? "–" : x.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (x: number) => n(x, x < 10 ? 1 : 0);
const times = (x: number | null) => (x === null || !Number.isFinite(x) ? "–" : `${n(x, 2)}×`);

/** A path's name with its pool size when the run measured it at more than one. */
function seriesNames(holds: HoldRow[]): (h: HoldRow) => string {
  const pools = new Map<string, Set<number | null>>();
  for (const h of holds) pools.set(h.path, (pools.get(h.path) ?? new Set()).add(h.pool));
  return (h) => ((pools.get(h.path)?.size ?? 0) > 1 ? `${h.path} · pool ${h.pool}` : h.path);
}

function eventCells(h: HoldRow): string {
  if (!h.events) return "– | – | –";
  return `${n(h.events.created)} | ${n(h.events.drainedPerSecond)} | ${n(h.events.drainSeconds, 2)}${h.events.drained ? "" : " (not drained)"}`;
}

/** Per Holdfast path: its cells ÷ the naive reference's cell of the same clients and seats per hold. */
function naiveTables(r: BenchResults): string[] {
  const name = seriesNames(r.holds);
  const paths = [...new Set(r.holds.filter((h) => h.vsNaive).map(name))];
  const lines: string[] = [];
  for (const path of paths) {
    lines.push(
      "",
      `**${path} ÷ naive reference** (Express + pg, same clients and seats per hold, same round; CPU is server + PostgreSQL per request)`,
      "",
      "| clients | seats/hold | req/s ÷ naive | holds/s ÷ naive | CPU/req ÷ naive | CPU/req with events drained ÷ naive | naive's deadlocks |",
      "|---|---|---|---|---|---|---|",
    );
    for (const h of r.holds.filter((h) => h.vsNaive && name(h) === path)) {
      const v = h.vsNaive!;
      lines.push(
        `| ${h.clients} | ${h.seats} | ${times(v.requestsPerSecond)} | ${times(v.holdsPerSecond)} | ${times(v.cpuPerRequest)} | ${times(v.cpuPerRequestWithEvents)} | ${v.naiveDeadlocks} |`,
      );
    }
  }
  return lines;
}

/** Paths measured at more than one pool size: PostgreSQL CPU per request at each, and each ÷ the first. */
function poolTables(r: BenchResults): string[] {
  const lines: string[] = [];
  for (const path of new Set(r.holds.map((h) => h.path))) {
    const rows = r.holds.filter((h) => h.path === path && h.pool !== null);
    const pools = [...new Set(rows.map((h) => h.pool as number))];
    if (pools.length < 2) continue;
    const [first, ...others] = pools;
    lines.push(
      "",
      `**${path}: PostgreSQL CPU ms per request by Holdfast's pool size (DB_POOL_SIZE)**`,
      "",
      `| clients | seats/hold | ${pools.map((p) => `pool ${p}`).join(" | ")} | ${others.map((p) => `pool ${p} ÷ pool ${first}`).join(" | ")} |`,
      `|---|---|${pools.map(() => "---|").join("")}${others.map(() => "---|").join("")}`,
    );
    for (const row of rows.filter((h) => h.pool === first)) {
      const cpu = (pool: number) =>
        rows.find((h) => h.clients === row.clients && h.seats === row.seats && h.pool === pool)?.postgresCpuMsPerRequest ?? null;
      const ratios = others.map((p) => {
        const c = cpu(p);
        return times(c !== null && row.postgresCpuMsPerRequest > 0 ? c / row.postgresCpuMsPerRequest : null);
      });
      lines.push(`| ${row.clients} | ${row.seats} | ${pools.map((p) => n(cpu(p), 2)).join(" | ")} | ${ratios.join(" | ")} |`);
    }
  }
  return lines;
}

export function markdown(r: BenchResults): string {
  const lines = [
    `Holdfast benchmark, ${r.startedAt} · ${r.machine} · ${r.database}${r.neverAnalysed ? " (tables never analysed, autovacuum off)" : ""} · ` +
      `${r.secondsPerCell} s per cell (${r.mode}) · Holdfast's DB pool ${r.pools.join(", ")}`,
    "",
    "| path | clients | seats/hold | req/s | holds/s | p50 ms | p90 ms | p99 ms | max ms | server CPU ms/req | PostgreSQL CPU ms/req | statements/req | CAS retries | fallbacks | other answers | violations " +
      "| pool | statements/hold (request and events) | events | events drained/s | drained s after the load | deadlocks |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const h of r.holds) {
    const other = Object.entries(h.unexpected)
      .map(([status, count]) => `${count}× ${status}`)
      .join(", ");
    lines.push(
      `| ${h.path} | ${h.clients} | ${h.seats} | ${n(h.requestsPerSecond)} | ${n(h.holdsPerSecond)} | ${ms(h.p50)} | ${ms(h.p90)} | ${ms(h.p99)} | ${ms(h.max)} | ${n(h.serverCpuMsPerRequest, 2)} | ${n(h.postgresCpuMsPerRequest, 2)} | ${n(h.statementsPerRequest, 1)} | ${n(h.casRetries)} | ${n(h.fallbacks)} | ${other || "none"} | ${h.violations} ` +
        `| ${n(h.pool)} | ${n(h.statementsPerHold, 1)} | ${eventCells(h)} | ${n(h.deadlocks)} |`,
    );
  }
  if (r.holds.some((h) => h.statementsPerHold !== null)) {
    const by = [...new Set(r.holds.map((h) => h.statementsCountedBy).filter(Boolean))].join(" and ");
    lines.push(
      "",
      `Statements per hold: every top-level statement in the bench database from the cell's start until its events were drained (${by}), ÷ successful holds; target ≤ 8.`,
    );
  }
  lines.push(...naiveTables(r), ...poolTables(r));
  lines.push("", "| page | req/s | p50 ms | p99 ms | server CPU ms/req | size | gzipped |", "|---|---|---|---|---|---|---|");
  for (const p of r.pages) {
    lines.push(
      `| ${p.page} | ${n(p.requestsPerSecond)} | ${ms(p.p50)} | ${ms(p.p99)} | ${n(p.serverCpuMsPerRequest, 2)} | ${n(p.bytes / 1024, 1)} KiB | ${n(p.gzipBytes / 1024, 1)} KiB |`,
    );
  }
  if (r.pageVsJson) {
    lines.push(
      "",
      `500-seat map page ÷ the same seats as the API's JSON: req/s ${times(r.pageVsJson.requestsPerSecond)}, server CPU per request ${times(r.pageVsJson.serverCpuPerRequest)}.`,
    );
  }
  if (r.browser?.length) {
    lines.push(
      "",
      "| page in Chromium | loads | load event p50 ms | p90 ms | first byte p50 ms | first paint p50 ms | DOMContentLoaded p50 ms | HTML | elements |",
      "|---|---|---|---|---|---|---|---|---|",
    );
    for (const b of r.browser) {
      lines.push(
        `| ${b.page} | ${b.loads} | ${ms(b.loadP50)} | ${ms(b.loadP90)} | ${ms(b.ttfbP50)} | ${b.paintP50 > 0 ? ms(b.paintP50) : "–"} | ${ms(b.readyP50)} | ${n(b.bytes / 1024, 1)} KiB | ${n(b.elements)} |`,
      );
    }
  }
  lines.push("", "| timing | seconds |", "|---|---|");
  for (const [name, seconds] of Object.entries(r.timings)) lines.push(`| ${name} | ${n(seconds, 3)} |`);
  if (r.analysedTables) {
    lines.push(
      "",
      `Tables of the bench database analysed: ${r.analysedTables.atStart} at the start, ${r.analysedTables.atEnd} at the end.`,
    );
  }
  lines.push("", `Invariant violations: ${r.violations}.`);
  return `${lines.join("\n")}\n`;
}

const COLOURS = ["#1d4ed8", "#b45309", "#15803d", "#7c3aed", "#be123c", "#0e7490", "#4d7c0f", "#a21caf"];

/** Requests per second by client count, one line per path (and seats per hold). */
export function svgChart(r: BenchResults): string {
  const series = new Map<string, Array<[number, number]>>();
  const name = seriesNames(r.holds);
  for (const h of r.holds) {
    const key = `${name(h)} · ${h.seats}`;
    series.set(key, [...(series.get(key) ?? []), [h.clients, h.requestsPerSecond]]);
  }
  const clients = [...new Set(r.holds.map((h) => h.clients))].sort((a, b) => a - b);
  const maxY = Math.max(1, ...r.holds.map((h) => h.requestsPerSecond)) * 1.1;
  const [w, h, left, top, bottom, legendW] = [900, 420, 60, 30, 40, 300];
  const plotW = w - left - legendW - 20;
  const plotH = h - top - bottom;
  const x = (c: number) => left + (clients.length <= 1 ? plotW / 2 : (clients.indexOf(c) / (clients.length - 1)) * plotW);
  const y = (v: number) => top + plotH - (v / maxY) * plotH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="18" font-size="14" font-weight="600">Requests per second by concurrent clients</text>`,
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#334155"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#334155"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (maxY / 4) * i;
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#475569">${Math.round(v)}</text>`);
    parts.push(`<line x1="${left}" y1="${y(v)}" x2="${left + plotW}" y2="${y(v)}" stroke="#e2e8f0"/>`);
  }
  for (const c of clients) parts.push(`<text x="${x(c)}" y="${top + plotH + 18}" text-anchor="middle" fill="#475569">${c}</text>`);
  parts.push(`<text x="${left + plotW / 2}" y="${h - 6}" text-anchor="middle" fill="#475569">clients</text>`);
  [...series].forEach(([name, points], i) => {
    const colour = COLOURS[i % COLOURS.length];
    const sorted = points.sort((a, b) => a[0] - b[0]);
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${sorted.map(([c, v]) => `${x(c)},${y(v)}`).join(" ")}"/>`,
    );
    for (const [c, v] of sorted) parts.push(`<circle cx="${x(c)}" cy="${y(v)}" r="3" fill="${colour}"/>`);
    const ly = top + 10 + i * 18;
    parts.push(`<rect x="${w - legendW}" y="${ly - 9}" width="12" height="12" fill="${colour}"/>`);
    parts.push(`<text x="${w - legendW + 18}" y="${ly + 1}">${name.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</text>`);
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
