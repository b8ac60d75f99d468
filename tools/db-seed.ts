import { loadConfig } from "~/config.server";
import { DEMO_ACCOUNTS, seedDemo } from "~/domain/demo.server";
import { createLogger } from "~/logger.server";
import { runTool, withDatabase } from "./database";

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
  await withDatabase(config, log, 2, (db) => seedDemo(db, log));
}

runTool(run);
