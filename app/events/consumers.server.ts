import { eq, sql } from "drizzle-orm";
import QRCode from "qrcode";
import type { ShowCache } from "~/cache/show-cache.server";
import type { DbOrTx } from "~/db/client.server";
import { salesPerMinute, sentEmails, users } from "~/db/schema";
import { type BookingView, getBookingForUser } from "~/domain/bookings.server";
import { ticketCalendar } from "~/domain/calendar.server";
import { listLabels, NotFound } from "~/domain/errors";
import { countedNoun, wordsFor } from "~/domain/kind-words";
import { formatMoney, formatShowTime } from "~/domain/time";
import { counted, plural } from "~/domain/words";
import { type BookingPayload, type HoldfastEvent, isBookingEvent } from "./catalogue";
import type { Mailer, MailMessage } from "./mail.server";
import type { Consumer } from "./relay.server";

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

/** The buyer's booking as their ticket page shows it, and their address; null when either is gone (a deleted show). */
async function bookingOf(tx: DbOrTx, payload: BookingPayload): Promise<{ booking: BookingView; name: string; email: string } | null> {
  if (!payload.userId) return null;
  const [user] = await tx.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, payload.userId));
  if (!user) return null;
  try {
    return { booking: await getBookingForUser(tx, payload.userId, payload.bookingId), ...user };
  } catch (error) {
    if (error instanceof NotFound) return null;
    throw error;
  }
}

interface Letter {
  subject: string;
  /** Paragraphs, as plain text; the HTML part is made from the same words. */
  lines: string[];
  link?: { text: string; href: string };
}

function render(letter: Letter, name: string, qrCid?: string) {
  const text = [
    `Hello ${name},`,
    "",
    ...letter.lines.flatMap((l) => [l, ""]),
    ...(letter.link ? [`${letter.link.text}: ${letter.link.href}`, ""] : []),
    "Holdfast",
  ].join("\n");
  const html = `<!doctype html><html lang="en"><body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #111">
<p>Hello ${escapeHtml(name)},</p>
${letter.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join("\n")}
${qrCid ? `<p><img src="cid:${qrCid}" width="180" height="180" alt="Your reference as a QR code"></p>` : ""}
${letter.link ? `<p><a href="${escapeHtml(letter.link.href)}">${escapeHtml(letter.link.text)}</a></p>` : ""}
<p>Holdfast</p>
</body></html>`;
  return { text, html };
}

/**
 * E-mail to the buyer: the ticket when a booking is paid (reference, seats, time, amount, the
 * reference as a QR code, a calendar file) and again when the venue resends it; a notice when a
 * hold runs out; word of a cancellation, of seats the venue cancelled and refunded, and of seats
 * it moved (with the ticket as it is now). The actor is named as it was: "you cancelled", "the
 * venue cancelled". Idempotent by event id (handleOnce), and the file or SMTP Message-ID is the
 * event's. Every message sent is listed on the booking's admin page (sent_emails).
 */
export function emailConsumer(mailer: Mailer, publicUrl: string): Consumer {
  return {
    name: "email",
    events: [
      "booking.confirmed",
      "booking.cancelled",
      "booking.expired",
      "booking.seats_cancelled",
      "booking.moved",
      "booking.ticket_resent",
      "booking.rescheduled",
    ],
    // An expiry is written about only when the system ended the hold (a buyer's release needs no letter).
    accepts: (event) => event.name !== "booking.expired" || (event.payload as BookingPayload).by === "system",
    async handle(tx, event) {
      if (!isBookingEvent(event)) return;
      const found = await bookingOf(tx, event.payload);
      if (!found) return; // the booking or its buyer is gone: nobody to write to
      const { booking, name, email } = found;
      const p = event.payload;
      const words = wordsFor(booking.show.kind);
      const seats = booking.seats.map((s) => s.label).join(", ");
      const when = formatShowTime(booking.startsAt, booking.show.timeZone);
      const where = `${booking.show.venue}, ${booking.show.city}`;
      const noun = (n: number) => countedNoun(booking.show.kind, n).toLowerCase();
      const ticketUrl = `${publicUrl}/bookings/${booking.id}`;
      const money = (cents: number) => formatMoney(cents, booking.currency);
      const base = { to: email, eventId: event.id, at: event.at };
      const send = async (letter: Letter, extra: Partial<MailMessage> = {}) => {
        await mailer.send({ ...base, ...letter, ...render(letter, name, extra.attachments ? "qr@holdfast" : undefined), ...extra });
        await tx
          .insert(sentEmails)
          .values({
            bookingId: booking.id,
            eventId: event.id,
            eventName: event.name,
            to: email,
            subject: letter.subject,
            at: new Date(event.at),
          })
          .onConflictDoNothing();
      };
      /** The ticket as it is now: what it is for, the QR code, and a calendar file while it stands. */
      const ticket = async (opening: string[]) => {
        const qr = await QRCode.toBuffer(booking.reference, { errorCorrectionLevel: "M", margin: 2, scale: 6 });
        const letter: Letter = {
          subject: `Your ${words.ticket.toLowerCase()} for ${booking.show.name}: ${booking.reference}`,
          lines: [
            ...opening,
            `Reference: ${booking.reference}`,
            `${countedNoun(booking.show.kind, booking.seats.length)}: ${seats}`,
            `When: ${when} (${booking.show.timeZone})`,
            `Where: ${where}`,
            "Show the reference or the QR code at the door.",
          ],
          link: { text: `Your ${words.ticket.toLowerCase()}`, href: ticketUrl },
        };
        // A booking cancelled since has no calendar entry (its own e-mail follows).
        const calendar =
          booking.effectiveStatus === "CONFIRMED"
            ? await ticketCalendar(tx, { id: p.userId as string, name }, booking.id, ticketUrl)
            : null;
        return {
          letter,
          attachments: [
            { filename: `${booking.reference}.png`, content: qr, cid: "qr@holdfast", contentType: "image/png" },
            ...(calendar ? [{ filename: `${booking.reference}.ics`, content: Buffer.from(calendar), contentType: "text/calendar" }] : []),
          ],
        };
      };
      if (event.name === "booking.confirmed" || event.name === "booking.ticket_resent") {
        const opening =
          event.name === "booking.confirmed"
            ? `You have paid ${money(booking.amountCents)} for ${counted(booking.seats.length, noun(1), noun(2))} at ${booking.show.name}.`
            : `As you asked the venue, here is your ${words.ticket.toLowerCase()} for ${booking.show.name} again.`;
        const { letter, attachments } = await ticket([opening]);
        await send(letter, { attachments });
      } else if (event.name === "booking.moved") {
        const { letter, attachments } = await ticket([
          `The venue moved your booking ${booking.reference} for ${booking.show.name}: ${pairs(p.movedFrom ?? [], p.movedTo ?? [])}.`,
          "Your reference is the same; here is the ticket as it is now.",
        ]);
        await send({ ...letter, subject: `New ${noun(2)} for ${booking.show.name}: ${booking.reference}` }, { attachments });
      } else if (event.name === "booking.rescheduled") {
        // The time as it is now (the booking's own: a clinic slot's), and the one it replaces.
        const before = p.from ? formatShowTime(new Date(p.from), booking.show.timeZone) : null;
        const { letter, attachments } = await ticket([
          `The venue moved ${booking.show.name} to ${when} (${booking.show.timeZone})${before ? `, from ${before}` : ""}. Your booking ${booking.reference} stands, for the new time.`,
          "The calendar file attached has the new time; if you cannot come, your bookings page lets you cancel for a refund.",
        ]);
        await send({ ...letter, subject: `New time for ${booking.show.name}: ${when}` }, { attachments });
      } else if (event.name === "booking.seats_cancelled") {
        const { letter, attachments } = await ticket([
          `The venue cancelled ${listLabels(p.seatLabels)} from your booking ${booking.reference} for ${booking.show.name}, and refunded ${money(p.refundCents ?? 0)} to the card you paid with.`,
          `You still have ${counted(booking.seats.length, noun(1), noun(2))}: here is the ticket as it is now.`,
        ]);
        await send(
          { ...letter, subject: `${listLabels(p.seatLabels)} cancelled from ${booking.reference}: ${booking.show.name}` },
          { attachments },
        );
      } else if (event.name === "booking.expired") {
        await send({
          subject: `Your hold for ${booking.show.name} has ended`,
          lines: [
            `Your hold on ${seats} (${booking.reference}) for ${booking.show.name} on ${when} ran out before it was paid for, so the ${noun(booking.seats.length)} went back on sale. Nothing was charged.`,
            plural(booking.seats.length, "If it is still free, you can hold it again.", "If they are still free, you can hold them again."),
          ],
          link: { text: `Back to ${booking.show.name}`, href: `${publicUrl}/shows/${booking.show.id}` },
        });
      } else if (event.name === "booking.cancelled") {
        const refunded = p.refundCents ?? booking.amountCents;
        await send({
          subject: `Booking ${booking.reference} for ${booking.show.name} is cancelled`,
          lines: [
            p.by !== "admin"
              ? `Your booking ${booking.reference} (${seats}) for ${booking.show.name} on ${when} is cancelled.`
              : p.changeId !== undefined
                ? `The venue cancelled your booking ${booking.reference} (${seats}) for ${booking.show.name} on ${when}.`
                : `We are sorry: ${booking.show.name} on ${when} will not go ahead as booked, so your booking ${booking.reference} (${seats}) is cancelled.`,
            `${money(refunded)} is refunded to the card you paid with.`,
          ],
          link: { text: "Your bookings", href: `${publicUrl}/bookings` },
        });
      }
    },
  };
}

/** "A1 → B4, A2 → B5". */
const pairs = (from: string[], to: string[]) => from.map((f, i) => `${f} → ${to[i] ?? "?"}`).join(", ");

/**
 * Sales per show per minute for the admin's dashboard: a payment adds its seats and amount to
 * its minute; a cancellation takes them off (in its own minute) and counts the seats cancelled.
 * Written in handleOnce's transaction, so each event counts exactly once.
 */
export const analyticsConsumer: Consumer = {
  name: "analytics",
  events: ["booking.confirmed", "booking.cancelled", "booking.seats_cancelled"],
  async handle(tx, event: HoldfastEvent) {
    if (!isBookingEvent(event)) return;
    const seats = event.payload.seatIds.length;
    // Some seats cancelled: what they cost comes off (the payload's amount is what the booking is worth now).
    const cents = (event.name === "booking.seats_cancelled" ? event.payload.refundCents : event.payload.amountCents) ?? 0;
    const sign = event.name === "booking.confirmed" ? 1 : -1;
    await tx
      .insert(salesPerMinute)
      .values({
        showId: event.payload.showId,
        minute: sql`date_trunc('minute', ${event.at}::timestamptz)`,
        seatsSold: sign * seats,
        revenueCents: sign * cents,
        seatsCancelled: sign < 0 ? seats : 0,
      })
      .onConflictDoUpdate({
        target: [salesPerMinute.showId, salesPerMinute.minute],
        set: {
          seatsSold: sql`${salesPerMinute.seatsSold} + excluded.seats_sold`,
          revenueCents: sql`${salesPerMinute.revenueCents} + excluded.revenue_cents`,
          seatsCancelled: sql`${salesPerMinute.seatsCancelled} + excluded.seats_cancelled`,
        },
      });
  },
};

/** A show was created, changed, cancelled or deleted: every cached show list is stale (show-cache.server.ts). */
export const cacheConsumer = (cache: ShowCache): Consumer => ({
  name: "cache",
  events: ["show.created", "show.changed", "show.cancelled", "show.deleted"],
  handle: () => cache.invalidate(),
});
