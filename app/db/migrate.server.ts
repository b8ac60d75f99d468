import path from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

import { PROJECT_ROOT } from "~/config.server";

/** The committed migrations (found from the project root, so the bundled server finds them too). */
export const MIGRATIONS_FOLDER = path.join(PROJECT_ROOT, "drizzle");

// Any constant works; it only has to be the same in every Holdfast process.
const MIGRATION_LOCK = 4_815_162_342;

/**
 * Applies the committed drizzle-kit migrations. Several processes may start at once, so one
 * session-level advisory lock makes them take turns instead of racing on the same DDL.
 */
export async function runMigrations(url: string, migrationsFolder = MIGRATIONS_FOLDER) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle(sql), { migrationsFolder });
  } finally {
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
    await sql.end({ timeout: 5 });
  }
}
