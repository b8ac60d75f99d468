import { spawn } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { findUserByEmail, verifyLogin } from "~/domain/accounts.server";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();

function run(script: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "development", LOG_LEVEL: "silent", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("npm run admin:create", () => {
  it("creates an admin with the password from ADMIN_PASSWORD", async () => {
    const result = await run("tools/create-admin.ts", ["--email", "Boss@Example.com", "--name", "The Boss"], {
      DATABASE_URL: t.url,
      ADMIN_PASSWORD: "a-strong-admin-password",
    });
    expect(result.output).toContain("Created admin boss@example.com.");
    expect(result.code).toBe(0);
    const admin = await verifyLogin(t.db, { email: "boss@example.com", password: "a-strong-admin-password" });
    expect(admin.role).toBe("ADMIN");
  });

  it("explains bad input and creates nothing", async () => {
    const result = await run("tools/create-admin.ts", ["--email", "not-an-email", "--name", "X"], {
      DATABASE_URL: t.url,
      ADMIN_PASSWORD: "short",
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain("email: Enter a valid email address");
    expect(result.output).toContain("password: Password must be at least 10 characters");
    expect(await findUserByEmail(t.db, "not-an-email")).toBeUndefined();
  });

  it("asks for a password when there is no terminal and no ADMIN_PASSWORD", async () => {
    const result = await run("tools/create-admin.ts", ["--email", "x@example.com", "--name", "X"], { DATABASE_URL: t.url });
    expect(result.code).toBe(1);
    expect(result.output).toContain("set ADMIN_PASSWORD");
  });
});

describe("npm run db:migrate", () => {
  it("applies migrations to DATABASE_URL (a no-op when up to date)", async () => {
    const result = await run("tools/db-migrate.ts", [], { DATABASE_URL: t.url });
    expect(result.output).toContain("Migrations applied.");
    expect(result.code).toBe(0);
  });
});

describe("npm run db:seed", () => {
  it("puts the demo logins and shows on DATABASE_URL, once, and refuses production", async () => {
    const refused = await run("tools/db-seed.ts", [], {
      DATABASE_URL: t.url,
      NODE_ENV: "production",
      SESSION_SECRET: "x".repeat(40),
    });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain("Refusing to seed demo data with NODE_ENV=production");
    expect(await findUserByEmail(t.db, "admin@holdfast.test")).toBeUndefined();

    for (let i = 0; i < 2; i++) {
      const result = await run("tools/db-seed.ts", [], { DATABASE_URL: t.url });
      expect(result.code, result.output).toBe(0);
    }
    expect((await findUserByEmail(t.db, "admin@holdfast.test"))?.role).toBe("ADMIN");
    const shows = await t.db.execute<{ name: string; total_seats: number; zones: number }>(
      sql`select name, total_seats, (select count(*)::int from price_zones z where z.show_id = s.id) as zones from shows s order by name`,
    );
    expect(shows.map((s) => [s.total_seats, s.zones])).toEqual(
      expect.arrayContaining([
        [20_000, 3],
        [40, 1],
        [32, 1],
        [120, 1],
      ]),
    );
    expect(shows).toHaveLength(4);
  }, 60_000);
});
