import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { connectDatabase, type Database } from "~/db/client.server";
import { startEmbeddedPostgres } from "~/db/embedded.server";
import { runMigrations } from "~/db/migrate.server";

/** A migrated database for a benchmark: BENCH_DATABASE_URL, or an embedded PostgreSQL in the temp folder. */
export async function benchDatabase(poolSize: number): Promise<Database & { url: string; stop(): Promise<void> }> {
  let url = process.env.BENCH_DATABASE_URL;
  let stopCluster = async () => {};
  if (!url) {
    const dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-bench-"));
    await chmod(dir, 0o755);
    const cluster = await startEmbeddedPostgres({ dataDir: dir });
    const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
    await admin.unsafe("create database bench");
    await admin.end();
    url = cluster.urlFor("bench");
    stopCluster = async () => {
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  await runMigrations(url);
  const database = connectDatabase(url, { max: poolSize });
  return {
    ...database,
    url,
    async stop() {
      await database.close();
      await stopCluster();
    },
  };
}

export function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const ms = (n: number) => `${n.toFixed(2)} ms`;
