import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { type LayoutSpec, SHOW_KINDS } from "~/domain/layouts";
import { ROLES } from "~/domain/roles";
import { BOOKING_STATUSES, SEAT_STATUSES } from "~/domain/seat-state";

/** Every table Holdfast stores, in one module. Columns are snake_case in SQL. */

/** USER buys; DOOR checks tickets in at the door and reads the door list, nothing else; ADMIN runs the house. */
export const userRole = pgEnum("user_role", ROLES);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: userRole("role").notNull().default("USER"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One account per address, whatever the case it was typed in.
    uniqueIndex("users_email_lower_key").on(sql`lower(${t.email})`),
    check("users_name_length", sql`char_length(${t.name}) between 1 and 100`),
    check("users_email_length", sql`char_length(${t.email}) between 3 and 254`),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Role = User["role"];

/**
 * Signed-in sessions, server-side so that logging out ends them for real: a browser's (its id in
 * the signed cookie) or an API token's (its id in the token). The id is a random secret that only
 * the client holds; the table keeps its SHA-256, so a copy of the table opens no session. An ended
 * session keeps its row, with `ended_at`, until it would have expired: every process learns of
 * ends from those rows (auth/ended-sessions.server.ts).
 */
export const sessionKind = pgEnum("session_kind", ["WEB", "API"]);
export const sessions = pgTable(
  "sessions",
  {
    idHash: text("id_hash").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: sessionKind("kind").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    clientAddress: text("client_address"),
    userAgent: text("user_agent"),
    endedAt: timestamp("ended_at", { withTimezone: true }),
  },
  (t) => [
    index("sessions_user_idx").on(t.userId),
    index("sessions_expiry_idx").on(t.expiresAt),
    index("sessions_ended_idx").on(t.endedAt).where(sql`${t.endedAt} is not null`),
  ],
);
export type SessionRecord = typeof sessions.$inferSelect;

export const showKind = pgEnum("show_kind", SHOW_KINDS);
export const seatStatus = pgEnum("seat_status", SEAT_STATUSES);
export const bookingStatus = pgEnum("booking_status", BOOKING_STATUSES);
export const paymentStatus = pgEnum("payment_status", ["SUCCEEDED", "DECLINED", "REFUNDED"]);

const tstz = (name: string) => timestamp(name, { withTimezone: true });

export const shows = pgTable(
  "shows",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    /** What the show is, for buyers (paragraphs, plain text); null: none. */
    description: text("description"),
    kind: showKind("kind").notNull(),
    venue: text("venue").notNull(),
    city: text("city").notNull(),
    /** IANA zone of the venue: times are shown as the audience will live them. */
    timeZone: text("time_zone").notNull().default("UTC"),
    startsAt: tstz("starts_at").notNull(),
    /** When the last seat's time comes (a clinic day's last slot): after it nothing can be held. */
    lastStartsAt: tstz("last_starts_at").notNull(),
    /** The lowest of the show's price zones ("from £35"), kept with the zones. */
    priceCents: integer("price_cents").notNull(),
    currency: text("currency").notNull(),
    totalSeats: integer("total_seats").notNull(),
    layout: jsonb("layout").$type<LayoutSpec>().notNull(),
    /** Seats one customer may hold at a time; null: MAX_SEATS_PER_HOLD. */
    maxSeatsPerCustomer: integer("max_seats_per_customer"),
    /** Set when an admin cancels the show: it is off sale and every booking is refunded. */
    cancelledAt: tstz("cancelled_at"),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("shows_starts_at_idx").on(t.startsAt),
    check("shows_price_nonnegative", sql`${t.priceCents} >= 0`),
    check("shows_currency_iso", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("shows_total_seats_positive", sql`${t.totalSeats} > 0`),
    check("shows_name_length", sql`char_length(${t.name}) between 1 and 200`),
    check("shows_description_length", sql`char_length(${t.description}) <= 2000`),
  ],
);

/** A show's price zones (Premium £60, Standard £35…): every seat is in one. */
export const priceZones = pgTable(
  "price_zones",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    showId: uuid("show_id")
      .notNull()
      .references(() => shows.id, { onDelete: "cascade" }),
    /** Order on the map's legend and in the admin form (0 first). */
    position: integer("position").notNull(),
    name: text("name").notNull(),
    priceCents: integer("price_cents").notNull(),
  },
  (t) => [
    uniqueIndex("price_zones_show_name_key").on(t.showId, sql`lower(${t.name})`),
    unique("price_zones_show_position_key").on(t.showId, t.position),
    check("price_zones_price_nonnegative", sql`${t.priceCents} >= 0`),
    check("price_zones_name_length", sql`char_length(${t.name}) between 1 and 40`),
  ],
);

export const bookings = pgTable(
  "bookings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Short, unguessable, printed on the ticket. */
    reference: text("reference").notNull().unique(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    showId: uuid("show_id")
      .notNull()
      .references(() => shows.id, { onDelete: "cascade" }),
    status: bookingStatus("status").notNull().default("HELD"),
    /** When the hold ends; kept after confirmation as a record. */
    expiresAt: tstz("expires_at").notNull(),
    seatCount: integer("seat_count").notNull(),
    amountCents: integer("amount_cents").notNull(),
    currency: text("currency").notNull(),
    /** The key of the payment that confirmed it. */
    idempotencyKey: text("idempotency_key"),
    createdAt: tstz("created_at").notNull(),
    updatedAt: tstz("updated_at").notNull(),
    confirmedAt: tstz("confirmed_at"),
    cancelledAt: tstz("cancelled_at"),
    /** When the buyer took the hold's one extension (HOLD_EXTENSION_SECONDS); null if not taken. */
    extendedAt: tstz("extended_at"),
    /**
     * Where the hold came from (an IPv4 address, or an IPv6 /64), for the per-address brake on
     * hoarding (domain/client-address.ts). Null for holds made outside HTTP.
     */
    clientAddress: text("client_address"),
  },
  (t) => [
    // Target of the seats' composite key below.
    unique("bookings_id_show_user_key").on(t.id, t.showId, t.userId),
    index("bookings_user_idx").on(t.userId, t.createdAt),
    index("bookings_show_idx").on(t.showId),
    index("bookings_held_expiry_idx").on(t.expiresAt).where(sql`${t.status} = 'HELD'`),
    index("bookings_show_address_held_idx").on(t.showId, t.clientAddress).where(sql`${t.status} = 'HELD'`),
    // The per-buyer limit's sum (holds.server.ts reads it in this order): one buyer's live holds of one show.
    index("bookings_user_show_held_idx").on(t.userId, t.showId, t.expiresAt).where(sql`${t.status} = 'HELD'`),
    check("bookings_seat_count_positive", sql`${t.seatCount} > 0`),
    check("bookings_amount_nonnegative", sql`${t.amountCents} >= 0`),
    check("bookings_confirmed_has_time", sql`(${t.status} in ('CONFIRMED', 'CANCELLED')) = (${t.confirmedAt} is not null)`),
    check("bookings_cancelled_has_time", sql`(${t.status} = 'CANCELLED') = (${t.cancelledAt} is not null)`),
  ],
);

export const seats = pgTable(
  "seats",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    showId: uuid("show_id")
      .notNull()
      .references(() => shows.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    row: integer("row").notNull(),
    col: integer("col").notNull(),
    deck: text("deck"),
    slot: text("slot"),
    /** The section's name, for theatres with named sections. */
    section: text("section"),
    zoneId: uuid("zone_id")
      .notNull()
      .references(() => priceZones.id, { onDelete: "cascade" }),
    /**
     * When this seat's time comes: the show's start, or a clinic slot's own time. After it the
     * seat can no longer be held, paid for or cancelled (see domain/seat-state.ts).
     */
    startsAt: tstz("starts_at").notNull(),
    status: seatStatus("status").notNull().default("AVAILABLE"),
    holderId: uuid("holder_id").references(() => users.id),
    bookingId: uuid("booking_id"),
    expiresAt: tstz("expires_at"),
    /** Bumped by every change of state: the compare-and-swap token of a hold. */
    version: integer("version").notNull().default(0),
  },
  (t) => [
    unique("seats_show_label_key").on(t.showId, t.label),
    index("seats_show_idx").on(t.showId, t.id),
    index("seats_pending_expiry_idx").on(t.expiresAt).where(sql`${t.status} = 'PENDING'`),
    index("seats_booking_idx").on(t.bookingId),
    index("seats_zone_idx").on(t.zoneId),
    // A seat's state and its links agree, or the row cannot be stored.
    check(
      "seats_state_consistent",
      sql`case ${t.status}
        when 'AVAILABLE' then ${t.holderId} is null and ${t.bookingId} is null and ${t.expiresAt} is null
        when 'BLOCKED' then ${t.holderId} is null and ${t.bookingId} is null and ${t.expiresAt} is null
        when 'PENDING' then ${t.holderId} is not null and ${t.bookingId} is not null and ${t.expiresAt} is not null
        when 'BOOKED' then ${t.holderId} is not null and ${t.bookingId} is not null and ${t.expiresAt} is null
      end`,
    ),
    check("seats_version_nonnegative", sql`${t.version} >= 0`),
    // A seat's booking is for the seat's own show and belongs to the seat's holder.
    foreignKey({
      name: "seats_booking_same_show_and_holder",
      columns: [t.bookingId, t.showId, t.holderId],
      foreignColumns: [bookings.id, bookings.showId, bookings.userId],
    }),
  ],
);

/** Which seats a booking was for: kept after its seats are released, for the record and the ticket. */
export const bookingSeats = pgTable(
  "booking_seats",
  {
    bookingId: uuid("booking_id")
      .notNull()
      .references(() => bookings.id, { onDelete: "cascade" }),
    seatId: bigint("seat_id", { mode: "number" })
      .notNull()
      .references(() => seats.id, { onDelete: "cascade" }),
    /** What this seat cost when it was held (its zone's price then): what cancelling it refunds. */
    priceCents: integer("price_cents").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.bookingId, t.seatId] }),
    index("booking_seats_seat_idx").on(t.seatId),
    check("booking_seats_price_nonnegative", sql`${t.priceCents} >= 0`),
  ],
);

/**
 * What the venue did to one paid booking (domain/booking-changes.server.ts): seats cancelled and
 * refunded, seats moved, the ticket sent again. One row per request: `request_key` (the form's or
 * the API's Idempotency-Key) makes a repeat of the same request answer the same, changing nothing.
 */
export const bookingChangeKind = pgEnum("booking_change_kind", ["CANCEL_SEATS", "MOVE", "RESEND_TICKET"]);
export const bookingChanges = pgTable(
  "booking_changes",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    bookingId: uuid("booking_id")
      .notNull()
      .references(() => bookings.id, { onDelete: "cascade" }),
    requestKey: text("request_key").notNull(),
    kind: bookingChangeKind("kind").notNull(),
    at: tstz("at").notNull(),
    actorId: uuid("actor_id"),
    actorName: text("actor_name"),
    /** The seats cancelled, or moved from. */
    seatLabels: text("seat_labels").array().notNull().default(sql`'{}'`),
    /** A move's new seats, in the order of seat_labels. */
    toSeatLabels: text("to_seat_labels").array().notNull().default(sql`'{}'`),
    refundCents: integer("refund_cents").notNull().default(0),
    reason: text("reason"),
  },
  (t) => [
    unique("booking_changes_request_key").on(t.bookingId, t.requestKey),
    index("booking_changes_booking_idx").on(t.bookingId, t.at),
    check("booking_changes_refund_nonnegative", sql`${t.refundCents} >= 0`),
    check("booking_changes_key_length", sql`char_length(${t.requestKey}) between 8 and 200`),
  ],
);

/**
 * Door check-in, per seat of a paid booking (domain/check-in.server.ts): the primary key makes a
 * seat come in once, whichever door scans it first.
 */
export const checkIns = pgTable(
  "check_ins",
  {
    bookingId: uuid("booking_id").notNull(),
    seatId: bigint("seat_id", { mode: "number" }).notNull(),
    showId: uuid("show_id")
      .notNull()
      .references(() => shows.id, { onDelete: "cascade" }),
    at: tstz("at").notNull(),
    door: text("door").notNull(),
    byId: uuid("by_id"),
    byName: text("by_name").notNull(),
    /** The scan that let this seat in (the door form's key, the API's Idempotency-Key): a repeat of it answers the same. */
    scanKey: text("scan_key"),
  },
  (t) => [
    primaryKey({ columns: [t.bookingId, t.seatId] }),
    // A seat of the booking: cancelling the seat takes its check-in with it; moving it moves it along.
    foreignKey({
      name: "check_ins_booking_seat",
      columns: [t.bookingId, t.seatId],
      foreignColumns: [bookingSeats.bookingId, bookingSeats.seatId],
    })
      .onDelete("cascade")
      .onUpdate("cascade"),
    index("check_ins_show_idx").on(t.showId),
    uniqueIndex("check_ins_scan_key").on(t.bookingId, t.scanKey).where(sql`${t.scanKey} is not null`),
    check("check_ins_door_length", sql`char_length(${t.door}) between 1 and 60`),
  ],
);

export const payments = pgTable(
  "payments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    bookingId: uuid("booking_id")
      .notNull()
      .references(() => bookings.id, { onDelete: "cascade" }),
    idempotencyKey: text("idempotency_key").notNull(),
    status: paymentStatus("status").notNull(),
    amountCents: integer("amount_cents").notNull(),
    currency: text("currency").notNull(),
    cardLast4: text("card_last4").notNull(),
    createdAt: tstz("created_at").notNull(),
    refundedAt: tstz("refunded_at"),
  },
  (t) => [
    // The same key answers the same result: one attempt per (booking, key).
    unique("payments_booking_key").on(t.bookingId, t.idempotencyKey),
    // A booking is charged at most once, whatever keys are used.
    uniqueIndex("payments_one_charge_per_booking").on(t.bookingId).where(sql`${t.status} in ('SUCCEEDED', 'REFUNDED')`),
  ],
);

/**
 * What happened, by whom, to which seats: every admin action and every buyer's hold, payment,
 * release, expiry and cancellation, written in the same transaction as the change itself. Kept
 * when a show, a booking or a user goes: ids are plain values here, and names are copied in.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: tstz("at").notNull(),
    showId: uuid("show_id"),
    /** null: the system (the sweeper). */
    actorId: uuid("actor_id"),
    actorName: text("actor_name"),
    actorEmail: text("actor_email"),
    action: text("action").notNull(),
    seatIds: bigint("seat_ids", { mode: "number" }).array(),
    seatLabels: text("seat_labels").array(),
    bookingId: uuid("booking_id"),
    bookingReference: text("booking_reference"),
    details: jsonb("details").$type<Record<string, unknown>>(),
  },
  (t) => [
    index("audit_log_show_at_idx").on(t.showId, t.at),
    index("audit_log_labels_idx").using("gin", t.seatLabels),
    // One booking's trail, on its admin page.
    index("audit_log_booking_idx").on(t.bookingId).where(sql`${t.bookingId} is not null`),
  ],
);

export type Show = typeof shows.$inferSelect;
export type PriceZone = typeof priceZones.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type Seat = typeof seats.$inferSelect;
export type Booking = typeof bookings.$inferSelect;
export type Payment = typeof payments.$inferSelect;
export type SeatStatus = Seat["status"];
export type BookingStatus = Booking["status"];

/**
 * The log-in and sign-up brakes' counts (auth/rate-limit.server.ts), shared by every instance.
 * The shape is rate-limiter-flexible's RateLimiterDrizzle's: a key, the points spent, when they lapse.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").primaryKey(),
    points: integer("points").notNull().default(0),
    expire: tstz("expire"),
  },
  (t) => [index("rate_limits_expire_idx").on(t.expire)],
);

/**
 * The transactional outbox (app/events/): one row per domain event, written by a trigger on
 * `audit_log` in the transaction that made the change (drizzle/0012_outbox_trigger.sql), so an
 * event exists exactly when its change committed. The relay publishes rows in id order and marks
 * them; a crash between the two publishes a row again (consumers are idempotent by `eventId`).
 */
export const outbox = pgTable(
  "outbox",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    eventId: uuid("event_id").notNull().defaultRandom().unique(),
    /** booking.held, booking.confirmed, …: the catalogue is app/events/catalogue.ts. */
    name: text("name").notNull(),
    at: tstz("at").notNull(),
    /** The payload's shape's version (1). */
    version: integer("version").notNull().default(1),
    showId: uuid("show_id"),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    publishedAt: tstz("published_at"),
  },
  (t) => [index("outbox_unpublished_idx").on(t.id).where(sql`${t.publishedAt} is null`)],
);

/**
 * Without a broker (no AMQP_URL), the relay hands each event to each consumer through this
 * table: a row per (consumer, event), tried until done, retried with backoff, and dead after the
 * last try (the dead-letter queue's place). Written in the relay's transaction, so nothing is lost.
 */
export const eventDeliveries = pgTable(
  "event_deliveries",
  {
    consumer: text("consumer").notNull(),
    eventId: uuid("event_id").notNull(),
    outboxId: bigint("outbox_id", { mode: "number" }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAt: tstz("next_at").notNull(),
    doneAt: tstz("done_at"),
    deadAt: tstz("dead_at"),
    lastError: text("last_error"),
  },
  (t) => [
    primaryKey({ columns: [t.consumer, t.eventId] }),
    // A consumer's claim reads its open deliveries in event order and stops at its batch: the
    // index is that order, so the claim's cost never grows with the backlog (relay.server.ts).
    index("event_deliveries_open_idx").on(t.consumer, t.outboxId).where(sql`${t.doneAt} is null and ${t.deadAt} is null`),
  ],
);

/**
 * Live seat maps' news on its way out (drizzle/0014_side_effects_off_commit.sql): the seats
 * trigger writes each statement's changes here, in the changing transaction, instead of a NOTIFY
 * (which would serialise every commit on PostgreSQL's one notify lock); the announcer
 * (app/events/seat-news.server.ts) NOTIFYs them in batches and deletes them. UNLOGGED: no WAL for
 * news, and a crash loses only news, which every map recovers from (it refetches when its stream
 * comes back).
 */
export const seatNews = pgTable("seat_news", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  showId: uuid("show_id").notNull(),
  /** The NOTIFY's payload: {"s":"<show id>","c":{"<seat id>":"H",…}} (drizzle/0009_seat_notify.sql). */
  payload: text("payload").notNull(),
});

/** What each consumer has handled, by event id: a second delivery of an event changes nothing. */
export const consumedEvents = pgTable(
  "consumed_events",
  {
    consumer: text("consumer").notNull(),
    eventId: uuid("event_id").notNull(),
    at: tstz("at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
);

/** Every e-mail the e-mail consumer sent about a booking: the list on the booking's admin page. */
export const sentEmails = pgTable(
  "sent_emails",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    bookingId: uuid("booking_id")
      .notNull()
      .references(() => bookings.id, { onDelete: "cascade" }),
    /** The event it was sent for (one e-mail per event: a repeat delivery updates nothing). */
    eventId: uuid("event_id").notNull().unique(),
    eventName: text("event_name").notNull(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    at: tstz("at").notNull(),
  },
  (t) => [index("sent_emails_booking_idx").on(t.bookingId, t.at)],
);

/** Sales per show per minute (the analytics consumer), for the admin's dashboard. */
export const salesPerMinute = pgTable(
  "sales_per_minute",
  {
    showId: uuid("show_id").notNull(),
    minute: tstz("minute").notNull(),
    seatsSold: integer("seats_sold").notNull().default(0),
    revenueCents: bigint("revenue_cents", { mode: "number" }).notNull().default(0),
    seatsCancelled: integer("seats_cancelled").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.showId, t.minute] })],
);

/**
 * Webhooks: an admin's URL per show, told of each of the show's events (app/events/webhook-sender.server.ts),
 * signed with the hook's secret (HMAC-SHA256), retried with backoff.
 */
export const webhooks = pgTable(
  "webhooks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    showId: uuid("show_id")
      .notNull()
      .references(() => shows.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    /** The HMAC key the receiver checks signatures with (shown to admins on the show's webhooks page). */
    secret: text("secret").notNull(),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [unique("webhooks_show_url_key").on(t.showId, t.url), check("webhooks_url_length", sql`char_length(${t.url}) between 8 and 2000`)],
);

/** Each event's delivery to each hook: the log on the admin's webhooks page, and the sender's queue. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    webhookId: uuid("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    eventId: uuid("event_id").notNull(),
    eventName: text("event_name").notNull(),
    body: text("body").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAt: tstz("next_at").notNull(),
    deliveredAt: tstz("delivered_at"),
    deadAt: tstz("dead_at"),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    createdAt: tstz("created_at").notNull(),
  },
  (t) => [
    unique("webhook_deliveries_hook_event_key").on(t.webhookId, t.eventId),
    // The sender's claim reads open deliveries in id order and stops at its batch (webhooks.server.ts).
    index("webhook_deliveries_open_idx").on(t.id).where(sql`${t.deliveredAt} is null and ${t.deadAt} is null`),
    index("webhook_deliveries_hook_idx").on(t.webhookId, t.createdAt),
  ],
);
