import { createHmac, randomUUID } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createTokenService } from "~/auth/tokens.server";
import { Unauthenticated } from "~/domain/errors";

const sessionSecret = "session-secret-that-is-long-enough-0123";

describe("API tokens", () => {
  it("carry the user id as subject and expire after the configured time", async () => {
    const tokens = createTokenService({ sessionSecret, ttlSeconds: 3600 });
    const userId = randomUUID();
    const now = new Date();
    const { token, expiresAt } = await tokens.issue(userId, "session-1", now);
    expect(await tokens.verify(token)).toEqual({ userId, sessionId: "session-1" });
    expect(expiresAt.getTime() - now.getTime()).toBeGreaterThan(3598_000);
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ sub: userId, sid: "session-1", iss: "holdfast", aud: "holdfast-api" });
    expect(claims).not.toHaveProperty("role");
  });

  it("are refused once expired, even after being accepted (the remembered answer expires with them)", async () => {
    // Issued a second ago for three seconds (times in whole seconds): it ends within the next two.
    const tokens = createTokenService({ sessionSecret, ttlSeconds: 3 });
    const { token } = await tokens.issue(randomUUID(), "s", new Date(Date.now() - 1000));
    await tokens.verify(token);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expect(tokens.verify(token)).rejects.toThrow(Unauthenticated);
  });

  it("are signed with JWT_SECRET when set, else a key derived from the session secret, and never cross over", async () => {
    const derived = createTokenService({ sessionSecret, ttlSeconds: 60 });
    const own = createTokenService({ sessionSecret, jwtSecret: "jwt-secret-that-is-long-enough-0123456", ttlSeconds: 60 });
    const other = createTokenService({ sessionSecret: "another-secret-that-is-long-enough-987", ttlSeconds: 60 });
    const userId = randomUUID();
    await expect(own.verify((await derived.issue(userId, "s")).token)).rejects.toThrow("The token is invalid");
    await expect(derived.verify((await own.issue(userId, "s")).token)).rejects.toThrow("The token is invalid");
    await expect(derived.verify((await other.issue(userId, "s")).token)).rejects.toThrow("The token is invalid");
  });

  it("refuse garbage, a changed payload and an unsigned token", async () => {
    const tokens = createTokenService({ sessionSecret, ttlSeconds: 60 });
    const { token } = await tokens.issue(randomUUID(), "s");
    const [header, , signature] = token.split(".");
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: randomUUID(), iss: "holdfast", aud: "holdfast-api", exp: 4e9 })).toString("base64url")}.${signature}`;
    const unsigned = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${token.split(".")[1]}.`;
    for (const bad of ["", "abc", "a.b.c", forged, unsigned]) await expect(tokens.verify(bad)).rejects.toThrow(Unauthenticated);
  });

  it("agree with an independent implementation (jose): each accepts the other's, and claims or algorithms out of line are refused", async () => {
    const tokens = createTokenService({ sessionSecret, ttlSeconds: 60 });
    const key = new Uint8Array(createHmac("sha256", sessionSecret).update("holdfast api tokens v1").digest());
    const userId = randomUUID();
    const ours = (await tokens.issue(userId, "s")).token;
    expect((await jwtVerify(ours, key, { algorithms: ["HS256"], issuer: "holdfast", audience: "holdfast-api" })).payload.sub).toBe(userId);
    const joseToken = (claims: { iss?: string; aud?: string }, alg = "HS256") =>
      new SignJWT({ sid: "s" })
        .setProtectedHeader({ alg })
        .setSubject(userId)
        .setIssuer(claims.iss ?? "holdfast")
        .setAudience(claims.aud ?? "holdfast-api")
        .setExpirationTime("1m")
        .sign(key);
    expect(await tokens.verify(await joseToken({}))).toEqual({ userId, sessionId: "s" });
    await expect(tokens.verify(await joseToken({ iss: "someone-else" }))).rejects.toThrow(Unauthenticated);
    await expect(tokens.verify(await joseToken({ aud: "another-api" }))).rejects.toThrow(Unauthenticated);
    await expect(tokens.verify(await joseToken({}, "HS512"))).rejects.toThrow(Unauthenticated);
  });
});
