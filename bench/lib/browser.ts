/**
 * Pages loaded in a real browser: the system's Chromium (Debian's, as the end-to-end tests use),
 * or Playwright's own. Each load is a fresh context (no cache, no cookies), as a buyer's first
 * visit; the pages take turns, so the machine's noise falls on all of them alike.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "@playwright/test";
import { percentile } from "./load";
import type { BrowserRow } from "./report";

function chromiumPath(): string | undefined {
  return [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p): p is string =>
    Boolean(p && existsSync(p)),
  );
}

export async function openBrowser(): Promise<Browser | null> {
  try {
    return await chromium.launch({
      executablePath: chromiumPath(),
      args: ["--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
  } catch (error) {
    console.log(`no browser cells: Chromium did not start (${(error as Error).message.split("\n")[0]})`);
    return null;
  }
}

/**
 * `loads` loads of each page, in turns; a warm-up load of each first, not counted. "first
 * visit": a new browser context each load (nothing cached: HTML, CSS and every script fetched
 * and compiled anew). "from the show list": the buyer's usual way in, a tab that shows the
 * list of shows, then the page: the same tab and site, the CSS and scripts cached from the list
 * (immutable, as every browser keeps them); the page itself is fetched anew (it is never cached).
 */
export async function loadPagesInTurn(
  browser: Browser,
  baseUrl: string,
  pages: Array<{ name: string; path: string }>,
  loads: number,
  mode: "first visit" | "from the show list",
): Promise<BrowserRow[]> {
  const shared = mode === "from the show list" ? await browser.newContext({ viewport: { width: 1280, height: 900 } }) : null;
  const samples = pages.map(() => ({
    load: [] as number[],
    paint: [] as number[],
    ttfb: [] as number[],
    ready: [] as number[],
    bytes: 0,
    elements: 0,
  }));
  for (let round = -1; round < loads; round++) {
    for (const [i, page] of pages.entries()) {
      const context = shared ?? (await browser.newContext({ viewport: { width: 1280, height: 900 } }));
      const tab = await context.newPage();
      if (shared) await tab.goto(`${baseUrl}/`, { waitUntil: "load" });
      const response = await tab.goto(`${baseUrl}${page.path}`, { waitUntil: "load" });
      if (!response?.ok()) throw new Error(`${page.path}: ${response?.status()}`);
      const figures = await tab.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
        const paint = performance.getEntriesByName("first-contentful-paint")[0];
        return {
          load: nav.loadEventEnd,
          paint: paint?.startTime ?? 0,
          ttfb: nav.responseStart,
          ready: nav.domContentLoadedEventEnd,
          bytes: nav.decodedBodySize,
          elements: document.getElementsByTagName("*").length,
        };
      });
      await (shared ? tab.close() : context.close());
      if (round < 0) continue;
      samples[i].load.push(figures.load);
      samples[i].paint.push(figures.paint);
      samples[i].ttfb.push(figures.ttfb);
      samples[i].ready.push(figures.ready);
      samples[i].bytes = figures.bytes;
      samples[i].elements = figures.elements;
    }
  }
  await shared?.close();
  return pages.map((page, i) => {
    const s = samples[i];
    s.load.sort((a, b) => a - b);
    s.paint.sort((a, b) => a - b);
    s.ttfb.sort((a, b) => a - b);
    s.ready.sort((a, b) => a - b);
    return {
      page: `${page.name} · ${mode}`,
      loads,
      loadP50: percentile(s.load, 50),
      loadP90: percentile(s.load, 90),
      paintP50: percentile(s.paint, 50),
      ttfbP50: percentile(s.ttfb, 50),
      readyP50: percentile(s.ready, 50),
      bytes: s.bytes,
      elements: s.elements,
    };
  });
}
