import bcrypt from "bcryptjs";
import { eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "~/db/client.server";
import { auditLog, type Role, type User, users } from "~/db/schema";
import { Conflict, Forbidden, InvalidCredentials, NotFound, ValidationFailed } from "./errors";
import { requireStrongPassword } from "./password-strength.server";
import { loginSchema, PASSWORD_MAX_BYTES, passwordChangeSchema, roleSchema, signupSchema } from "./schemas";
import { endSessionsOf } from "./sessions.server";
import { isUuid, parseOrThrow, requireId } from "./validation";

/** Accounts: sign-up, log-in, roles, and the password hashing they rest on. */
export type PublicUser = Pick<User, "id" | "name" | "email" | "role">;
const publicColumns = { id: users.id, name: users.name, email: users.email, role: users.role };

/** Cost 12: about a quarter of a second per hash here, which is what slows a guesser down. */
export const BCRYPT_COST = 12;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

// Compared against when the email is unknown, so both failures take the same time.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  dummyHash ??= bcrypt.hash("holdfast-timing-equaliser", BCRYPT_COST);
  const ok = await bcrypt.compare(password, hash ?? (await dummyHash));
  return ok && hash !== undefined;
}

const TAKEN = { email: "An account with this email already exists" };

/**
 * Creates an account. Invariant: one account per email, whatever its case — kept by the unique
 * index on lower(email), so two sign-ups racing for one address cannot both succeed.
 */
export async function createUser(db: DbOrTx, input: unknown, options: { role?: Role; passwordHash?: string } = {}): Promise<PublicUser> {
  const data = parseOrThrow(signupSchema, input);
  if (!options.passwordHash) requireStrongPassword(data.password, data);
  const existing = await findUserByEmail(db, data.email);
  if (existing) throw new ValidationFailed(TAKEN);
  const passwordHash = options.passwordHash ?? (await hashPassword(data.password));
  const [row] = await db
    .insert(users)
    .values({ name: data.name, email: data.email, passwordHash, role: options.role ?? "USER" })
    .onConflictDoNothing()
    .returning(publicColumns);
  if (!row) throw new ValidationFailed(TAKEN);
  return row;
}

export async function findUserByEmail(db: DbOrTx, address: string) {
  const [row] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, address.trim().toLowerCase()))
    .limit(1);
  return row;
}

export async function findUserById(db: DbOrTx, id: string): Promise<PublicUser | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select(publicColumns).from(users).where(eq(users.id, id)).limit(1);
  return row;
}

/** Checks a login. Unknown email and wrong password fail the same way, in the same time. */
export async function verifyLogin(db: DbOrTx, input: unknown): Promise<PublicUser> {
  const data = parseOrThrow(loginSchema, input);
  // bcrypt reads only the first 72 bytes, so a longer password would match any that shares them.
  // Sign-up never accepted one, so none can be right: refused as any wrong password is.
  if (new TextEncoder().encode(data.password).length > PASSWORD_MAX_BYTES) throw new InvalidCredentials();
  const user = await findUserByEmail(db, data.email);
  const ok = await verifyPassword(data.password, user?.passwordHash);
  if (!user || !ok) throw new InvalidCredentials();
  return { id: user.id, name: user.name, email: user.email, role: user.role };
}

const WRONG_CURRENT_PASSWORD = "Your current password is not right";
/** A password change refused for its current password (the log-in brakes count these as guesses). */
export const isWrongCurrentPassword = (error: unknown) =>
  error instanceof ValidationFailed && error.fieldErrors.currentPassword === WRONG_CURRENT_PASSWORD;

/**
 * A signed-in person sets a new password, proving it is them with the current one. Every other
 * session of theirs ends (browsers and API tokens): whoever knew the old password is out.
 * `keepSessionId` is the session asking, which stays. Returns how many sessions ended.
 */
export async function changePassword(db: Db, userId: string, input: unknown, keepSessionId: string): Promise<{ endedSessions: number }> {
  const data = parseOrThrow(passwordChangeSchema, input);
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!user) throw new NotFound("There is no such user");
  const utf8 = new TextEncoder().encode(data.currentPassword).length;
  if (utf8 > PASSWORD_MAX_BYTES || !(await verifyPassword(data.currentPassword, user.passwordHash))) {
    throw new ValidationFailed({ currentPassword: WRONG_CURRENT_PASSWORD });
  }
  requireStrongPassword(data.newPassword, user);
  const passwordHash = await hashPassword(data.newPassword);
  return db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
    return { endedSessions: await endSessionsOf(tx, userId, keepSessionId) };
  });
}

/** Promotes an existing account or creates an admin (the `admin:create` script). */
export async function upsertAdmin(db: DbOrTx, input: unknown): Promise<{ user: PublicUser; created: boolean }> {
  const data = parseOrThrow(signupSchema, input);
  requireStrongPassword(data.password, data);
  const existing = await findUserByEmail(db, data.email);
  if (existing) {
    const [row] = await db
      .update(users)
      .set({ role: "ADMIN", name: data.name, passwordHash: await hashPassword(data.password) })
      .where(eq(users.id, existing.id))
      .returning(publicColumns);
    // A new password: whoever knew the old one is signed out everywhere.
    await endSessionsOf(db, existing.id);
    return { user: row, created: false };
  }
  return { user: await createUser(db, data, { role: "ADMIN" }), created: true };
}

export interface UserRow extends PublicUser {
  createdAt: Date;
}

/** Accounts for the admin's list, newest first; `search` matches a name or an email. */
export async function listUsers(db: DbOrTx, options: { search?: string; limit?: number } = {}): Promise<UserRow[]> {
  const search = options.search?.trim().slice(0, 100);
  const pattern = search ? `%${search.replace(/[\\%_]/g, "\\$&")}%` : null;
  return db
    .select({ ...publicColumns, createdAt: users.createdAt })
    .from(users)
    .where(pattern ? sql`${users.name} ilike ${pattern} or ${users.email} ilike ${pattern}` : undefined)
    .orderBy(sql`${users.role} = 'ADMIN' desc`, sql`${users.createdAt} desc`)
    .limit(options.limit ?? 200);
}

/**
 * An admin makes another account an admin, or takes it back. Never the last admin: the admins are
 * counted under one lock, so two admins demoting each other at once cannot leave none.
 */
export async function setUserRole(
  db: Db,
  actor: Pick<PublicUser, "id" | "role" | "name" | "email">,
  input: { userId: string; role: unknown },
  now: Date = new Date(),
): Promise<PublicUser> {
  if (actor.role !== "ADMIN") throw new Forbidden("Only administrators can do this.");
  const userId = requireId(input.userId, "user");
  const { role } = parseOrThrow(roleSchema, { role: input.role });
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('admins', 0))`);
    const [target] = await tx.select(publicColumns).from(users).where(eq(users.id, userId)).for("update");
    if (!target) throw new NotFound("There is no such user");
    if (target.role === role) return target;
    if (target.role === "ADMIN") {
      const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(users).where(eq(users.role, "ADMIN"));
      if (n <= 1) throw new Conflict("This is the last administrator: make someone else an administrator first");
    }
    const [updated] = await tx.update(users).set({ role }).where(eq(users.id, userId)).returning(publicColumns);
    await tx.insert(auditLog).values({
      at: now,
      actorId: actor.id,
      actorName: actor.name,
      actorEmail: actor.email,
      action: role === "ADMIN" ? "make_admin" : target.role === "ADMIN" ? "remove_admin" : "set_role",
      details: { userId: target.id, name: target.name, email: target.email, role },
    });
    return updated;
  });
}
