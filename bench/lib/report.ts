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
}

const n = (x: number | null, digits = 0) =>
  x === null ? "–" : x.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (x: number) => n(x, x < 10 ? 1 : 0);

export function markdown(r: BenchResults): string {
  const lines = [
    `Holdfast benchmark, ${r.startedAt} · ${r.machine} · ${r.database} · ${r.secondsPerCell} s per cell (${r.mode})`,
    "",
    "| path | clients | seats/hold | req/s | holds/s | p50 ms | p90 ms | p99 ms | max ms | server CPU ms/req | PostgreSQL CPU ms/req | statements/req | CAS retries | fallbacks | other answers | violations |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const h of r.holds) {
    const other = Object.entries(h.unexpected)
      .map(([status, count]) => `${count}× ${status}`)
      .join(", ");
    lines.push(
      `| ${h.path} | ${h.clients} | ${h.seats} | ${n(h.requestsPerSecond)} | ${n(h.holdsPerSecond)} | ${ms(h.p50)} | ${ms(h.p90)} | ${ms(h.p99)} | ${ms(h.max)} | ${n(h.serverCpuMsPerRequest, 2)} | ${n(h.postgresCpuMsPerRequest, 2)} | ${n(h.statementsPerRequest, 1)} | ${n(h.casRetries)} | ${n(h.fallbacks)} | ${other || "none"} | ${h.violations} |`,
    );
  }
  lines.push("", "| page | req/s | p50 ms | p99 ms | server CPU ms/req | size | gzipped |", "|---|---|---|---|---|---|---|");
  for (const p of r.pages) {
    lines.push(
      `| ${p.page} | ${n(p.requestsPerSecond)} | ${ms(p.p50)} | ${ms(p.p99)} | ${n(p.serverCpuMsPerRequest, 2)} | ${n(p.bytes / 1024, 1)} KiB | ${n(p.gzipBytes / 1024, 1)} KiB |`,
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
  lines.push("", `Invariant violations: ${r.violations}.`);
  return `${lines.join("\n")}\n`;
}

const COLOURS = ["#1d4ed8", "#b45309", "#15803d", "#7c3aed", "#be123c", "#0e7490", "#4d7c0f", "#a21caf"];

/** Requests per second by client count, one line per path (and seats per hold). */
export function svgChart(r: BenchResults): string {
  const series = new Map<string, Array<[number, number]>>();
  for (const h of r.holds) {
    const key = `${h.path} · ${h.seats}`;
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
