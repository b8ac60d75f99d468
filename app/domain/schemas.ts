/**
 * Every request schema, once. Isomorphic (zod only): the page actions and the JSON API pass what
 * they received to the domain functions, which parse it with these; each schema carries an id
 * so that the OpenAPI document is generated from the same objects, never a second copy.
 * Objects are strict: a field nobody asked for is an error, not something silently dropped.
 */
import { z } from "zod";
import { layoutSpecSchema } from "./layouts";
import { isValidCardNumber } from "./payments";
import { NO_CONTROL_CHARACTERS } from "./validation";

export const NAME_MAX = 100;
export const EMAIL_MAX = 254;
export const PASSWORD_MIN = 10;
// bcrypt only reads the first 72 bytes; longer passwords would silently share a hash.
export const PASSWORD_MAX_BYTES = 72;
const utf8Length = (text: string) => new TextEncoder().encode(text).length;

const email = z
  .string({ error: "Email is required" })
  .trim()
  .min(1, "Email is required")
  .max(EMAIL_MAX, "Email is too long")
  .pipe(z.email("Enter a valid email address"))
  .transform((e) => e.toLowerCase());

const newPassword = z
  .string({ error: "Password is required" })
  .min(1, "Password is required")
  .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters`)
  .refine((p) => utf8Length(p) <= PASSWORD_MAX_BYTES, `Password must be at most ${PASSWORD_MAX_BYTES} bytes`);

const personName = z
  .string({ error: "Name is required" })
  .trim()
  .min(1, "Name is required")
  .max(NAME_MAX, `Name must be at most ${NAME_MAX} characters`)
  .regex(NO_CONTROL_CHARACTERS, "Name cannot contain control characters");

export const signupSchema = z.strictObject({ name: personName, email, password: newPassword }).meta({ id: "SignupRequest" });
export type SignupInput = z.infer<typeof signupSchema>;

export const loginSchema = z
  .strictObject({
    email,
    password: z.string({ error: "Password is required" }).min(1, "Password is required").max(1000, "Invalid email or password"),
  })
  .meta({ id: "LoginRequest" });

/** Seat ids arrive as numbers (JSON) or strings (a form's checkboxes). */
const seatId = z.coerce.number({ error: "Unknown seat" }).int("Unknown seat").positive("Unknown seat");

export const holdRequestSchema = z
  .strictObject({
    seatIds: z.array(seatId, { error: "Pick at least one seat" }).min(1, "Pick at least one seat").max(1000, "Too many seats"),
  })
  .meta({ id: "HoldRequest" });
export type HoldRequest = z.infer<typeof holdRequestSchema>;

export const confirmRequestSchema = z
  .strictObject({
    idempotencyKey: z
      .string({ error: "A payment key is required" })
      .regex(/^[A-Za-z0-9_-]{8,100}$/, "The payment key must be 8 to 100 letters, digits, - or _"),
    card: z
      .string({ error: "Card number is required" })
      .trim()
      .min(1, "Card number is required")
      .max(40, "Card number is not valid")
      .refine(isValidCardNumber, "Card number is not valid"),
  })
  .meta({ id: "ConfirmRequest" });

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const label = (name: string, max: number) =>
  z
    .string({ error: `${name} is required` })
    .trim()
    .min(1, `${name} is required`)
    .max(max, `${name} must be at most ${max} characters`)
    .regex(NO_CONTROL_CHARACTERS, `${name} cannot contain control characters`);

export const showInputSchema = z
  .strictObject({
    name: label("Name", 200),
    venue: label("Venue", 200),
    city: label("City", 100),
    timeZone: z.string().refine(isTimeZone, "Time zone must be an IANA name like Europe/London").default("UTC"),
    startsAt: z.coerce.date({ error: "Start time must be a date and time" }),
    priceCents: z.number().int("Price must be in whole cents").min(0, "Price cannot be negative").max(10_000_000, "Price is too high"),
    currency: z.string().regex(/^[A-Z]{3}$/, "Currency must be a three-letter code like GBP"),
    layout: layoutSpecSchema,
  })
  .meta({ id: "ShowInput" });
export type ShowInput = z.input<typeof showInputSchema>;
