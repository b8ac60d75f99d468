import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction, TypedResponse } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/auth/guards.server";
import { BookingAdminPage } from "~/components/admin/orders";
import { detailsOf } from "~/components/admin/show-manage";
import { cancelBookingSeats, describeChange, moveBookingSeats, resendTicket } from "~/domain/booking-changes.server";
import { ValidationFailed } from "~/domain/errors";
import { getOrder } from "~/domain/orders.server";
import { formatMoney, formatShowTime } from "~/domain/time";
import { type PageActionArgs, pageAction, pageLoader, redirectWithFlash, textField } from "~/http/page.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.booking.reference} · Bookings · Admin · Holdfast` : "Booking · Admin · Holdfast" },
];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, params, context }) => {
    const admin = await requireAdmin(request, context);
    const now = new Date();
    const order = await getOrder(context.db, admin, params.bookingId ?? "", now);
    const zone = order.show.timeZone;
    const money = (cents: number) => formatMoney(cents, order.booking.currency);
    const when = (at: Date) => formatShowTime(at, zone);
    const changeable = order.status === "CONFIRMED";
    return json({
      booking: {
        id: order.booking.id,
        reference: order.booking.reference,
        status: order.status,
        amount: money(order.booking.amountCents),
        created: when(order.booking.createdAt),
      },
      show: { id: order.show.id, name: order.show.name, time: when(order.show.startsAt), venue: `${order.show.venue}, ${order.show.city}` },
      buyer: order.buyer,
      seats: order.seats.map((s) => ({
        id: s.id,
        label: s.label,
        price: money(s.priceCents),
        started: s.startsAt <= now,
        checkIn: s.checkIn && `in at ${when(s.checkIn.at)}, ${s.checkIn.door}, by ${s.checkIn.by}`,
      })),
      payments: order.payments.map((p) => ({
        id: p.id,
        line: `${p.status === "DECLINED" ? "Declined" : p.status === "REFUNDED" ? "Paid, then refunded" : "Paid"} ${money(p.amountCents)} · card ending ${p.cardLast4} · ${when(p.createdAt)}${p.refundedAt ? ` · refunded ${when(p.refundedAt)}` : ""}`,
      })),
      changes: order.changes.map((c) => ({
        id: c.id,
        line: `${when(c.at)} · ${c.actorName ?? "The venue"} ${
          c.kind === "CANCEL_SEATS"
            ? `cancelled ${c.seatLabels.join(", ")} and refunded ${money(c.refundCents)}`
            : c.kind === "MOVE"
              ? `moved ${c.seatLabels.map((l, i) => `${l} → ${c.toSeatLabels[i]}`).join(", ")}`
              : "sent the ticket again"
        }${c.reason ? ` · “${c.reason}”` : ""}`,
      })),
      emails: order.emails.map((e) => ({ id: e.id, line: `${when(e.at)} · to ${e.to} · “${e.subject}”` })),
      audit: order.audit.map((a) => ({
        id: a.id,
        at: `${when(a.at)}:${String(a.at.getUTCSeconds()).padStart(2, "0")}`,
        action: a.action,
        actor: a.actorName,
        seats: a.seatLabels ?? [],
        reference: null,
        details: detailsOf(a.details, order.booking.currency),
      })),
      // Each form's own key: a second press of the same form answers the first's result.
      keys: changeable ? { cancel: crypto.randomUUID(), move: crypto.randomUUID(), resend: crypto.randomUUID() } : null,
    });
  });

type Args = PageActionArgs<Awaited<ReturnType<typeof requireAdmin>>>;
const INTENTS: Record<string, (a: Args, bookingId: string) => ReturnType<typeof cancelBookingSeats>> = {
  cancel: (a, bookingId) =>
    cancelBookingSeats(a.context.db, a.user, {
      bookingId,
      seatIds: a.form.getAll("seat"),
      requestKey: textField(a.form, "requestKey"),
      reason: textField(a.form, "reason") || undefined,
    }),
  move: (a, bookingId) =>
    moveBookingSeats(a.context.db, a.user, {
      bookingId,
      seatIds: a.form.getAll("seat"),
      toSeatLabels: textField(a.form, "to")
        .split(/[\s,]+/)
        .filter(Boolean),
      requestKey: textField(a.form, "requestKey"),
      reason: textField(a.form, "reason") || undefined,
    }),
  resend: (a, bookingId) => resendTicket(a.context.db, a.user, { bookingId, requestKey: textField(a.form, "requestKey") }),
};

export const action = (args: ActionFunctionArgs) =>
  pageAction(args, { guard: requireAdmin }, async (post): Promise<TypedResponse<never>> => {
    const intent = String(post.form.get("intent"));
    if (!Object.hasOwn(INTENTS, intent)) throw new ValidationFailed({ intent: "Unknown action" });
    const bookingId = post.params.bookingId ?? "";
    const outcome = await INTENTS[intent](post, bookingId);
    const message = describeChange(outcome, (cents) => formatMoney(cents, outcome.booking.currency));
    return redirectWithFlash(post, `/admin/bookings/${bookingId}`, message);
  });

export default function AdminBooking() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return <BookingAdminPage {...data} error={result?.formError} />;
}
