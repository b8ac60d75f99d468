import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction, TypedResponse } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireUser, requireUserId } from "~/auth/guards.server";
import { EndedBooking, HeldBooking, Ticket } from "~/components/booking-details";
import { FormError } from "~/components/form-field";
import { cancelBooking, confirmBooking, extendHold, getBookingForUser, releaseHold, whoEnded } from "~/domain/bookings.server";
import { ValidationFailed } from "~/domain/errors";
import { hasStarted } from "~/domain/seat-state";
import { clockIn, formatMoney, formatShowTime } from "~/domain/time";
import { showView } from "~/domain/views.server";
import { type PageActionArgs, pageAction, pageLoader, redirectWithFlash } from "~/http/page.server";
import { qrPath } from "~/http/qr.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.booking.status === "CONFIRMED" ? "Ticket" : "Booking"} · ${data.booking.show.name} · Holdfast` : "Holdfast" },
];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, params, context }) => {
    const user = await requireUser(request, context);
    const now = new Date();
    const booking = await getBookingForUser(context.db, user.id, params.bookingId ?? "", now);
    const { show } = booking;
    const paid = booking.effectiveStatus === "CONFIRMED";
    return json({
      // A ticket's extras: who holds it, its reference as a QR code, and "Cancel" asked twice (`?cancel`).
      ticket: paid
        ? { holder: user.name, qr: qrPath(booking.reference), confirmCancel: new URL(request.url).searchParams.has("cancel") }
        : null,
      booking: {
        id: booking.id,
        reference: booking.reference,
        status: booking.effectiveStatus,
        seats: booking.seats.map((s) => s.label),
        seatIds: booking.seats.map((s) => String(s.id)),
        total: formatMoney(booking.amountCents, booking.currency),
        expiresAt: booking.expiresAt.toISOString(),
        heldUntil: clockIn(booking.expiresAt, show.timeZone),
        // The booking's own time: a clinic booking's is its slot's, not the day's first.
        show: { ...showView(show), time: formatShowTime(booking.startsAt, show.timeZone), started: hasStarted(booking, now) },
      },
      // Who ended a booking that is over, for its words ("The venue released your hold").
      endedBy: ["RELEASED", "CANCELLED"].includes(booking.effectiveStatus) ? await whoEnded(context.db, booking) : null,
      serverNow: now.getTime(),
      // Once per hold, if HOLD_EXTENSION_SECONDS allows it.
      extensionMinutes:
        booking.effectiveStatus === "HELD" && !booking.extendedAt && context.booking.holdExtensionSeconds > 0
          ? Math.max(1, Math.round(context.booking.holdExtensionSeconds / 60))
          : null,
      // A fresh key per render: a double click pays once, a new attempt after a decline is new.
      idempotencyKey: crypto.randomUUID(),
    });
  });

type Args = PageActionArgs<Awaited<ReturnType<typeof requireUserId>>>;
type Intent = (args: Args, input: { userId: string; bookingId: string }) => Promise<TypedResponse<never>>;
const INTENTS: Record<string, Intent> = {
  pay: async (args, input) => {
    const { form, context } = args;
    await confirmBooking(context.db, { ...input, idempotencyKey: form.get("idempotencyKey"), card: form.get("card") }, new Date());
    return redirectWithFlash(args, `/bookings/${input.bookingId}`, "Paid — enjoy the show");
  },
  release: async (args, input) => {
    const released = await releaseHold(args.context.db, input, new Date());
    const message =
      released.status === "EXPIRED" ? "Your hold had already ended; the seats are free again" : "Released — the seats are free again";
    // The seat map is always a full page load (its grid is rendered on the server).
    return redirectWithFlash(args, `/shows/${released.showId}`, message, { document: true });
  },
  extend: async (args, input) => {
    const seconds = args.context.booking.holdExtensionSeconds;
    await extendHold(args.context.db, input, seconds, new Date());
    return redirectWithFlash(args, `/bookings/${input.bookingId}`, `More time: ${Math.round(seconds / 60)} more minutes to pay`);
  },
  cancel: async (args, input) => {
    await cancelBooking(args.context.db, input, new Date());
    return redirectWithFlash(args, `/bookings/${input.bookingId}`, "Cancelled — your refund is on its way");
  },
};

// Nothing of the card number is ever sent back: the form keeps no values.
export const action = (args: ActionFunctionArgs) =>
  pageAction(args, { guard: requireUserId, fields: ["card"] }, async (post) => {
    const intent = String(post.form.get("intent"));
    if (!Object.hasOwn(INTENTS, intent)) throw new ValidationFailed({ intent: "Unknown action" });
    return INTENTS[intent](post, { userId: post.user.id, bookingId: post.params.bookingId ?? "" });
  });

export default function BookingPage() {
  const { booking, serverNow, endedBy, idempotencyKey, ticket, extensionMinutes } = useLoaderData<typeof loader>();
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
      <FormError message={result?.formError} />
      {status === "HELD" ? (
        <HeldBooking
          booking={booking}
          serverNow={serverNow}
          idempotencyKey={idempotencyKey}
          extensionMinutes={extensionMinutes}
          cardError={result?.fieldErrors.card}
          answer={result}
        />
      ) : status === "CONFIRMED" ? (
        ticket && <Ticket booking={booking} {...ticket} />
      ) : (
        <EndedBooking booking={{ ...booking, status }} seatIds={booking.seatIds} endedBy={endedBy} />
      )}
    </div>
  );
}
