import type { AuthRateLimiter } from "~/auth/rate-limit.server";
import { InvalidCredentials, RateLimited } from "~/domain/errors";

const wrong = () => Promise.reject(new InvalidCredentials());
const right = () => Promise.resolve("signed in");

/** A log-in attempt through the brakes, its password right or wrong: "ok", "wrong" or "limited". */
export async function attempt(limiter: AuthRateLimiter, address: string, email: string, ok: boolean) {
  try {
    await limiter.logIn(address, email, ok ? right : wrong);
    return "ok";
  } catch (error) {
    if (error instanceof RateLimited) return "limited";
    if (error instanceof InvalidCredentials) return "wrong";
    throw error;
  }
}
