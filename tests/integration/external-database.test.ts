import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { createLogger } from "~/logger.server";
import { startServer } from "~/server/start.server";
import { withDatabase } from "../support/global-setup";
import { TestClient } from "../support/http";
import { serverEnv } from "../support/server";

describe("DATABASE_URL", () => {
  it("migrates an empty existing database at start and uses it", async () => {
    const adminUrl = inject("adminDatabaseUrl");
    const name = `holdfast_empty_${randomBytes(4).toString("hex")}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    const url = withDatabase(adminUrl, name);
    const server = await startServer({ env: serverEnv(url), logger: createLogger("silent") });
    const direct = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const response = await new TestClient(server.url).post("/signup", {
        name: "Ext",
        email: "ext@example.com",
        password: "a-good-long-password",
      });
      expect(response.status).toBe(302);
      const rows = await direct`select name from users where email = 'ext@example.com'`;
      expect(rows).toEqual([{ name: "Ext" }]);
      const applied = await direct`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(applied[0].n).toBeGreaterThan(0);
      // No demo data on an external database.
      const demo = await direct`select count(*)::int as n from users where email like '%@holdfast.test'`;
      expect(demo[0].n).toBe(0);
    } finally {
      await direct.end();
      await server.close();
      await admin.unsafe(`drop database "${name}" with (force)`);
      await admin.end();
    }
  });
});
