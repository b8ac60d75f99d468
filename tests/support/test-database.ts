import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, inject } from "vitest";
import { connectDatabase, type Database } from "~/db/client.server";
import { withDatabase } from "./global-setup";

export interface TestDatabase extends Database {
  url: string;
  name: string;
}

/**
 * Gives the calling test file its own database, cloned from the migrated template before its
 * tests and dropped after them. The returned object is filled in by `beforeAll`.
 */
export function useTestDatabase(options: { max?: number } = {}): TestDatabase {
  const handle = {} as TestDatabase;
  const adminUrl = inject("adminDatabaseUrl");
  const template = inject("templateDatabase");
  const name = `holdfast_t_${randomBytes(6).toString("hex")}`;
  beforeAll(async () => {
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database "${name}" template "${template}"`);
    } finally {
      await admin.end();
    }
    const url = withDatabase(adminUrl, name);
    Object.assign(handle, connectDatabase(url, { max: options.max ?? 10 }), { url, name });
  });
  afterAll(async () => {
    await handle.close?.();
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
    } finally {
      await admin.end();
    }
  });
  return handle;
}
