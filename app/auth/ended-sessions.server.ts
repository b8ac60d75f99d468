import type { Db } from "~/db/client.server";
import { endedSessionsSince, hashSessionId } from "~/domain/sessions.server";

/**
 * "Has this session ended?", asked on the hot paths (a hold, every API call) without a query of
 * their own: each process keeps the set of ended sessions that would otherwise still be live,
 * and reads what ended since its last look at most every CHECK_SECONDS (one small indexed query
 * per process, shared by every request then waiting). An end in this process counts here at once;
 * one in another process within CHECK_SECONDS. A cookie's or token's own expiry is checked by its
 * signature's owner (the signed `exp`), and pages that read the user read the session with it,
 * fresh (guards.server.ts).
 *
 * Why not a query per request: on a flash sale's hold it was one more round trip, +1 statement
 * and about +0.7 ms of server CPU per hold in the benchmark (docs/benchmarks.md).
 */
export const CHECK_SECONDS = 5;
/**
 * How long a request waits for a look that is under way. A look can hang while PostgreSQL comes
 * back (the driver retrying a connection): requests then go on with what is known, at most this
 * much later, rather than all waiting on it (the outage test saw bearer calls wait 11 s). The
 * request's own queries still answer for themselves (503 if the database is out of reach).
 */
export const POLL_WAIT_MS = 1000;

export class SessionChecks {
  /** Ended sessions by hash, with when they would have expired (then they are dropped). */
  private readonly ended = new Map<string, number>();
  private polledAt = Number.NEGATIVE_INFINITY;
  private since: Date | null = null;
  private polling: Promise<void> | null = null;

  constructor(private readonly db: Db) {}

  async isLive(sessionId: string, now: Date = new Date()): Promise<boolean> {
    if (now.getTime() - this.polledAt >= CHECK_SECONDS * 1000) await this.pollWithin(now, POLL_WAIT_MS);
    return !this.ended.has(hashSessionId(sessionId));
  }

  /**
   * A look, waited for at most `ms` (it goes on after); a look that fails fails the request, as
   * before. Before any look has succeeded nothing is known: a late one is then "the database
   * cannot be reached" (503), never a guess that a session is live.
   */
  private async pollWithin(now: Date, ms: number): Promise<void> {
    const look = this.poll(now);
    const knowsSomething = this.polledAt > Number.NEGATIVE_INFINITY;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => (knowsSomething ? resolve() : reject(lookTooSlow())), ms);
      timer.unref();
    });
    try {
      await Promise.race([look, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads the ends it has not seen (at once: after this process ended sessions by user). */
  poll(now: Date = new Date()): Promise<void> {
    this.polling ??= (async () => {
      try {
        for (const row of await endedSessionsSince(this.db, this.since, now)) {
          this.ended.set(row.idHash, row.expiresAt.getTime());
          if (!this.since || row.endedAt > this.since) this.since = row.endedAt;
        }
        for (const [key, until] of this.ended) if (until <= now.getTime()) this.ended.delete(key);
        this.polledAt = now.getTime();
      } finally {
        this.polling = null;
      }
    })();
    return this.polling;
  }

  /** This process ended the session: it stops working here at once (the next poll gives its expiry). */
  markEnded(sessionId: string) {
    this.ended.set(hashSessionId(sessionId), Number.POSITIVE_INFINITY);
  }
}

/** Counted as the database out of reach (db/unavailable.server.ts): answered 503, Retry-After. */
const lookTooSlow = () =>
  Object.assign(new Error(`the ended sessions could not be read within ${POLL_WAIT_MS} ms`), { code: "CONNECT_TIMEOUT" });
