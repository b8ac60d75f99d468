import { createHmac } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { Unauthenticated } from "~/domain/errors";

/**
 * The API's bearer tokens: JWTs signed with HS256 (jose), the subject the user's id, one hour by
 * default. The role is never in the token: it is read from the database when an endpoint needs
 * it. The key is JWT_SECRET, or one derived from the session secret (never the secret itself).
 */
export interface TokenService {
  issue(userId: string, now?: Date): Promise<{ token: string; expiresAt: Date }>;
  /** The user id in a valid token; Unauthenticated for anything else (malformed, expired, tampered, other key). */
  verify(token: string): Promise<string>;
}

const ISSUER = "holdfast";
const AUDIENCE = "holdfast-api";

export function createTokenService(options: { jwtSecret?: string; sessionSecret: string; ttlSeconds: number }): TokenService {
  const key = options.jwtSecret
    ? new TextEncoder().encode(options.jwtSecret)
    : new Uint8Array(createHmac("sha256", options.sessionSecret).update("holdfast api tokens v1").digest());
  // Verified tokens are remembered until they expire: a token is immutable, so the same string
  // is the same answer, and a busy client does not pay a signature check per request.
  const verified = new Map<string, { userId: string; expiresAt: number }>();
  const MAX_REMEMBERED = 10_000;
  return {
    async issue(userId, now = new Date()) {
      const issuedAt = Math.floor(now.getTime() / 1000);
      const expiresAt = new Date((issuedAt + options.ttlSeconds) * 1000);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + options.ttlSeconds)
        .sign(key);
      return { token, expiresAt };
    },
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt > Date.now()) return known.userId;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE });
        if (typeof payload.sub !== "string" || typeof payload.exp !== "number") throw new Unauthenticated("The token is invalid");
        if (verified.size >= MAX_REMEMBERED) verified.clear();
        verified.set(token, { userId: payload.sub, expiresAt: payload.exp * 1000 });
        return payload.sub;
      } catch (error) {
        if (error instanceof Unauthenticated) throw error;
        if (error instanceof joseErrors.JWTExpired) throw new Unauthenticated("The token has expired: ask for a new one");
        throw new Unauthenticated("The token is invalid");
      }
    },
  };
}
