/** /api/v1/auth: sign up, a token for a log-in, a token's end. */
import { createUser, type PublicUser, verifyLogin } from "~/domain/accounts.server";
import { endSession, startSession } from "~/domain/sessions.server";
import type { ApiCall, ApiHandlers } from "~/http/api.server";
import { iso } from "./json";

/** A token for a new API session of the user (log out everywhere ends it with the rest). */
async function signedIn(call: ApiCall, user: PublicUser) {
  const { tokens, db } = call.services;
  const sessionId = await startSession(db, {
    userId: user.id,
    kind: "API",
    expiresAt: tokens.expiryFrom(call.now),
    origin: { clientAddress: call.clientAddress(), userAgent: call.headers["user-agent"] },
  });
  const { token, expiresAt } = await tokens.issue(user.id, sessionId, call.now);
  return { user: { id: user.id, name: user.name, email: user.email, role: user.role }, token, expiresAt: iso(expiresAt) };
}

export const authHandlers: Pick<ApiHandlers, "signup" | "token" | "revokeToken"> = {
  async signup(call) {
    await call.services.authLimiter.signUp(call.clientAddress());
    return signedIn(call, await createUser(call.services.db, call.rawBody));
  },

  async token(call) {
    const user = await call.services.authLimiter.logIn(call.clientAddress(), call.body.email, () =>
      verifyLogin(call.services.db, call.rawBody),
    );
    return signedIn(call, user);
  },

  async revokeToken(call) {
    if (call.sessionId) {
      await endSession(call.services.db, call.sessionId);
      call.services.sessionChecks.markEnded(call.sessionId);
    }
    return { revoked: true as const };
  },
};
