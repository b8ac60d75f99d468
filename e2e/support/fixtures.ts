import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { test as base, expect } from "@playwright/test";
import { createSessions } from "~/auth/session.server";
import { connectDatabase, type Database } from "~/db/client.server";
import { users } from "~/db/schema";
import { eq } from "drizzle-orm";
import type { E2EState } from "./serve";

// One bcrypt hash (cost 12) shared by every fixture user: hashing per user would slow the suite.
export const FIXTURE_PASSWORD = "fixture-password-1";
const FIXTURE_HASH = "$2b$12$g4rYPLxPpu8ySpkCrAJVcueEFRvzAbWBcd/isuvSHO58OR7SGrT76";

export interface TestUser {
  id: string;
  name: string;
  email: string;
  password: string;
}

function state(): E2EState {
  return JSON.parse(readFileSync(process.env.HOLDFAST_E2E_STATE!, "utf8"));
}

let database: Database | undefined;
function db() {
  database ??= connectDatabase(state().databaseUrl, { max: 2 });
  return database.db;
}

interface Fixtures {
  clientAddress: string;
  createUser: (options?: { role?: "USER" | "ADMIN"; withPassword?: boolean }) => Promise<TestUser>;
  loginAs: (user: TestUser) => Promise<void>;
}

export const test = base.extend<Fixtures>({
  // Every test is its own client address (the e2e server trusts X-Forwarded-For from loopback).
  clientAddress: async ({}, use) => {
    const n = Math.floor(Math.random() * 2 ** 24);
    await use(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`);
  },
  extraHTTPHeaders: async ({ clientAddress }, use) => {
    await use({ "X-Forwarded-For": clientAddress });
  },
  createUser: async ({}, use) => {
    const created: string[] = [];
    await use(async (options = {}) => {
      const id = randomUUID();
      const user = { id, name: `Tester ${id.slice(0, 6)}`, email: `e2e-${id}@example.com`, password: FIXTURE_PASSWORD };
      const { hashPassword } = await import("~/auth/password.server");
      const passwordHash = options.withPassword ? await hashPassword(FIXTURE_PASSWORD) : FIXTURE_HASH;
      await db().insert(users).values({ id, name: user.name, email: user.email, passwordHash, role: options.role ?? "USER" });
      created.push(id);
      return user;
    });
    for (const id of created) await db().delete(users).where(eq(users.id, id)).catch(() => {});
  },
  // Logs in by writing the session cookie, not by clicking: the login form has its own tests.
  loginAs: async ({ context, baseURL }, use) => {
    await use(async (user) => {
      const sessions = createSessions({ secret: state().sessionSecret, secure: false });
      const session = await sessions.getSession();
      session.set("userId", user.id);
      const cookie = await sessions.commitSession(session);
      const [pair] = cookie.split(";");
      const eqAt = pair.indexOf("=");
      await context.addCookies([
        { name: pair.slice(0, eqAt), value: pair.slice(eqAt + 1), url: baseURL!, httpOnly: true, sameSite: "Lax" },
      ]);
    });
  },
});

export { expect };
