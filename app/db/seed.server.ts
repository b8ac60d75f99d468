import type { Db } from "./client.server";
import { createUser, findUserByEmail } from "~/domain/users.server";
import type { Logger } from "~/server/logger.server";

/** Demo logins, printed at start and shown in README. Only ever seeded on the embedded default. */
export const DEMO_ACCOUNTS = {
  admin: { name: "Ada Admin", email: "admin@holdfast.test", password: "holdfast-admin" },
  user: { name: "Dana Demo", email: "demo@holdfast.test", password: "holdfast-demo" },
} as const;

/** Idempotent: safe on every start; only what is missing is created. */
export async function seedDemo(db: Db, log: Logger) {
  for (const [kind, account] of Object.entries(DEMO_ACCOUNTS)) {
    if (!(await findUserByEmail(db, account.email))) {
      await createUser(db, account, { role: kind === "admin" ? "ADMIN" : "USER" });
    }
  }
  log.info(
    `Demo logins: admin ${DEMO_ACCOUNTS.admin.email} / ${DEMO_ACCOUNTS.admin.password}, ` +
      `user ${DEMO_ACCOUNTS.user.email} / ${DEMO_ACCOUNTS.user.password}`,
  );
}
