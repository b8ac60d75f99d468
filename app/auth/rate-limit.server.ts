import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
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
 *   the owner out for the rest of that hour (README "Security" says so).
 *
 * rate-limiter-flexible keeps the counts (in memory: one process; it can move to Redis or
 * PostgreSQL without changing callers). `perMinute = 0` turns every brake off (load tests).
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
  private readonly byAddress?: RateLimiterMemory;
  private readonly byPair?: RateLimiterMemory;
  private readonly byEmail?: RateLimiterMemory;

  constructor(
    readonly perMinute: number,
    readonly limits: AuthLimits = limitsFor(perMinute),
  ) {
    if (perMinute > 0) {
      this.byAddress = new RateLimiterMemory({ keyPrefix: "auth-ip", points: limits.attemptsPerMinute, duration: 60 });
      this.byPair = new RateLimiterMemory({ keyPrefix: "auth-pair", points: limits.failuresPerPair, duration: limits.pairWaitSeconds });
      this.byEmail = new RateLimiterMemory({ keyPrefix: "auth-email", points: limits.failuresPerEmailPerHour, duration: 3600 });
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
    const pair = `${emailKey(email)}|${clientAddress}`;
    await this.countAttempt(clientAddress);
    const [pairSpent, emailSpent] = await Promise.all([this.byPair.get(pair), this.byEmail.get(emailKey(email))]);
    const wait = Math.max(waitOf(pairSpent, this.limits.failuresPerPair), waitOf(emailSpent, this.limits.failuresPerEmailPerHour));
    if (wait > 0) throw new RateLimited(Math.ceil(wait / 1000));
    try {
      const result = await attempt();
      await this.byPair.delete(pair);
      return result;
    } catch (error) {
      if (wrongPassword(error)) {
        await Promise.all([this.byPair.penalty(pair, 1), this.byEmail.penalty(emailKey(email), 1)]);
      }
      throw error;
    }
  }

  private async countAttempt(clientAddress: string) {
    if (!this.byAddress) return;
    try {
      await this.byAddress.consume(clientAddress);
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
