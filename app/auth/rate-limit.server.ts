import { createHash, createHmac } from "node:crypto";
import { lt } from "drizzle-orm";
import { type RateLimiterAbstract, RateLimiterDrizzle, RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Db, DbOrTx } from "~/db/client.server";
import { rateLimits } from "~/db/schema";
import { DomainError, RateLimited } from "~/domain/errors";

/**
 * Brakes on guessing passwords and on mass sign-up, as OWASP's authentication cheat sheet
 * advises, so that a guesser cannot lock the real owner out:
 *
 * - every address: `perMinute` log-in and sign-up attempts in a rolling minute;
 * - every (email, address) pair: 5 consecutive failed log-ins, then that pair waits 15 minutes
 *   from its last failure (a success clears the count) — one attacker's address is stopped
 *   without touching the owner elsewhere;
 * - every email: a wider ceiling, 10 × `perMinute` failed log-ins an hour from all addresses
 *   together — a botnet guessing one account is stopped too, at the price that it can then keep
 *   the owner out for the rest of that hour (docs/security.md says so).
 *
 * rate-limiter-flexible keeps the counts: in PostgreSQL's `rate_limits` table when given the
 * database (the server: every instance behind a load balancer shares them, so N instances do not
 * give a guesser N budgets), in memory otherwise (unit tests). The keys are stored as an HMAC
 * under a secret derived from the session secret: the table never holds an email or an address. `perMinute = 0` turns every brake off
 * (load tests).
 */
export interface AuthLimits {
  attemptsPerMinute: number;
  failuresPerPair: number;
  pairWaitSeconds: number;
  failuresPerEmailPerHour: number;
}

export const limitsFor = (perMinute: number): AuthLimits => ({
  attemptsPerMinute: perMinute,
  failuresPerPair: 5,
  pairWaitSeconds: 15 * 60,
  failuresPerEmailPerHour: 10 * perMinute,
});

// Capped: a megabyte "email" must not become a megabyte key held for an hour.
const emailKey = (email: string | undefined) => email?.trim().toLowerCase().slice(0, 254) ?? "";

export class AuthRateLimiter {
  private readonly byAddress?: RateLimiterAbstract;
  private readonly byPair?: RateLimiterAbstract;
  private readonly byEmail?: RateLimiterAbstract;
  readonly limits: AuthLimits;
  private readonly hashed: (key: string) => string;

  constructor(
    readonly perMinute: number,
    options: { limits?: AuthLimits; db?: Db; keySecret?: string } = {},
  ) {
    // Keys are stored as an HMAC under a server secret: the table gives no address or email back,
    // not even to a dictionary (a plain digest of an IPv4 address is reversed by trying them all).
    const secret = options.keySecret;
    this.hashed = (key) => (secret ? createHmac("sha256", secret).update(key) : createHash("sha256").update(key)).digest("base64url");
    const limits = options.limits ?? limitsFor(perMinute);
    this.limits = limits;
    if (perMinute > 0) {
      const make = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract =>
        options.db
          ? // Lapsed rows are deleted by the jobs' sweep (deleteLapsedRateLimits), not by a timer per limiter.
            new RateLimiterDrizzle({
              storeClient: options.db,
              schema: rateLimits,
              keyPrefix,
              points,
              duration,
              clearExpiredByTimeout: false,
            })
          : new RateLimiterMemory({ keyPrefix, points, duration });
      this.byAddress = make("auth-ip", limits.attemptsPerMinute, 60);
      this.byPair = make("auth-pair", limits.failuresPerPair, limits.pairWaitSeconds);
      this.byEmail = make("auth-email", limits.failuresPerEmailPerHour, 3600);
    }
  }

  /** A sign-up attempt: counts against its address. */
  async signUp(clientAddress: string): Promise<void> {
    await this.countAttempt(clientAddress);
  }

  /**
   * A log-in attempt around `attempt` (which checks the password): refused before it runs once
   * a budget is spent; a wrong password counts against the pair and the email, a right one clears
   * the pair's count. `wrongPassword` says which failures were a wrong password (a log-in's
   * INVALID_CREDENTIALS; the account page's "current password is not right").
   */
  async logIn<T>(
    clientAddress: string,
    email: string | undefined,
    attempt: () => Promise<T>,
    wrongPassword: (error: unknown) => boolean = isInvalidCredentials,
  ): Promise<T> {
    if (!this.byAddress || !this.byPair || !this.byEmail) return attempt();
    const pair = this.hashed(`${emailKey(email)}|${clientAddress}`);
    const account = this.hashed(emailKey(email));
    await this.countAttempt(clientAddress);
    const [pairSpent, emailSpent] = await Promise.all([this.byPair.get(pair), this.byEmail.get(account)]);
    const wait = Math.max(waitOf(pairSpent, this.limits.failuresPerPair), waitOf(emailSpent, this.limits.failuresPerEmailPerHour));
    if (wait > 0) throw new RateLimited(Math.ceil(wait / 1000));
    try {
      const result = await attempt();
      await this.byPair.delete(pair);
      return result;
    } catch (error) {
      if (wrongPassword(error)) {
        await Promise.all([this.byPair.penalty(pair, 1), this.byEmail.penalty(account, 1)]);
      }
      throw error;
    }
  }

  private async countAttempt(clientAddress: string) {
    if (!this.byAddress) return;
    try {
      await this.byAddress.consume(this.hashed(clientAddress));
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      throw new RateLimited(Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)));
    }
  }
}

const isInvalidCredentials = (error: unknown) => error instanceof DomainError && error.code === "INVALID_CREDENTIALS";

/** Milliseconds until a spent budget has room again; 0 while it has room. */
function waitOf(spent: RateLimiterRes | null, points: number): number {
  return spent && spent.consumedPoints >= points ? Math.max(1000, spent.msBeforeNext) : 0;
}

/** Deletes the brakes' lapsed counts (the jobs' sweep); returns how many. */
export async function deleteLapsedRateLimits(db: DbOrTx, now: Date = new Date()): Promise<number> {
  const gone = await db.delete(rateLimits).where(lt(rateLimits.expire, now)).returning({ key: rateLimits.key });
  return gone.length;
}
