import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect, redirectDocument } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { getSession, requireUser } from "~/auth/guards.server";
import { EndedBooking, HeldBooking, Ticket } from "~/components/booking-details";
import { FormError } from "~/components/form-field";
import { cancelBooking, confirmBooking, getBookingForUser, releaseHold } from "~/domain/bookings.server";
import { DomainError, HoldExpired, NotFound, ValidationFailed } from "~/domain/errors";
import { clockIn, formatMoney, formatShowTime } from "~/domain/time";
import { statusOf } from "~/http/errors.server";
import { readForm } from "~/http/form.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.booking.status === "CONFIRMED" ? "Ticket" : "Booking"} · ${data.booking.show.name} · Holdfast` : "Holdfast" },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const now = new Date();
  let booking;
  try {
    booking = await getBookingForUser(context.db, user.id, params.bookingId ?? "", now);
  } catch (error) {
    if (error instanceof NotFound) throw new Response("Not found", { status: 404, statusText: "Not Found" });
    throw error;
  }
  const { show } = booking;
  return json({
    booking: {
      id: booking.id,
      reference: booking.reference,
      status: booking.effectiveStatus,
      seats: booking.seats.map((s) => s.label),
      total: formatMoney(booking.amountCents, booking.currency),
      expiresAt: booking.expiresAt.toISOString(),
      heldUntil: clockIn(booking.expiresAt, show.timeZone),
      show: {
        id: show.id,
        name: show.name,
        venue: show.venue,
        city: show.city,
        time: formatShowTime(show.startsAt, show.timeZone),
        started: show.startsAt <= now,
      },
    },
    serverNow: now.getTime(),
    // A fresh key per render: a double click pays once, a new attempt after a decline is new.
    idempotencyKey: crypto.randomUUID(),
  });
}

async function redirectWithFlash(request: Request, context: ActionFunctionArgs["context"], to: string, message: string, reloadDocument = false) {
  const session = await getSession(request, context);
  session.flash("flash", { kind: "success", message });
  const headers = { "Set-Cookie": await context.sessions.commitSession(session) };
  return reloadDocument ? redirectDocument(to, { headers }) : redirect(to, { headers });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const bookingId = params.bookingId ?? "";
  const form = await readForm(request);
  const intent = form.get("intent");
  const input = { userId: user.id, bookingId };
  try {
    if (intent === "pay") {
      await confirmBooking(context.db, { ...input, idempotencyKey: form.get("idempotencyKey"), card: form.get("card") }, new Date());
      return redirectWithFlash(request, context, `/bookings/${bookingId}`, "Paid — enjoy the show");
    }
    if (intent === "release") {
      const released = await releaseHold(context.db, input, new Date());
      // The seat map is always a full page load (its grid is rendered on the server).
      const message =
        released.status === "EXPIRED" ? "Your hold had already ended; the seats are free again" : "Released — the seats are free again";
      return redirectWithFlash(request, context, `/shows/${released.showId}`, message, true);
    }
    if (intent === "cancel") {
      await cancelBooking(context.db, input, new Date());
      return redirectWithFlash(request, context, `/bookings/${bookingId}`, "Cancelled — your refund is on its way");
    }
    throw new ValidationFailed({ intent: "Unknown action" });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const fieldErrors = error instanceof ValidationFailed ? error.fieldErrors : {};
    const { card, ...otherFields } = fieldErrors;
    let message = error instanceof ValidationFailed ? Object.values(otherFields).join(" ") || undefined : error.message;
    if (error instanceof HoldExpired) {
      const booking = await getBookingForUser(context.db, user.id, bookingId).catch(() => null);
      message = `Your hold ended at ${clockIn(error.expiredAt, booking?.show.timeZone ?? "UTC")} and the seats were released`;
    }
    // Nothing of the card number is sent back.
    return json({ error: message, cardError: card }, { status: statusOf(error) });
  }
}

export default function BookingPage() {
  const { booking, serverNow, idempotencyKey } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { status } = booking;
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <div className="space-y-1 print:hidden">
        <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">{booking.show.name}</h1>
        <p className="text-slate-700">
          {booking.show.time} · {booking.show.venue}, {booking.show.city}
        </p>
      </div>
      <FormError message={result?.error} />
      {status === "HELD" ? (
        <HeldBooking booking={booking} serverNow={serverNow} idempotencyKey={idempotencyKey} cardError={result?.cardError} answer={result} />
      ) : status === "CONFIRMED" ? (
        <Ticket booking={booking} />
      ) : (
        <EndedBooking booking={{ ...booking, status }} />
      )}
    </div>
  );
}
