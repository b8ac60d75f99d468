/**
 * The JSON API v1 on one screen: every endpoint's method, path, who may call it, its body or
 * query (the domain's own request schemas), its answer's shape, and the errors it can give. The
 * router (api.server.ts) serves it and the OpenAPI document (openapi.server.ts) is generated from
 * it: one copy.
 */
import { z } from "zod";
import { layoutSpecSchema, SHOW_KINDS } from "~/domain/layouts";
import { ROLES } from "~/domain/roles";
import {
  bookingCancelSchema,
  bookingListQuerySchema,
  bookingMoveBodySchema,
  checkInSchema,
  confirmRequestSchema,
  holdRequestSchema,
  loginSchema,
  seatBlocksSchema,
  showInputSchema,
  showListQuerySchema,
  signupSchema,
} from "~/domain/schemas";
import { BOOKING_STATUSES, SEAT_STATUSES } from "~/domain/seat-state";
import { bookingFactsSchema, instant, showFactsSchema } from "~/domain/views.server";
import { STATUS_OF_CODE } from "./errors.server";

const id = z.uuid();

export const userSchema = z.object({ id, name: z.string(), email: z.string(), role: z.enum(ROLES) }).meta({ id: "User" });

export const authResponseSchema = z
  .object({ user: userSchema, token: z.string().describe("A JWT: send it as `Authorization: Bearer <token>`"), expiresAt: instant })
  .meta({ id: "AuthResponse" });

const priceZone = z.object({ name: z.string(), priceCents: z.number().int() }).meta({ id: "PriceZoneView" });

export const showSummarySchema = showFactsSchema
  .extend({
    priceZones: z.array(priceZone).describe("In the order the layout numbers them; each seat names its zone"),
    availableSeats: z.number().int().describe("Seats a buyer could hold now"),
  })
  .meta({ id: "Show" });

export const showDetailSchema = showSummarySchema.extend({ layout: layoutSpecSchema }).meta({ id: "ShowDetail" });

export const seatSchema = z
  .object({
    id: z.number().int(),
    label: z.string(),
    section: z.string().nullable(),
    row: z.number().int().describe("From 0, in the section (or on the deck)"),
    column: z.number().int().describe("From 0"),
    deck: z.string().nullable().describe("A coach seat's deck: LOWER or UPPER"),
    slot: z.string().nullable().describe("A clinic slot's time of day, on the venue's clock (HH:MM)"),
    zone: z.string().describe("The seat's price zone, by name (see the show's priceZones)"),
    status: z.enum(SEAT_STATUSES).describe("BLOCKED: not for sale (blocked by the venue, or its time has passed)"),
    mine: z.boolean().describe("Held or booked by the caller"),
  })
  .meta({ id: "Seat" });

export const bookingSchema = bookingFactsSchema
  .extend({ seats: z.array(z.object({ id: z.number().int(), label: z.string() })) })
  .meta({ id: "Booking" });

export const bookingDetailSchema = bookingSchema
  .extend({
    show: showFactsSchema.extend({
      startsAt: instant.describe("When the booking's first seat's time comes (a clinic booking: its slot)"),
    }),
  })
  .meta({ id: "BookingDetail" });

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe("Lower case, stable: validation_failed, invalid_credentials, unauthenticated, forbidden, not_found, …"),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
      requestId: z
        .string()
        .optional()
        .describe(
          "On server errors (5xx): this request's id, as in its X-Request-Id header and the server's log. Quote it when you report the error.",
        ),
    }),
  })
  .meta({ id: "Error" });

export const statsSchema = z
  .object({
    upcomingShows: z.number().int(),
    seatsSold: z.number().int(),
    liveHolds: z.number().int(),
    revenueCents: z.record(z.string(), z.number().int()),
    shows: z.array(
      z.object({
        id,
        name: z.string(),
        kind: z.enum(SHOW_KINDS),
        venue: z.string(),
        startsAt: instant,
        timeZone: z.string(),
        cancelled: z.boolean(),
        totalSeats: z.number().int(),
        available: z.number().int(),
        held: z.number().int(),
        booked: z.number().int(),
        blocked: z.number().int(),
        past: z.number().int().describe("Never sold and past their time (clinic slots earlier today)"),
        takingsCents: z.number().int(),
        currency: z.string(),
        checkedIn: z.number().int().describe("Seats checked in at the door, of the `booked` expected"),
      }),
    ),
  })
  .meta({ id: "Stats" });

/** Who may call: anyone, anyone (a token adds `mine`), a signed-in user, door staff or an admin, an admin. */
export type Auth = "none" | "optional" | "user" | "door" | "admin";

export interface Endpoint {
  id: string;
  method: "GET" | "POST" | "DELETE";
  path: string;
  auth: Auth;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Request headers the endpoint reads. */
  headers?: Record<string, { required: boolean; description: string }>;
  status: number;
  response: z.ZodType;
  errors: string[];
}

const bookingEnvelope = z.object({ booking: bookingDetailSchema }).meta({ id: "BookingAnswer" });

const requestKeyHeader = {
  "Idempotency-Key": {
    required: true,
    description: "8 to 200 characters, one per change: the same key answers the same, changing nothing more",
  },
};

/** A booking as operators list it. */
export const orderSchema = z
  .object({
    id,
    reference: z.string(),
    status: z.enum(BOOKING_STATUSES).describe("EXPIRED includes holds whose time is up before the sweeper came"),
    show: z.object({ id, name: z.string(), startsAt: instant, timeZone: z.string() }),
    buyer: z.object({ name: z.string(), email: z.string() }),
    seats: z.array(z.string()).describe("Seat labels, in seat order"),
    amountCents: z.number().int(),
    currency: z.string(),
    createdAt: instant,
    checkedIn: z.number().int().describe("Seats checked in at the door"),
  })
  .meta({ id: "Order" });

/** What the venue did to a booking, as the API answers it. */
export const bookingChangeSchema = z
  .object({
    booking: bookingFactsSchema,
    refundCents: z.number().int(),
    seatLabels: z.array(z.string()).describe("The seats cancelled, or moved from"),
    toSeatLabels: z.array(z.string()).describe("A move's new seats, pair by pair"),
    replayed: z.boolean().describe("True when this Idempotency-Key was seen before: nothing changed this time"),
  })
  .meta({ id: "BookingChange" });

export const checkInAnswerSchema = z
  .object({
    verdict: z
      .enum(["valid", "already", "other_show", "cancelled", "not_paid", "unknown"])
      .describe("valid: let one person in (`seat`); already: everyone on the ticket is in (`earlier` says when); the rest: refuse"),
    reference: z.string(),
    name: z.string().optional(),
    seats: z.array(z.string()).optional(),
    seat: z.string().optional(),
    inCount: z.number().int().optional(),
    total: z.number().int().optional(),
    earlier: z.object({ at: instant, door: z.string(), by: z.string() }).optional(),
    otherShow: z.object({ id, name: z.string(), startsAt: instant, timeZone: z.string() }).optional(),
  })
  .meta({ id: "CheckInAnswer" });

export const ENDPOINTS = [
  {
    id: "signup",
    method: "POST",
    path: "/api/v1/auth/signup",
    auth: "none",
    summary: "Create an account and get a token",
    body: signupSchema,
    status: 201,
    response: authResponseSchema,
    errors: ["validation_failed", "rate_limited"],
  },
  {
    id: "token",
    method: "POST",
    path: "/api/v1/auth/token",
    auth: "none",
    summary: "Get a token for an account",
    body: loginSchema,
    status: 200,
    response: authResponseSchema,
    errors: ["validation_failed", "invalid_credentials", "rate_limited"],
  },
  {
    id: "revokeToken",
    method: "DELETE",
    path: "/api/v1/auth/token",
    auth: "user",
    summary: "Log this token out: its session ends, and the token (and any copy of it) stops working at once",
    status: 200,
    response: z.object({ revoked: z.literal(true) }).meta({ id: "TokenRevoked" }),
    errors: [],
  },
  {
    id: "listShows",
    method: "GET",
    path: "/api/v1/shows",
    auth: "none",
    summary: "Upcoming shows, soonest first, a page at a time",
    query: showListQuerySchema,
    status: 200,
    response: z
      .object({
        shows: z.array(showSummarySchema),
        nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last"),
      })
      .meta({ id: "ShowPage" }),
    errors: ["validation_failed"],
  },
  {
    id: "getShow",
    method: "GET",
    path: "/api/v1/shows/{showId}",
    auth: "optional",
    summary: "A show and every seat's state (`mine` needs a token)",
    status: 200,
    response: z.object({ show: showDetailSchema, seats: z.array(seatSchema) }).meta({ id: "ShowWithSeats" }),
    errors: ["not_found", "unauthenticated"],
  },
  {
    id: "hold",
    method: "POST",
    path: "/api/v1/shows/{showId}/holds",
    auth: "user",
    summary: "Hold seats, all or none. Sent again while your hold of exactly those seats is live, it answers with that same hold",
    body: holdRequestSchema,
    status: 201,
    response: z.object({ booking: bookingSchema }).meta({ id: "HeldBooking" }),
    errors: ["validation_failed", "unauthenticated", "not_found", "seats_unavailable", "conflict"],
  },
  {
    id: "listBookings",
    method: "GET",
    path: "/api/v1/bookings",
    auth: "user",
    summary: "Your bookings, newest first",
    status: 200,
    response: z.object({ bookings: z.array(bookingDetailSchema) }).meta({ id: "BookingList" }),
    errors: ["unauthenticated"],
  },
  {
    id: "getBooking",
    method: "GET",
    path: "/api/v1/bookings/{bookingId}",
    auth: "user",
    summary: "One of your bookings",
    status: 200,
    response: bookingEnvelope,
    errors: ["unauthenticated", "not_found"],
  },
  {
    id: "confirm",
    method: "POST",
    path: "/api/v1/bookings/{bookingId}/confirm",
    auth: "user",
    summary: "Pay for a hold (simulated). The same Idempotency-Key and body give the same answer",
    body: confirmRequestSchema.omit({ idempotencyKey: true }).meta({ id: "PaymentRequest" }),
    headers: { "Idempotency-Key": { required: true, description: "8 to 100 letters, digits, - or _; one per payment attempt" } },
    status: 200,
    response: bookingEnvelope,
    errors: ["validation_failed", "unauthenticated", "not_found", "payment_declined", "hold_expired", "conflict", "idempotency_mismatch"],
  },
  {
    id: "release",
    method: "DELETE",
    path: "/api/v1/bookings/{bookingId}",
    auth: "user",
    summary: "Release a hold, or cancel a paid booking (refunded)",
    status: 200,
    response: bookingEnvelope,
    errors: ["unauthenticated", "not_found", "conflict"],
  },
  {
    id: "createShow",
    method: "POST",
    path: "/api/v1/admin/shows",
    auth: "admin",
    summary: "Create a show (the admin form's schema)",
    body: showInputSchema,
    status: 201,
    response: z.object({ show: showDetailSchema }).meta({ id: "CreatedShow" }),
    errors: ["validation_failed", "unauthenticated", "forbidden"],
  },
  {
    id: "resetShow",
    method: "POST",
    path: "/api/v1/admin/shows/{showId}/reset",
    auth: "admin",
    summary: "Every hold and sale of the show back to AVAILABLE, refunded",
    status: 200,
    response: z
      .object({ seats: z.number().int(), holds: z.number().int(), bookings: z.number().int(), refundedCents: z.number().int() })
      .meta({ id: "ResetResult" }),
    errors: ["unauthenticated", "forbidden", "not_found"],
  },
  {
    id: "blocks",
    method: "POST",
    path: "/api/v1/admin/shows/{showId}/blocks",
    auth: "admin",
    summary: "Block (not for sale) or unblock seats, all or none",
    body: seatBlocksSchema,
    status: 200,
    response: z.object({ changed: z.number().int().describe("Seats whose state changed") }).meta({ id: "BlocksResult" }),
    errors: ["validation_failed", "unauthenticated", "forbidden", "not_found", "conflict"],
  },
  {
    id: "adminListBookings",
    method: "GET",
    path: "/api/v1/admin/bookings",
    auth: "admin",
    summary:
      "Bookings of every show or one, newest first, by state or a search (reference, part of a name or e-mail, a seat's label), a page at a time",
    query: bookingListQuerySchema,
    status: 200,
    response: z
      .object({ bookings: z.array(orderSchema), nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page") })
      .meta({ id: "OrderPage" }),
    errors: ["validation_failed", "unauthenticated", "forbidden"],
  },
  {
    id: "adminCancelSeats",
    method: "POST",
    path: "/api/v1/admin/bookings/{bookingId}/cancellations",
    auth: "admin",
    summary: "Cancel and refund some or all of a paid booking's seats (all: the booking is cancelled). The buyer is e-mailed",
    body: bookingCancelSchema.omit({ bookingId: true, requestKey: true }).meta({ id: "SeatCancelRequest" }),
    headers: requestKeyHeader,
    status: 200,
    response: bookingChangeSchema,
    errors: ["validation_failed", "unauthenticated", "forbidden", "not_found", "conflict"],
  },
  {
    id: "adminMoveSeats",
    method: "POST",
    path: "/api/v1/admin/bookings/{bookingId}/moves",
    auth: "admin",
    summary: "Move a paid booking's seats to free seats of the same show, pair by pair; the price paid stays. The buyer is e-mailed",
    body: bookingMoveBodySchema,
    headers: requestKeyHeader,
    status: 200,
    response: bookingChangeSchema,
    errors: ["validation_failed", "unauthenticated", "forbidden", "not_found", "conflict", "seats_unavailable"],
  },
  {
    id: "adminResendTicket",
    method: "POST",
    path: "/api/v1/admin/bookings/{bookingId}/ticket-emails",
    auth: "admin",
    summary: "Send a paid booking's ticket to its buyer again",
    headers: requestKeyHeader,
    status: 200,
    response: bookingChangeSchema,
    errors: ["validation_failed", "unauthenticated", "forbidden", "not_found", "conflict"],
  },
  {
    id: "checkIn",
    method: "POST",
    path: "/api/v1/door/shows/{showId}/check-ins",
    auth: "door",
    summary:
      "Check a ticket in at the door (a scanner app): one person per call, seat by seat. A refusal is an answer too (200, its verdict)",
    body: checkInSchema.omit({ showId: true, scanKey: true }).meta({ id: "CheckInBody" }),
    headers: {
      "Idempotency-Key": {
        required: false,
        description: "One per scan: a retry of the same scan answers the same and lets nobody else in",
      },
    },
    status: 200,
    response: checkInAnswerSchema,
    errors: ["validation_failed", "unauthenticated", "forbidden", "not_found"],
  },
  {
    id: "stats",
    method: "GET",
    path: "/api/v1/admin/stats",
    auth: "admin",
    summary: "The dashboard's numbers",
    status: 200,
    response: statsSchema,
    errors: ["unauthenticated", "forbidden"],
  },
] as const satisfies readonly Endpoint[];

export type EndpointId = (typeof ENDPOINTS)[number]["id"];

/** Errors every endpoint can give, whatever it does. */
export const COMMON_ERRORS = ["payload_too_large", "unsupported_media_type", "invalid_json", "method_not_allowed"] as const;

/** Each error code's status, lower case as the API sends it: the domain's table, and the HTTP-level refusals. */
export const API_ERROR_STATUS: Record<string, number> = {
  ...Object.fromEntries(Object.entries(STATUS_OF_CODE).map(([code, status]) => [code.toLowerCase(), status])),
  invalid_json: 400,
  internal_error: 500,
  unavailable: 503,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
};
