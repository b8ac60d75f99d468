import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { createSessions } from "~/auth/cookie.server";
import { startServer } from "~/server/start.server";
import { withDatabase } from "../support/global-setup";
import { TestClient, textOf } from "../support/http";
import { capturingLogger, serverEnv } from "../support/server";

describe("in production", () => {
  it("marks the session cookie Secure, HttpOnly and SameSite=Lax", async () => {
    const sessions = createSessions({ secret: "s".repeat(40), secure: true });
    const session = await sessions.getSession();
    session.set("userId", "00000000-0000-4000-8000-000000000000");
    const cookie = await sessions.commitSession(session);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Lax/);
  });

  it("never shows a stack trace or an internal message, even when the database is gone", async () => {
    const adminUrl = inject("adminDatabaseUrl");
    const name = `holdfast_prod_${randomBytes(4).toString("hex")}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    const log = capturingLogger("error");
    const server = await startServer({
      env: serverEnv(withDatabase(adminUrl, name), { NODE_ENV: "production", PUBLIC_URL: "https://tickets.example.com" }),
      logger: log.logger,
    });
    try {
      const client = new TestClient(server.url);
      expect((await client.get("/")).status).toBe(200);
      await admin.unsafe(`drop database "${name}" with (force)`);
      for (const path of ["/", "/shows/00000000-0000-4000-8000-000000000000"]) {
        const response = await client.get(path);
        expect(response.status).toBe(500);
        const html = await response.text();
        expect(textOf(html)).toContain("Something went wrong");
        expect(html).not.toMatch(/\bat .+:\d+:\d+/); // no stack frames
        expect(html).not.toMatch(/does not exist|postgres|drizzle|Failed query/i);
        // What to quote instead: the request's id, which finds the details in the log.
        const id = response.headers.get("x-request-id") ?? "";
        expect(textOf(html)).toContain(`quote the reference ${id}`);
        expect(log.lines().find((line) => line.level === "error" && line.reqId === id)?.err).toMatch(/3D000/);
      }
      expect((await client.get("/readyz")).status).toBe(503);
    } finally {
      await server.close();
      await admin.end();
    }
  });
});
