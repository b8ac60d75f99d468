/**
 * The JSON API's endpoints (http/contract.ts), each a few lines: take the caller from the token,
 * call the same domain function as the page, shape the answer. Authentication, bodies, parsing
 * and errors are the router's (http/api.server.ts).
 */
import type { Booking, Show } from "~/db/schema";
import { createUser, type PublicUser, verifyLogin } from "~/domain/accounts.server";
import type { BookingView } from "~/domain/bookings.server";
import { confirmBooking, effectiveStatus, endBooking, getBookingForUser, listBookingsForUser } from "~/domain/bookings.server";
import { getDashboard } from "~/domain/dashboard.server";
import { placeHold } from "~/domain/holds.server";
import { endSession, startSession } from "~/domain/sessions.server";
import { createShowAsAdmin, resetShow, setSeatsBlocked } from "~/domain/show-admin.server";
import { getShowListing, getShowSeats, listShowsPage, type ZoneView } from "~/domain/shows.server";
import { type ApiCall, type ApiHandlers, callerActor, callerId } from "~/http/api.server";

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

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

function showJson(show: Show, zones: ZoneView[], availableSeats: number) {
  return {
    id: show.id,
    name: show.name,
    kind: show.kind,
    venue: show.venue,
    city: show.city,
    startsAt: iso(show.startsAt),
    timeZone: show.timeZone,
    currency: show.currency,
    priceZones: zones,
    maxSeatsPerCustomer: show.maxSeatsPerCustomer,
    totalSeats: show.totalSeats,
    availableSeats,
  };
}

function bookingJson(booking: Booking, seats: Array<{ id: number; label: string }>, now: Date) {
  return {
    id: booking.id,
    reference: booking.reference,
    status: effectiveStatus(booking, now),
    showId: booking.showId,
    expiresAt: iso(booking.expiresAt),
    amountCents: booking.amountCents,
    currency: booking.currency,
    seats,
    createdAt: iso(booking.createdAt),
    confirmedAt: isoOrNull(booking.confirmedAt),
    cancelledAt: isoOrNull(booking.cancelledAt),
  };
}

function bookingViewJson(view: BookingView, now: Date) {
  const { show } = view;
  return {
    ...bookingJson(view, view.seats, now),
    show: {
      id: show.id,
      name: show.name,
      kind: show.kind,
      venue: show.venue,
      city: show.city,
      startsAt: iso(view.startsAt),
      timeZone: show.timeZone,
    },
  };
}

/** The caller's booking as it stands, for answers whose domain call returns the booking alone. */
async function bookingAnswer(call: ApiCall, bookingId: string) {
  return { booking: bookingViewJson(await getBookingForUser(call.services.db, callerId(call), bookingId, call.now), call.now) };
}

export const v1Handlers: ApiHandlers = {
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

  async listShows(call) {
    const key = `api?${JSON.stringify(Object.entries(call.query ?? {}).sort())}`;
    const page = await call.services.showList(key, (db) => listShowsPage(db, call.query, call.now));
    return { shows: page.shows.map((s) => showJson(s, s.zones, s.availableSeats)), nextCursor: page.nextCursor };
  },

  async getShow(call) {
    const { show, zones, seats } = await getShowSeats(call.services.db, call.params.showId, call.userId, call.now);
    const available = seats.reduce((n, s) => n + (s.status === "AVAILABLE" ? 1 : 0), 0);
    return {
      show: { ...showJson(show, zones, available), layout: show.layout },
      seats: seats.map((s) => ({
        id: s.id,
        label: s.label,
        section: s.section,
        row: s.row,
        column: s.col,
        deck: s.deck,
        slot: s.slot,
        zone: zones[s.zone]?.name ?? "",
        status: s.status,
        mine: s.mine,
      })),
    };
  },

  async hold(call) {
    const { db, booking: settings } = call.services;
    const held = await placeHold(
      db,
      {
        userId: callerId(call),
        showId: call.params.showId,
        seatIds: call.body.seatIds,
        clientAddress: call.clientAddress(),
        claim: call.claim,
      },
      call.now,
      settings,
    );
    return { booking: bookingJson(held.booking, held.seats, call.now) };
  },

  async listBookings(call) {
    const views = await listBookingsForUser(call.services.db, callerId(call), call.now);
    return { bookings: views.map((v) => bookingViewJson(v, call.now)) };
  },

  async getBooking(call) {
    return bookingAnswer(call, call.params.bookingId);
  },

  async confirm(call) {
    const input = {
      userId: callerId(call),
      bookingId: call.params.bookingId,
      idempotencyKey: call.headers["idempotency-key"] ?? "",
      card: call.body.card,
    };
    const { booking } = await confirmBooking(call.services.db, input, call.now);
    return bookingAnswer(call, booking.id);
  },

  async release(call) {
    const ended = await endBooking(call.services.db, { userId: callerId(call), bookingId: call.params.bookingId }, call.now);
    return bookingAnswer(call, ended.id);
  },

  async createShow(call) {
    const created = await createShowAsAdmin(call.services.db, callerActor(call), call.rawBody, call.now);
    const show = await getShowListing(call.services.db, created.id, call.now);
    return { show: { ...showJson(show, show.zones, show.availableSeats), layout: show.layout } };
  },

  async resetShow(call) {
    return resetShow(call.services.db, callerActor(call), call.params.showId, call.now);
  },

  async blocks(call) {
    const input = { showId: call.params.showId, seatIds: call.body.seatIds, blocked: call.body.blocked };
    return setSeatsBlocked(call.services.db, callerActor(call), input, call.now);
  },

  async stats(call) {
    const { totals, shows } = await getDashboard(call.services.db, callerActor(call), call.now);
    return { ...totals, shows: shows.map((s) => ({ ...s, startsAt: iso(s.startsAt) })) };
  },
};
