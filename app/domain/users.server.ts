import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { hashPassword, verifyPassword } from "~/auth/password.server";
import type { DbOrTx } from "~/db/client.server";
import { users, type Role, type User } from "~/db/schema";
import { EMAIL_MAX, NAME_MAX, PASSWORD_MAX_BYTES, PASSWORD_MIN } from "./account-rules";
import { InvalidCredentials, ValidationFailed } from "./errors";

export type PublicUser = Pick<User, "id" | "name" | "email" | "role">;
const publicColumns = { id: users.id, name: users.name, email: users.email, role: users.role };


const email = z
  .string({ error: "Email is required" })
  .trim()
  .min(1, "Email is required")
  .max(EMAIL_MAX, "Email is too long")
  .pipe(z.email("Enter a valid email address"))
  .transform((e) => e.toLowerCase());

const password = z
  .string({ error: "Password is required" })
  .min(1, "Password is required")
  .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters`)
  .refine((p) => Buffer.byteLength(p) <= PASSWORD_MAX_BYTES, `Password must be at most ${PASSWORD_MAX_BYTES} bytes`);

// PostgreSQL cannot store NUL in text, and no name needs a tab or a newline.
export const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;

export const signupSchema = z.object({
  name: z
    .string({ error: "Name is required" })
    .trim()
    .min(1, "Name is required")
    .max(NAME_MAX, `Name must be at most ${NAME_MAX} characters`)
    .regex(NO_CONTROL_CHARACTERS, "Name cannot contain control characters"),
  email,
  password,
});

export const loginSchema = z.object({
  email,
  password: z.string({ error: "Password is required" }).min(1, "Password is required").max(1000, "Invalid email or password"),
});

export type SignupInput = z.infer<typeof signupSchema>;

/** Turns a zod failure into one message per field, the first that applies. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "form");
    out[key] ??= issue.message;
  }
  return out;
}

export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationFailed(fieldErrorsOf(result.error));
  return result.data;
}

const TAKEN = { email: "An account with this email already exists" };

/**
 * Creates an account. Invariant: one account per email, whatever its case — kept by the unique
 * index on lower(email), so two sign-ups racing for one address cannot both succeed.
 */
export async function createUser(
  db: DbOrTx,
  input: unknown,
  options: { role?: Role; passwordHash?: string } = {},
): Promise<PublicUser> {
  const data = parseOrThrow(signupSchema, input);
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
  if (!z.uuid().safeParse(id).success) return undefined;
  const [row] = await db.select(publicColumns).from(users).where(eq(users.id, id)).limit(1);
  return row;
}

/** Checks a login. Unknown email and wrong password fail the same way, in the same time. */
export async function verifyLogin(db: DbOrTx, input: unknown): Promise<PublicUser> {
  const data = parseOrThrow(loginSchema, input);
  const user = await findUserByEmail(db, data.email);
  const ok = await verifyPassword(data.password, user?.passwordHash);
  if (!user || !ok) throw new InvalidCredentials();
  return { id: user.id, name: user.name, email: user.email, role: user.role };
}

/** Promotes an existing account or creates an admin (the `admin:create` script). */
export async function upsertAdmin(db: DbOrTx, input: unknown): Promise<{ user: PublicUser; created: boolean }> {
  const data = parseOrThrow(signupSchema, input);
  const existing = await findUserByEmail(db, data.email);
  if (existing) {
    const [row] = await db
      .update(users)
      .set({ role: "ADMIN", name: data.name, passwordHash: await hashPassword(data.password) })
      .where(eq(users.id, existing.id))
      .returning(publicColumns);
    return { user: row, created: false };
  }
  return { user: await createUser(db, data, { role: "ADMIN" }), created: true };
}
