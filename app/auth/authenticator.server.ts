import { Authenticator } from "remix-auth";
import { FormStrategy } from "remix-auth-form";
import type { Db } from "~/db/client.server";
import { type PublicUser, verifyLogin } from "~/domain/accounts.server";

/**
 * remix-auth's form strategy checks the credentials; the session cookie is ours
 * (remix-auth v4 has no session handling). Failures throw ValidationFailed or InvalidCredentials.
 */
export function createAuthenticator(db: Db): Authenticator<PublicUser> {
  const authenticator = new Authenticator<PublicUser>();
  authenticator.use(
    new FormStrategy(async ({ form }) => verifyLogin(db, { email: form.get("email"), password: form.get("password") })),
    "form",
  );
  return authenticator;
}
