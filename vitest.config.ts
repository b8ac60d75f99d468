import path from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: { "~": path.join(import.meta.dirname, "app") },
  },
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    setupFiles: ["tests/support/fail-on-console-error.ts"],
    // Two cores here: two workers, each file on its own database.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { LOG_LEVEL: "silent" },
    // The whole suite runs twice: in UTC and in a zone with a half-hour offset, so no rule can
    // lean on the process time zone.
    projects: [
      { extends: true, test: { name: "utc", env: { TZ: "UTC" } } },
      // Once is enough for what does not run in this process's time zone: the benchmark's smoke
      // run (the harness), and the server processes sent signals or cut off from PostgreSQL
      // (their children get no TZ from here), the instances behind nginx (child processes too), and
      // the replica and pgbouncer tests (what they prove does not read a clock).
      {
        extends: true,
        test: {
          name: "kolkata",
          env: { TZ: "Asia/Kolkata" },
          exclude: [
            ...configDefaults.exclude,
            "tests/integration/bench-smoke.test.ts",
            "tests/integration/lifecycle.test.ts",
            "tests/integration/outage.test.ts",
            "tests/integration/soak-smoke.test.ts",
            "tests/integration/cluster.test.ts",
            "tests/integration/replica.test.ts",
            "tests/integration/pgbouncer.test.ts",
          ],
        },
      },
    ],
  },
});
