import { describe, expect, it } from "vitest";
import { AuthRateLimiter, limitsFor } from "~/auth/rate-limit.server";
import { RateLimited } from "~/domain/errors";
import { attempt } from "../support/rate-limit";

describe("the log-in brakes", () => {
  it("stop one address guessing one account after 5 failures, without locking the owner out elsewhere", async () => {
    const limiter = new AuthRateLimiter(100);
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push(await attempt(limiter, "198.51.100.1", "owner@example.com", false));
    expect(outcomes).toEqual(["wrong", "wrong", "wrong", "wrong", "wrong", "limited"]);
    // Even the right password from the guesser's address waits; the owner at home does not.
    expect(await attempt(limiter, "198.51.100.1", "owner@example.com", true)).toBe("limited");
    expect(await attempt(limiter, "203.0.113.9", "owner@example.com", true)).toBe("ok");
    // The guesser's address may still log in to its own account.
    expect(await attempt(limiter, "198.51.100.1", "guesser@example.com", true)).toBe("ok");
  });

  it("count consecutive failures: a success clears the pair's count", async () => {
    const limiter = new AuthRateLimiter(100);
    for (let i = 0; i < 4; i++) await attempt(limiter, "198.51.100.2", "typo@example.com", false);
    expect(await attempt(limiter, "198.51.100.2", "typo@example.com", true)).toBe("ok");
    for (let i = 0; i < 4; i++) expect(await attempt(limiter, "198.51.100.2", "typo@example.com", false)).toBe("wrong");
  });

  it("stop a guesser spread over many addresses at the wider per-email ceiling", async () => {
    const limiter = new AuthRateLimiter(1000, { limits: { ...limitsFor(1000), failuresPerEmailPerHour: 12 } });
    const outcomes = [];
    for (let i = 0; i < 13; i++) outcomes.push(await attempt(limiter, `10.0.0.${i}`, "target@example.com", false));
    expect(outcomes.slice(0, 12).every((o) => o === "wrong")).toBe(true);
    expect(outcomes[12]).toBe("limited");
  });

  it("limit every address's attempts, sign-ups included, per minute", async () => {
    const limiter = new AuthRateLimiter(3);
    await limiter.signUp("192.0.2.7");
    await limiter.signUp("192.0.2.7");
    expect(await attempt(limiter, "192.0.2.7", "a@example.com", true)).toBe("ok");
    await expect(limiter.signUp("192.0.2.7")).rejects.toBeInstanceOf(RateLimited);
    expect(await attempt(limiter, "192.0.2.7", "a@example.com", true)).toBe("limited");
  });

  it("are all off at 0 (load tests)", async () => {
    const limiter = new AuthRateLimiter(0);
    for (let i = 0; i < 50; i++) expect(await attempt(limiter, "192.0.2.8", "b@example.com", false)).toBe("wrong");
  });
});
