import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: { "~": path.join(import.meta.dirname, "app") },
  },
  test: {
    globalSetup: ["tests/support/global-setup.ts"],
    setupFiles: ["tests/support/fail-on-console-error.ts"],
    // Two cores here, three workers, each file on its own database: the files spend much of their
    // time waiting (on PostgreSQL, child processes, timers), and a third keeps both cores busy
    // (the whole run: 222 s against 270–318 s with two).
    pool: "forks",
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { LOG_LEVEL: "silent" },
    // Everything runs in UTC; what deals in times runs again in a zone with a half-hour offset
    // (Asia/Kolkata), so no rule can lean on the process time zone: every unit test, and the
    // integration tests whose subject is a time — shows' times shown and parsed (pages, admin
    // forms, the API), holds' expiry and the sweeper, past clinic slots, booking history. The
    // rest run once: they are about processes, security, races and hostile input, with no time of
    // day in what they assert (and several run child processes, which get no TZ from here).
    projects: [
      // (Each project names its files: an `include` beside the projects' would be merged into theirs.)
      { extends: true, test: { name: "utc", env: { TZ: "UTC" }, include: ["tests/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "kolkata",
          env: { TZ: "Asia/Kolkata" },
          include: [
            "tests/unit/**/*.test.ts",
            ...[
              "admin-forms",
              "api",
              "booking-pages",
              "bookings",
              "events",
              "holds",
              "model",
              "seat-events",
              "seat-state",
              "show-admin",
              "sweeper",
            ].map((name) => `tests/integration/${name}.test.ts`),
          ],
        },
      },
    ],
  },
});
