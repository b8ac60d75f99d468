import { createHmac } from "node:crypto";
import { createSigner, createVerifier, TokenError } from "fast-jwt";
import { Unauthenticated } from "~/domain/errors";

/**
 * The API's bearer tokens: JWTs signed with HS256, the subject the user's id, one hour by
 * default. The role is never in the token: it is read from the database when an endpoint needs
 * it. The key is JWT_SECRET, or one derived from the session secret (never the secret itself).
 *
 * Why fast-jwt (not jose): both are well kept, but jose verifies through WebCrypto, whose async
 * round trip costs 90–230 µs of CPU per token here, a third of an API hold's whole budget;
 * fast-jwt checks the same HMAC with node:crypto in about 23 µs, and remembers tokens it has
 * verified until they expire (an LRU of their digests). The tests sign tokens with jose, an
 * independent implementation, so the two must agree (tests/unit/tokens.test.ts).
 */
export interface TokenService {
  /** A token for a user's API session (domain/sessions.server.ts), ending when `expiresAt` says. */
  issue(userId: string, sessionId: string, now?: Date): Promise<{ token: string; expiresAt: Date }>;
  /** When a token issued now would end. */
  expiryFrom(now: Date): Date;
  /**
   * The user and session a valid token names; Unauthenticated for anything else (malformed,
   * expired, tampered, another key). Whether the session is still live is the caller's check.
   */
  verify(token: string): Promise<{ userId: string; sessionId: string }>;
}

const ISSUER = "holdfast";
const AUDIENCE = "holdfast-api";

export function createTokenService(options: { jwtSecret?: string; sessionSecret: string; ttlSeconds: number }): TokenService {
  const key = options.jwtSecret
    ? Buffer.from(options.jwtSecret)
    : createHmac("sha256", options.sessionSecret).update("holdfast api tokens v1").digest();
  const sign = createSigner({ key, algorithm: "HS256", iss: ISSUER, aud: AUDIENCE });
  const verify = createVerifier({
    key,
    algorithms: ["HS256"],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    requiredClaims: ["sub", "sid", "exp", "iss", "aud"],
    // A verified token is the same answer until it expires: up to 100,000 remembered (about 15 MB).
    cache: 100_000,
  });
  return {
    async issue(userId, sessionId, now = new Date()) {
      const iat = Math.floor(now.getTime() / 1000);
      const exp = iat + options.ttlSeconds;
      return { token: sign({ sub: userId, sid: sessionId, iat, exp }), expiresAt: new Date(exp * 1000) };
    },
    expiryFrom(now) {
      return new Date((Math.floor(now.getTime() / 1000) + options.ttlSeconds) * 1000);
    },
    async verify(token) {
      let payload: { sub?: unknown; sid?: unknown };
      try {
        payload = verify(token);
      } catch (error) {
        if (error instanceof TokenError && error.code === TokenError.codes.expired) {
          throw new Unauthenticated("The token has expired: ask for a new one");
        }
        throw new Unauthenticated("The token is invalid");
      }
      if (typeof payload.sub !== "string" || typeof payload.sid !== "string") throw new Unauthenticated("The token is invalid");
      return { userId: payload.sub, sessionId: payload.sid };
    },
  };
}
