import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { loadConfig } from "~/config.server";
import { upsertAdmin } from "~/domain/accounts.server";
import { ValidationFailed } from "~/domain/errors";
import { createLogger } from "~/logger.server";
import { messageOf, runTool, withDatabase } from "./database";

/**
 * `npm run admin:create -- --email a@b.c --name "Ada"`: the password comes from ADMIN_PASSWORD
 * or a prompt that does not echo. An existing account with that email is promoted.
 */
async function askPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new Error("No terminal to ask for a password: set ADMIN_PASSWORD.");
  }
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const question = rl.question("Password (at least 10 characters): ");
  muted = true;
  const answer = await question;
  rl.close();
  process.stdout.write("\n");
  return answer;
}

async function run() {
  const { values } = parseArgs({ options: { email: { type: "string" }, name: { type: "string" } } });
  const { email, name } = values;
  if (!email || !name) {
    throw new Error('Usage: npm run admin:create -- --email admin@example.com --name "Ada Admin"');
  }
  const config = loadConfig(process.env);
  const password = process.env.ADMIN_PASSWORD || (await askPassword());
  const { user, created } = await withDatabase(config, createLogger("error", { format: "text" }), 1, (db) =>
    upsertAdmin(db, { email, name, password }),
  );
  console.log(`${created ? "Created" : "Promoted"} admin ${user.email}.`);
}

runTool(run, (error) =>
  error instanceof ValidationFailed
    ? Object.entries(error.fieldErrors).map(([field, message]) => `${field}: ${message}`)
    : [messageOf(error)],
);
