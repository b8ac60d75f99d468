import { chmod, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "~/db/embedded.server";
import { runMigrations } from "~/db/migrate.server";

declare module "vitest" {
  export interface ProvidedContext {
    /** A URL on the test cluster with the right to create databases. */
    adminDatabaseUrl: string;
    /** A migrated database that each test file copies into its own. */
    templateDatabase: string;
  }
}

export function withDatabase(url: string, name: string) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * One real PostgreSQL for the run: TEST_DATABASE_URL when set, else an embedded one in the
 * system temp folder. A migrated template database is made once; each test file clones it.
 */
export default async function setup(project: TestProject) {
  let adminUrl = process.env.TEST_DATABASE_URL;
  let stopCluster = async () => {};
  let dataDir: string | undefined;
  if (!adminUrl) {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "holdfast-test-"));
    await chmod(dataDir, 0o755);
    const cluster = await startEmbeddedPostgres({
      dataDir,
      flags: ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
    });
    adminUrl = cluster.url;
    stopCluster = () => cluster.stop();
  }
  const template = `holdfast_template_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${template}"`);
  await admin.unsafe(`create database "${template}"`);
  await runMigrations(withDatabase(adminUrl, template));
  project.provide("adminDatabaseUrl", adminUrl);
  project.provide("templateDatabase", template);

  return async () => {
    await admin.unsafe(`drop database if exists "${template}" with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
    await stopCluster();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    // The test servers' e-mails (tests/support/server.ts, one folder per worker).
    for (const name of await readdir(os.tmpdir()))
      if (name.startsWith("holdfast-test-mail-")) await rm(path.join(os.tmpdir(), name), { recursive: true, force: true });
  };
}
