/**
 * The soak's 20-second version (issue 11): `bench/soak.ts --seconds 20` against the compiled
 * server, checked as the full run is — no violation, no answer outside the contract. It proves
 * the tool and its checks, not speed. The full run's figures are in docs/benchmarks.md ("Soak").
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

describe("npm run soak -- --seconds 20", () => {
  it("drives holds, payments, repeats, releases, cancels and expiries over HTTP, and finds nothing wrong", {
    timeout: 120_000,
  }, async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "bench/soak.ts", "--seconds", "20", "--clients", "16", "--buyers", "200"], {
        cwd: path.resolve(import.meta.dirname, "../.."),
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production" },
      });
      let text = "";
      child.stdout.on("data", (d) => (text += d));
      child.stderr.on("data", (d) => (text += d));
      child.on("exit", (exitCode) => resolve({ code: exitCode, output: text }));
    });
    expect(code, output).toBe(0);
    expect(output).toContain("violations: 0");
    expect(output).toContain("unexpected answers: 0");
    const ops = Number(/([\d,]+) operations in [\d.]+ s:/.exec(output)?.[1].replaceAll(",", ""));
    expect(ops).toBeGreaterThan(500);
    for (const kind of ["hold 201", "pay 200", "pay 402", "pay again 200", "release 200", "cancel 200"]) expect(output).toContain(kind);
  });
});
