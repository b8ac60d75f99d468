import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { findFreePort } from "~/db/embedded.server";
import { accepts } from "./services";

/** Debian's pgbouncer (apt-get install pgbouncer; .ci/run installs it), or PGBOUNCER_PATH. */
export function findPgbouncer(): string | null {
  const candidates = [process.env.PGBOUNCER_PATH, "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer"];
  return candidates.find((p): p is string => Boolean(p && existsSync(p))) ?? null;
}

export interface Pgbouncer {
  /** `databaseUrl` with pgbouncer's host and port in place of PostgreSQL's. */
  url: string;
  /** pgbouncer's own console (SHOW POOLS, SHOW STATS). */
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * pgbouncer in transaction mode in front of `databaseUrl`'s server, with at most `poolSize`
 * server connections per database and user, so many clients really share few connections. The
 * config is the one in docs/several-instances.md.
 */
export async function startPgbouncer(binary: string, databaseUrl: string, options: { poolSize?: number } = {}): Promise<Pgbouncer> {
  const target = new URL(databaseUrl);
  const user = decodeURIComponent(target.username) || "postgres";
  const password = decodeURIComponent(target.password);
  const dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-pgbouncer-"));
  await chmod(dir, 0o755);
  const port = await findFreePort();
  const quoted = (value: string) => `"${value.replaceAll('"', '""')}"`;
  await writeFile(path.join(dir, "userlist.txt"), `${quoted(user)} ${quoted(password)}\n`, { mode: 0o644 });
  await writeFile(
    path.join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `* = host=${target.hostname} port=${target.port || 5432}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "pool_mode = transaction",
      `default_pool_size = ${options.poolSize ?? 4}`,
      "max_client_conn = 500",
      // Clients log in with the password in auth_file; pgbouncer logs in to PostgreSQL with it.
      "auth_type = scram-sha-256",
      `auth_file = ${path.join(dir, "userlist.txt")}`,
      `admin_users = ${user}`,
      `logfile = ${path.join(dir, "pgbouncer.log")}`,
      `pidfile = ${path.join(dir, "pgbouncer.pid")}`,
      "",
    ].join("\n"),
    { mode: 0o644 },
  );
  // pgbouncer refuses to run as root.
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const ids = asRoot
    ? { uid: Number(execFileSync("id", ["-u", "postgres"]).toString()), gid: Number(execFileSync("id", ["-g", "postgres"]).toString()) }
    : {};
  if (ids.uid !== undefined) await chown(dir, ids.uid, ids.gid as number); // its log and pid file
  const child: ChildProcess = spawn(binary, [path.join(dir, "pgbouncer.ini")], { ...ids, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  const adminUrl = new URL(url);
  adminUrl.pathname = "/pgbouncer";
  // Ready when it accepts a connection.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited (${child.exitCode}): ${stderr}`);
    const open = await accepts("127.0.0.1", port);
    if (open) break;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not listen within 10 s: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: url.toString(),
    adminUrl: adminUrl.toString(),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGINT");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
