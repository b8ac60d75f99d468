import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { RateLimited } from "~/domain/errors";

/**
 * Limits log-in and sign-up attempts per client address and per email, each on its own budget
 * of `perMinute` attempts in a rolling minute. rate-limiter-flexible does the bookkeeping (and
 * can move to Redis or PostgreSQL later without changing callers). `perMinute = 0` turns it off.
 */
export class AuthRateLimiter {
  private readonly byAddress?: RateLimiterMemory;
  private readonly byEmail?: RateLimiterMemory;

  constructor(readonly perMinute: number) {
    if (perMinute > 0) {
      this.byAddress = new RateLimiterMemory({ keyPrefix: "auth-ip", points: perMinute, duration: 60 });
      this.byEmail = new RateLimiterMemory({ keyPrefix: "auth-email", points: perMinute, duration: 60 });
    }
  }

  /** Counts one attempt; throws RateLimited once either budget is spent. */
  async consume(clientAddress: string, email: string | undefined): Promise<void> {
    if (!this.byAddress || !this.byEmail) return;
    // Capped: a megabyte "email" must not become a megabyte key held for a minute.
    const key = email?.trim().toLowerCase().slice(0, 254);
    const results = await Promise.allSettled([
      this.byAddress.consume(clientAddress),
      key ? this.byEmail.consume(key) : Promise.resolve(undefined),
    ]);
    let waitMs = 0;
    for (const result of results) {
      if (result.status === "fulfilled") continue;
      if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
      waitMs = Math.max(waitMs, result.reason.msBeforeNext);
    }
    if (waitMs > 0) throw new RateLimited(Math.max(1, Math.ceil(waitMs / 1000)));
  }
}
