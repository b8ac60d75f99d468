import { deleteLapsedRateLimits } from "~/auth/rate-limit.server";
import { deleteExpiredSessions } from "~/domain/sessions.server";
import { sweepAllExpiredHolds } from "~/domain/sweeper.server";
import { pruneEvents } from "~/events/relay.server";
import type { Logger } from "~/logger.server";
import type { AppServices } from "./context.server";

export interface Jobs {
  stop(): Promise<void>;
}

/**
 * Background jobs owned by the server process: the hold sweeper, every SWEEP_INTERVAL_SECONDS.
 * Every instance runs it; one at a time works (sweeper.server.ts, SWEEPER_LOCK).
 */
export function startJobs(services: AppServices, log: Logger): Jobs {
  let running: Promise<void> | undefined;
  const sweep = async () => {
    try {
      // Batch after batch until the backlog is gone (a flash sale's worth of abandoned holds).
      const result = await sweepAllExpiredHolds(services.db, new Date());
      if (result.busy) log.debug("sweeper: another instance is sweeping; this one waits for its next turn");
      if (result.seatsFreed || result.bookingsExpired) {
        log.info(
          `sweeper: freed ${result.seatsFreed} seat(s); expired ${result.bookingsExpired} booking(s)` +
            (result.references.length ? `: ${result.references.slice(0, 20).join(", ")}` : ""),
        );
      }
      // Ended sessions sign nobody in either way; this only keeps the table small.
      await deleteExpiredSessions(services.db, new Date());
      // Lapsed brake counts count for nothing (the limiter ignores them); this keeps the table small.
      await deleteLapsedRateLimits(services.db, new Date());
      // Handled events, after a week (dead ones after a month).
      await pruneEvents(services.db, new Date());
    } catch (error) {
      log.error("sweeper failed", error);
    }
  };
  const timer = setInterval(() => {
    running ??= sweep().finally(() => (running = undefined));
  }, services.config.booking.sweepIntervalSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
