import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { createCookieSessionStorage, type Session, type SessionStorage } from "@remix-run/node";

export interface Flash {
  kind: "success" | "error" | "info";
  message: string;
}
export interface SessionData {
  userId: string;
  /** The server-side session's id (domain/sessions.server.ts): without a live one, nobody is signed in. */
  sid: string;
  /** When that session ends, in ms since the epoch (signed with the rest: the hot paths check it without a query). */
  exp: number;
}
export interface FlashData {
  flash: Flash;
}
export type AppSessionStorage = SessionStorage<SessionData, FlashData>;
export type AppSession = Session<SessionData, FlashData>;

export const SESSION_COOKIE = "__holdfast";
/** How long a browser stays signed in: the cookie's life and its server-side session's. */
export const SESSION_MAX_AGE_SECONDS = 60 * 60 * 24 * 30;

/** The session cookie: signed, httpOnly, SameSite=Lax, Secure in production. */
export function createSessions(options: { secret: string; secure: boolean }): AppSessionStorage {
  return createCookieSessionStorage<SessionData, FlashData>({
    cookie: {
      name: SESSION_COOKIE,
      httpOnly: true,
      sameSite: "lax",
      secure: options.secure,
      path: "/",
      maxAge: SESSION_MAX_AGE_SECONDS,
      secrets: [options.secret],
    },
  });
}

/**
 * In development a random secret is made once and kept in the data folder, so sessions survive
 * restarts without anyone having to invent a secret. Production must set SESSION_SECRET.
 */
export async function loadOrCreateDevSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, "session-secret");
  try {
    const existing = (await readFile(file, "utf8")).trim();
    if (existing.length >= 32) return existing;
  } catch {
    // first start: fall through and make one
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return secret;
}
