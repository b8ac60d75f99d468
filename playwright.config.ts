import { existsSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

// The launcher (e2e/support/serve.ts) writes what fixtures need (database URL, session secret)
// here. Set once in the runner process; its workers inherit the same value.
process.env.HOLDFAST_E2E_STATE ??= path.join(mkdtempSync(path.join(os.tmpdir(), "holdfast-e2e-state-")), "state.json");

const LOG_SCAN = /logs\.spec\.ts$/;
/** Tests tagged @phone run at phone size too. */
const PHONE = /@phone/;
/**
 * axe's checks (tagged @axe) run in two of the four projects, which between them see every page's
 * both DOMs and both layouts: `no-js` (the server's page at desktop size) and `js-phone` (the
 * page once JavaScript has run — the island, the controls only JavaScript adds — at phone size).
 * Running them in all four doubled the browser tests' slowest part and found nothing more.
 */
const AXE = /@axe/;

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);

/** A system Chromium when there is one (Debian's here); Playwright's own browser otherwise. */
function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((p): p is string => Boolean(p && existsSync(p)));
}

const launchOptions = {
  executablePath: chromiumPath(),
  args: [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "e2e",
  fullyParallel: true,
  workers: process.env.CI ? 2 : 2,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: process.env.CI ? [["list"]] : [["list"]],
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: `http://localhost:${E2E_PORT}`,
    trace: "retain-on-failure",
    launchOptions,
  },
  projects: [
    { name: "js", grepInvert: AXE, testIgnore: LOG_SCAN, use: { ...devices["Desktop Chrome"], launchOptions, javaScriptEnabled: true } },
    { name: "no-js", testIgnore: LOG_SCAN, use: { ...devices["Desktop Chrome"], launchOptions, javaScriptEnabled: false } },
    // The buyer's flows again on a phone (a touch screen 412 px wide), with and without JavaScript.
    { name: "js-phone", grep: PHONE, testIgnore: LOG_SCAN, use: { ...devices["Pixel 7"], launchOptions, javaScriptEnabled: true } },
    {
      name: "no-js-phone",
      grep: PHONE,
      grepInvert: AXE,
      testIgnore: LOG_SCAN,
      use: { ...devices["Pixel 7"], launchOptions, javaScriptEnabled: false },
    },
    // Last, when every other test has written its lines: the server's log holds no secret.
    { name: "logs", testMatch: LOG_SCAN, dependencies: ["js", "no-js", "js-phone", "no-js-phone"] },
  ],
  webServer: {
    command: "node --import tsx e2e/support/serve.ts",
    url: `http://localhost:${E2E_PORT}/readyz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    env: { E2E_PORT: String(E2E_PORT), HOLDFAST_E2E_STATE: process.env.HOLDFAST_E2E_STATE },
  },
});
