/**
 * Every request schema, once. Isomorphic (zod only): the page actions and the JSON API pass what
 * they received to the domain functions, which parse it with these; each schema carries an id
 * so that the OpenAPI document is generated from the same objects, never a second copy.
 * Objects are strict: a field nobody asked for is an error, not something silently dropped.
 */
import { z } from "zod";
import { layoutSpecSchema, SHOW_KINDS, zonesUsed } from "./layouts";
import { isValidCardNumber } from "./payments";
import { ROLES } from "./roles";
import { BOOKING_STATUSES } from "./seat-state";
import { zonedTimeToInstant } from "./time";
import { CONTROL_CHARACTERS_MESSAGE, NO_CONTROL_CHARACTERS } from "./validation";

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
  .regex(NO_CONTROL_CHARACTERS, `Name ${CONTROL_CHARACTERS_MESSAGE}`);

export const signupSchema = z.strictObject({ name: personName, email, password: newPassword }).meta({ id: "SignupRequest" });
export type SignupInput = z.infer<typeof signupSchema>;

export const loginSchema = z
  .strictObject({
    email,
    password: z.string({ error: "Password is required" }).min(1, "Password is required").max(1000, "Invalid email or password"),
  })
  .meta({ id: "LoginRequest" });

/** A new password for a signed-in person, who proves it is them with the current one. */
export const passwordChangeSchema = z
  .strictObject({
    currentPassword: z
      .string({ error: "Enter your current password" })
      .min(1, "Enter your current password")
      .max(1000, "Your current password is not right"),
    newPassword,
  })
  .meta({ id: "PasswordChangeRequest" });

export const roleSchema = z
  .strictObject({ role: z.enum(ROLES, { error: `Role must be one of ${ROLES.join(", ")}` }) })
  .meta({ id: "RoleRequest" });

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
    .regex(NO_CONTROL_CHARACTERS, `${name} ${CONTROL_CHARACTERS_MESSAGE}`);

/** Text in paragraphs (a show's description): line breaks allowed, nothing else invisible; blank is none. */
const prose = (name: string, max: number) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z
      .string({ error: `${name} must be text` })
      .trim()
      .max(max, `${name} must be at most ${max} characters`)
      .transform((text) => text.replace(/\r\n?/g, "\n"))
      .refine((text) => NO_CONTROL_CHARACTERS.test(text.replace(/\n/g, " ")), `${name} ${CONTROL_CHARACTERS_MESSAGE}`)
      .optional(),
  );

export const MAX_PRICE_CENTS = 10_000_000;
const MONEY = /^\s*(\d{1,6})(?:\.(\d{1,2}))?\s*$/;

/** "35", "35.5" or "35.50" (a form's price) in cents. */
export const toCents = (text: string): number => {
  const [, whole, fraction = ""] = MONEY.exec(text) ?? [];
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
};

/** A price zone: its name and its price, as cents (`priceCents`, the API) or as money text (`price`, the admin form). */
export const priceZoneSchema = z
  .strictObject({
    name: label("Zone name", 40),
    priceCents: z.coerce
      .number({ error: "Price must be a number" })
      .int("Price must be in whole cents")
      .min(0, "Price cannot be negative")
      .max(MAX_PRICE_CENTS, "Price is too high")
      .optional(),
    price: z.string().regex(MONEY, "Price must be an amount like 35 or 35.50").optional(),
  })
  .superRefine((zone, ctx) => {
    if (zone.priceCents === undefined && zone.price === undefined)
      ctx.addIssue({ code: "custom", path: ["price"], message: "Price is required" });
  })
  .transform((zone) => ({ name: zone.name, priceCents: zone.priceCents ?? toCents(zone.price ?? "0") }))
  .meta({ id: "PriceZone" });

/**
 * When a show starts: an instant with its offset ("2026-12-05T19:30:00Z", the API), or the
 * venue's wall-clock time ("2026-12-05T19:30", a form's date-time field; "2026-12-05" for a
 * clinic day), read in the show's time zone.
 */
const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?$/;
const startsAtInput = z
  .union(
    [
      z.date(),
      z
        .string({ error: "Start time must be a date and time" })
        .trim()
        .refine((s) => instantOf(s, "UTC") !== null, "Start time must be a date and time"),
    ],
    { error: "Start time must be a date and time" },
  )
  .describe(
    "An instant with its offset (2026-12-05T19:30:00Z), or the venue's wall-clock time (2026-12-05T19:30; a clinic day: 2026-12-05) read in timeZone",
  );

function instantOf(value: Date | string, timeZone: string): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  const local = LOCAL_DATE_TIME.exec(value);
  const instant = local ? zonedTimeToInstant(local[1], local[2] ?? "00:00", timeZone) : new Date(value);
  return Number.isNaN(instant.getTime()) ? null : instant;
}

/** Seats an admin picked on the map (block, unblock, release). */
/** Which bookings an operator lists: by show, by state, by a search, a page at a time. */
export const bookingListQuerySchema = z
  .strictObject({
    showId: z.uuid({ error: "There is no such show" }).optional(),
    status: z.enum(BOOKING_STATUSES, { error: `status must be one of ${BOOKING_STATUSES.join(", ")}` }).optional(),
    q: z
      .string()
      .trim()
      .max(200, "Search for at most 200 characters")
      .regex(NO_CONTROL_CHARACTERS, `The search ${CONTROL_CHARACTERS_MESSAGE}`)
      .optional()
      .describe("A reference, part of a buyer's name or e-mail, or a seat's label"),
    cursor: z.string().max(200, "The cursor is not valid: pass nextCursor from the previous page").optional(),
    limit: z.coerce
      .number({ error: "limit must be a number between 1 and 200" })
      .int("limit must be a number between 1 and 200")
      .min(1, "limit must be a number between 1 and 200")
      .max(200, "limit must be a number between 1 and 200")
      .default(50),
  })
  .meta({ id: "BookingListQuery" });

/** A request's own key (a form's hidden field, the API's Idempotency-Key): the same key, the same answer. */
const requestKey = z
  .string({ error: "A request key is needed" })
  .trim()
  .min(8, "A request key has 8 to 200 characters")
  .max(200, "A request key has 8 to 200 characters");
const reason = z
  .string()
  .trim()
  .max(500, "Keep the reason under 500 characters")
  .regex(NO_CONTROL_CHARACTERS, `The reason ${CONTROL_CHARACTERS_MESSAGE}`)
  .optional();
const bookingSeatIds = z.array(seatId, { error: "Pick at least one seat" }).min(1, "Pick at least one seat").max(1000, "Too many seats");

/** The venue cancels (and refunds) some or all of a paid booking's seats. */
export const bookingCancelSchema = z
  .strictObject({ bookingId: z.string(), seatIds: bookingSeatIds, requestKey, reason })
  .meta({ id: "BookingCancelRequest" });
/**
 * The venue moves a paid booking's seats, pair by pair: `seatIds[i]` to `toSeatIds[i]`, or to the
 * seat labelled `toSeatLabels[i]` ("D5", as an operator types it).
 */
const bookingMoveFields = z.strictObject({
  bookingId: z.string(),
  seatIds: bookingSeatIds,
  toSeatIds: bookingSeatIds.optional(),
  toSeatLabels: z
    .array(z.string().trim().min(1, "Name each new seat").max(20, "Unknown seat"), { error: "Name the new seats" })
    .min(1, "Name the new seats")
    .max(1000, "Too many seats")
    .optional(),
  requestKey,
  reason,
});
/** The new seats by id or by label, one of the two. */
const oneWayToName = <T extends { toSeatIds?: unknown; toSeatLabels?: unknown }>(schema: z.ZodType<T>) =>
  schema.refine((m) => (m.toSeatIds === undefined) !== (m.toSeatLabels === undefined), {
    error: "Give the new seats by id or by label",
    path: ["toSeatIds"],
  });
export const bookingMoveSchema = oneWayToName(bookingMoveFields).meta({ id: "BookingMoveRequest" });
/** The API's body: the booking is in the path, the request key in Idempotency-Key. */
export const bookingMoveBodySchema = oneWayToName(bookingMoveFields.omit({ bookingId: true, requestKey: true })).meta({
  id: "SeatMoveRequest",
});
export const bookingResendSchema = z.strictObject({ bookingId: z.string(), requestKey }).meta({ id: "BookingResendRequest" });

/** A ticket at the door: its reference (typed or scanned), the door's show, the door's name, and a seat when one is picked. */
export const checkInSchema = z
  .strictObject({
    showId: z.string(),
    reference: z
      .string({ error: "Type or scan the ticket's reference" })
      .trim()
      .min(1, "Type or scan the ticket's reference")
      .max(64, "A reference has 10 characters"),
    // A door left unnamed is the main door.
    door: z.preprocess(
      (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
      z
        .string({ error: "Name the door" })
        .trim()
        .max(60, "A door's name has at most 60 characters")
        .regex(NO_CONTROL_CHARACTERS, `The door's name ${CONTROL_CHARACTERS_MESSAGE}`)
        .default("Main door"),
    ),
    seat: z.string().trim().max(20, "Unknown seat").optional(),
    scanKey: requestKey.optional(),
  })
  .meta({ id: "CheckInRequest" });

export const adminSeatsSchema = z
  .strictObject({
    seatIds: z.array(seatId, { error: "Pick at least one seat" }).min(1, "Pick at least one seat").max(20_000, "Too many seats"),
  })
  .meta({ id: "AdminSeatsRequest" });

/** Block (take off sale) or unblock seats: the API's form of the admin map's two buttons. */
export const seatBlocksSchema = adminSeatsSchema
  .extend({ blocked: z.boolean({ error: "blocked must be true or false" }) })
  .meta({ id: "SeatBlocksRequest" });

const instantText = (name: string) =>
  z.iso.datetime({ offset: true, error: `${name} must be a date and time with its offset, like 2026-12-01T00:00:00Z` });

/** Which upcoming shows to list, and where the previous page ended (its `nextCursor`). */
export const showListQuerySchema = z
  .strictObject({
    kind: z.enum(SHOW_KINDS, { error: "kind must be SHOW, BUS or DOCTOR" }).optional(),
    city: z.string().trim().min(1, "city cannot be empty").max(100, "city must be at most 100 characters").optional(),
    from: instantText("from").optional().describe("Shows starting at or after this instant"),
    to: instantText("to").optional().describe("Shows starting before this instant"),
    cursor: z.string().max(200, "The cursor is not valid: pass nextCursor from the previous page").optional(),
    limit: z.coerce
      .number({ error: "limit must be a number between 1 and 100" })
      .int("limit must be a number between 1 and 100")
      .min(1, "limit must be a number between 1 and 100")
      .max(100, "limit must be a number between 1 and 100")
      .default(20),
  })
  .meta({ id: "ShowListQuery" });

/** What an admin may change on a show, sold or not: its name, place, time and zone prices (by zone name). */
export const showEditSchema = z
  .strictObject({
    name: label("Name", 200),
    description: prose("Description", 2000),
    venue: label("Venue", 200),
    city: label("City", 100),
    startsAt: startsAtInput,
    timeZone: z.string(),
    priceZones: z.array(priceZoneSchema).max(8, "At most 8 price zones").default([]),
  })
  .superRefine((show, ctx) => {
    if (!instantOf(show.startsAt, show.timeZone))
      ctx.addIssue({ code: "custom", path: ["startsAt"], message: "Start time must be a date and time" });
  })
  .transform((show) => ({
    name: show.name,
    description: show.description ?? null,
    venue: show.venue,
    city: show.city,
    startsAt: instantOf(show.startsAt, show.timeZone) as Date,
    zones: Object.fromEntries(show.priceZones.map((z) => [z.name, z.priceCents])),
  }))
  .meta({ id: "ShowEdit" });

/** A new show's fields, as a form or the API sends them (the admin form reads exactly these). */
export const showFieldsSchema = z.strictObject({
  name: label("Name", 200),
  description: prose("Description", 2000),
  venue: label("Venue", 200),
  city: label("City", 100),
  timeZone: z.string().refine(isTimeZone, "Time zone must be an IANA name like Europe/London").default("UTC"),
  startsAt: startsAtInput,
  currency: z.string().regex(/^[A-Z]{3}$/, "Currency must be a three-letter code like GBP"),
  /** One price for every seat: the same as one zone, "Standard". */
  priceCents: z.coerce
    .number()
    .int("Price must be in whole cents")
    .min(0, "Price cannot be negative")
    .max(MAX_PRICE_CENTS, "Price is too high")
    .optional(),
  priceZones: z.array(priceZoneSchema).min(1, "Add at least one price zone").max(8, "At most 8 price zones").optional(),
  maxSeatsPerCustomer: z.coerce
    .number({ error: "The limit per customer must be a number" })
    .int("The limit per customer must be a whole number")
    .min(1, "The limit per customer must be between 1 and 100")
    .max(100, "The limit per customer must be between 1 and 100")
    .optional(),
  layout: layoutSpecSchema,
});

export const showInputSchema = showFieldsSchema
  .superRefine((show, ctx) => {
    if (show.priceCents === undefined && show.priceZones === undefined) {
      ctx.addIssue({ code: "custom", path: ["priceZones"], message: "Add at least one price zone" });
    }
    if (typeof show.timeZone === "string" && isTimeZone(show.timeZone) && !instantOf(show.startsAt, show.timeZone)) {
      ctx.addIssue({ code: "custom", path: ["startsAt"], message: "Start time must be a date and time" });
    }
    const zones = show.priceZones ?? [];
    const names = new Set<string>();
    for (const [i, zone] of zones.entries()) {
      if (names.has(zone.name.toLowerCase()))
        ctx.addIssue({ code: "custom", path: ["priceZones", i, "name"], message: `There are two zones called "${zone.name}"` });
      names.add(zone.name.toLowerCase());
    }
    for (const [i, zone] of zonesUsed(show.layout).entries()) {
      if (!names.has(zone.toLowerCase())) {
        const section =
          show.layout.kind === "THEATRE" && "sections" in show.layout ? show.layout.sections.findIndex((s) => s.zone === zone) : i;
        ctx.addIssue({ code: "custom", path: ["layout", "sections", section, "zone"], message: `There is no price zone called "${zone}"` });
      }
    }
  })
  // What is stored as it came (a field added above is stored with no code of its own: createShow
  // spreads it), with the start read on the venue's clock and one price made a zone.
  .transform(({ priceCents, priceZones, startsAt, ...facts }) => ({
    ...facts,
    startsAt: instantOf(startsAt, facts.timeZone) as Date,
    priceZones: priceZones ?? [{ name: "Standard", priceCents: priceCents ?? 0 }],
    maxSeatsPerCustomer: facts.maxSeatsPerCustomer ?? null,
  }))
  .meta({ id: "ShowInput" });
export type ShowInput = z.input<typeof showInputSchema>;
export type ShowData = z.output<typeof showInputSchema>;

const blankIsNone = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const isRealDate = (text: string) => {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.getUTCDate() === Number(match[3]) && date.getUTCMonth() === Number(match[2]) - 1;
};

/** The shows page's filters (a GET form: an empty field means "any"; other parameters are ignored). */
export const browseQuerySchema = z.object({
  kind: z.preprocess(blankIsNone, z.enum(SHOW_KINDS, { error: "Pick a kind from the list" }).optional()),
  city: z.preprocess(
    blankIsNone,
    z.string({ error: "Pick a city from the list" }).trim().max(100, "City must be at most 100 characters").optional(),
  ),
  from: z.preprocess(blankIsNone, z.string({ error: "Enter a date" }).refine(isRealDate, "Enter a real date, as YYYY-MM-DD").optional()),
});
export type BrowseQuery = z.infer<typeof browseQuerySchema>;
