import { afterEach, beforeEach, vi } from "vitest";

/**
 * A test that makes the app call console.error fails: an unexpected server error must not hide
 * behind a passing assertion. Tests that expect errors capture console.error themselves.
 */
let calls: unknown[][] = [];
beforeEach(() => {
  calls = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    calls.push(args);
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  if (calls.length) {
    const lines = calls.map((args) => args.map((a) => (a instanceof Error ? a.stack : String(a))).join(" "));
    throw new Error(`console.error was called during the test:\n${lines.join("\n")}`);
  }
});
