/**
 * Signed-in sessions, kept in the database so that they can end: log-out ends one, "log out
 * everywhere" ends all of a person's, a new password ends all but the one that set it. A session
 * is a browser's (its id in the signed cookie) or an API token's (its id in the token).
 *
 * Invariants (tests/integration/sessions.test.ts): a session id is 256 random bits that only the
 * client holds; the table keeps its SHA-256 (a copy of the table opens nothing); an ended or
 * expired session never signs anyone in; ending all of a person's sessions ends their API tokens
 * too. An ended session keeps its row (with `ended_at`, in the database's clock) until it would
 * have expired, so that every process can learn of the end (endedSessionsSince).
 */
import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, gt, gte, isNull, lte, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "~/db/client.server";
import { type SessionRecord, sessions, users } from "~/db/schema";
import type { PublicUser } from "./accounts.server";

export type SessionKind = SessionRecord["kind"];

export const hashSessionId = (sessionId: string) => createHash("sha256").update(sessionId).digest("base64url");

/** Where a session was started from, as shown on the account page. */
export interface SessionOrigin {
  clientAddress?: string;
  userAgent?: string;
}

/** Starts a session for a user; the returned id is the secret the client keeps. */
export async function startSession(
  db: DbOrTx,
  input: { userId: string; kind: SessionKind; expiresAt: Date; origin?: SessionOrigin },
  now: Date = new Date(),
): Promise<string> {
  const sessionId = randomBytes(32).toString("base64url");
  await db.insert(sessions).values({
    idHash: hashSessionId(sessionId),
    userId: input.userId,
    kind: input.kind,
    createdAt: now,
    expiresAt: input.expiresAt,
    clientAddress: input.origin?.clientAddress?.slice(0, 100) ?? null,
    userAgent: input.origin?.userAgent?.slice(0, 300) ?? null,
  });
  return sessionId;
}

/** The user of a live session (the same user the cookie or token names), read fresh: role and all. */
export async function findSessionUser(db: DbOrTx, sessionId: string, userId: string, now: Date = new Date()): Promise<PublicUser | null> {
  const [row] = await db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.idHash, hashSessionId(sessionId)),
        eq(sessions.userId, userId),
        gt(sessions.expiresAt, now),
        isNull(sessions.endedAt),
      ),
    )
    .limit(1);
  return row ?? null;
}

export interface EndedSession {
  idHash: string;
  endedAt: Date;
  expiresAt: Date;
}

/**
 * Sessions that ended and would still be live otherwise: all of them (`since` null), or those
 * that ended from a minute before `since` on (the overlap catches an end whose transaction
 * committed after a later one's). What every process polls (auth/ended-sessions.server.ts).
 */
export async function endedSessionsSince(db: DbOrTx, since: Date | null, now: Date = new Date()): Promise<EndedSession[]> {
  const ended = since ? gte(sessions.endedAt, new Date(since.getTime() - 60_000)) : sql`${sessions.endedAt} is not null`;
  const rows = await db
    .select({ idHash: sessions.idHash, endedAt: sessions.endedAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(and(ended, gt(sessions.expiresAt, now)));
  return rows as EndedSession[];
}

const live = isNull(sessions.endedAt);

/** Ends one session (log-out). Ending one that has ended, or is gone, is harmless. */
export async function endSession(db: DbOrTx, sessionId: string): Promise<void> {
  await db
    .update(sessions)
    .set({ endedAt: sql`now()` })
    .where(and(eq(sessions.idHash, hashSessionId(sessionId)), live));
}

/** Ends every session of a user but `keep` (a new password) or all of them (log out everywhere). Returns how many ended. */
export async function endSessionsOf(db: DbOrTx, userId: string, keep?: string): Promise<number> {
  const ended = await db
    .update(sessions)
    .set({ endedAt: sql`now()` })
    .where(and(eq(sessions.userId, userId), live, keep ? ne(sessions.idHash, hashSessionId(keep)) : undefined))
    .returning({ idHash: sessions.idHash });
  return ended.length;
}

export interface SessionView {
  /** A short, stable handle for the list (a prefix of the stored hash: it opens nothing). */
  key: string;
  kind: SessionKind;
  createdAt: Date;
  expiresAt: Date;
  clientAddress: string | null;
  userAgent: string | null;
  current: boolean;
}

/** A person's live sessions, oldest first, the one asking marked. */
export async function listSessions(
  db: DbOrTx,
  userId: string,
  currentSessionId: string | undefined,
  now: Date = new Date(),
): Promise<SessionView[]> {
  const current = currentSessionId ? hashSessionId(currentSessionId) : "";
  const rows = await db
    .select({
      idHash: sessions.idHash,
      kind: sessions.kind,
      createdAt: sessions.createdAt,
      expiresAt: sessions.expiresAt,
      clientAddress: sessions.clientAddress,
      userAgent: sessions.userAgent,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now), live))
    .orderBy(asc(sessions.createdAt))
    .limit(200);
  return rows.map(({ idHash, ...row }) => ({ ...row, key: idHash.slice(0, 12), current: idHash === current }));
}

/** Forgets sessions that have expired, ended or not (the sweeper's job): they sign nobody in either way. */
export async function deleteExpiredSessions(db: DbOrTx, now: Date = new Date()): Promise<number> {
  const gone = await db.delete(sessions).where(lte(sessions.expiresAt, now)).returning({ idHash: sessions.idHash });
  return gone.length;
}

/** How many live sessions a user has (tests and the account page). */
export async function countSessions(db: DbOrTx, userId: string, now: Date = new Date()): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now), live));
  return row.n;
}
