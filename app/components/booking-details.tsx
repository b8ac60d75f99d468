import { Form, Link } from "@remix-run/react";
import { Countdown } from "~/components/countdown";
import { BUTTON_STYLES, FormField, SubmitButton } from "~/components/form-field";
import { useHydrated } from "~/components/use-hydrated";
import { countedNoun, wordsFor } from "~/domain/kind-words";
import type { ShowKind } from "~/domain/layouts";
import { TEST_CARDS } from "~/domain/payments";
import { plural } from "~/domain/words";

export interface BookingDetails {
  id: string;
  reference: string;
  status: "HELD" | "CONFIRMED" | "RELEASED" | "EXPIRED" | "CANCELLED";
  seats: string[];
  total: string;
  expiresAt: string;
  heldUntil: string;
  show: { id: string; name: string; kind: ShowKind; venue: string; city: string; time: string; started: boolean };
}

/** A live hold: when it ends, a pay form and a release form. */
export function HeldBooking(props: {
  booking: BookingDetails;
  serverNow: number;
  idempotencyKey: string;
  cardError?: string;
  /** Changes with each answer from the server: the card field is emptied then. */
  answer?: unknown;
  /** Minutes the hold may still be extended by (once per hold); null when it may not. */
  extensionMinutes: number | null;
}) {
  const { booking } = props;
  return (
    <section aria-labelledby="hold-heading" className="space-y-5 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
      <div className="space-y-1">
        <h2 id="hold-heading" className="text-lg font-semibold">
          Your {plural(booking.seats.length, wordsFor(booking.show.kind).one, wordsFor(booking.show.kind).many)}{" "}
          {plural(booking.seats.length, "is", "are")} held until {booking.heldUntil}
        </h2>
        <p className="text-sm text-slate-700">
          <Countdown expiresAt={booking.expiresAt} serverNow={props.serverNow} warn /> · pay before then to keep them.
        </p>
        {props.extensionMinutes ? (
          <Form method="post" className="flex flex-wrap items-center gap-2 pt-1 text-sm">
            <span className="text-slate-700">Need more time?</span>
            <SubmitButton intent="extend" busyLabel="Extending…" variant="secondary" className="px-3 py-1 text-sm">
              Hold {props.extensionMinutes} more {plural(props.extensionMinutes, "minute", "minutes")}
            </SubmitButton>
            <span className="text-slate-500">(once per hold)</span>
          </Form>
        ) : null}
      </div>
      <BookingFacts booking={booking} />
      <Form method="post" className="max-w-sm space-y-3" noValidate>
        <input type="hidden" name="idempotencyKey" value={props.idempotencyKey} />
        <FormField
          label="Card number"
          name="card"
          autoComplete="cc-number"
          inputMode="numeric"
          error={props.cardError}
          clearOn={props.answer}
          hint={`Test cards: ${TEST_CARDS.approve} is approved; ${TEST_CARDS.decline} is declined. Nothing is really charged.`}
        />
        <SubmitButton intent="pay" busyLabel="Paying…" className="w-full">
          Pay {booking.total}
        </SubmitButton>
      </Form>
      <Form method="post" className="border-t border-slate-200 pt-4">
        <p className="mb-2 text-sm text-slate-600">Changed your mind? Give the seats back to others now.</p>
        <SubmitButton intent="release" busyLabel="Releasing…" variant="secondary">
          Release
        </SubmitButton>
      </Form>
    </section>
  );
}

/** A paid booking: a ticket that prints on its own (header, navigation and buttons are hidden). */
/**
 * A paid booking: the ticket (reference in letters and as a QR code, the holder, what and when),
 * then printing, the calendar entry, and cancelling, which asks first and says what is refunded.
 * All of it works without JavaScript: the print stylesheet shows the ticket alone, and "Cancel
 * booking…" is a link to the same page asking for confirmation (`?cancel`).
 */
export function Ticket({
  booking,
  holder,
  qr,
  confirmCancel,
}: {
  booking: BookingDetails;
  holder: string;
  qr: { size: number; d: string };
  confirmCancel: boolean;
}) {
  const hydrated = useHydrated();
  return (
    <div className="space-y-4">
      <article aria-labelledby="ticket-heading" className="ticket rounded-xl border-2 border-slate-800 bg-white p-5 sm:p-8">
        <h2 id="ticket-heading" className="text-sm font-semibold uppercase tracking-widest text-slate-500">
          {wordsFor(booking.show.kind).ticket}
        </h2>
        <div className="mt-4 flex flex-wrap items-start justify-between gap-4">
          <dl className="min-w-[15rem] flex-1 space-y-4">
            <div>
              <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Reference</dt>
              <dd className="break-all font-mono text-3xl font-bold tracking-widest sm:text-4xl">{booking.reference}</dd>
            </div>
            <div className="grid gap-0.5 sm:grid-cols-[8rem_1fr] sm:gap-4">
              <dt className="text-sm font-medium text-slate-500">Holder</dt>
              <dd className="font-medium">{holder}</dd>
            </div>
            <BookingFactsRows booking={booking} />
          </dl>
          <svg
            role="img"
            aria-label={`QR code of the reference ${booking.reference}`}
            viewBox={`-2 -2 ${qr.size + 4} ${qr.size + 4}`}
            className="h-36 w-36 shrink-0 bg-white"
            shapeRendering="crispEdges"
          >
            <path d={qr.d} fill="#0f172a" />
          </svg>
        </div>
      </article>
      {confirmCancel && !booking.show.started ? (
        <section aria-labelledby="cancel-heading" className="space-y-3 rounded-lg border border-red-300 bg-red-50 p-4 print:hidden">
          <h2 id="cancel-heading" className="font-semibold text-red-900">
            Cancel this booking?
          </h2>
          <p className="text-sm text-red-950">
            {booking.total} will be refunded to your card, and {booking.seats.join(", ")} {plural(booking.seats.length, "goes", "go")} back
            on sale. This cannot be undone.
          </p>
          <div className="flex flex-wrap gap-3">
            <Form method="post" action={`/bookings/${booking.id}`}>
              <SubmitButton intent="cancel" busyLabel="Cancelling…" variant="danger">
                Yes, cancel and refund
              </SubmitButton>
            </Form>
            <Link to={`/bookings/${booking.id}`} replace className={BUTTON_STYLES.secondary}>
              Keep my ticket
            </Link>
          </div>
        </section>
      ) : null}
      <div className="flex flex-wrap items-center gap-3 print:hidden">
        {hydrated ? (
          <button type="button" onClick={() => window.print()} className={BUTTON_STYLES.primary}>
            Print ticket
          </button>
        ) : (
          <p className="text-sm text-slate-600">To print, use your browser's Print: the ticket prints on its own.</p>
        )}
        <a href={`/bookings/${booking.id}/calendar.ics`} download className={BUTTON_STYLES.secondary}>
          Add to calendar
        </a>
        {booking.show.started || confirmCancel ? null : (
          <Link to={`/bookings/${booking.id}?cancel`} className={BUTTON_STYLES.secondary}>
            Cancel booking…
          </Link>
        )}
      </div>
    </div>
  );
}

type Ender = "buyer" | "venue" | "system";
/** Who ended it, named as it was: the buyer ("you"), the venue, or the clock. */
const ENDED: Record<"EXPIRED" | "RELEASED" | "CANCELLED", (by: Ender | null) => string> = {
  EXPIRED: () => "This hold has ended. The seats were released.",
  RELEASED: (by) =>
    by === "venue" ? "The venue released your hold. The seats are free again." : "You released this hold. The seats are free again.",
  CANCELLED: (by) =>
    by === "venue"
      ? "The venue cancelled this booking. Your refund is on its way."
      : by === "buyer"
        ? "You cancelled this booking. Your refund is on its way."
        : "This booking was cancelled. Your refund is on its way.",
};

/** A booking that is over: say so plainly (and who ended it), and lead back to the seat map. */
export function EndedBooking({
  booking,
  seatIds,
  endedBy = null,
}: {
  booking: BookingDetails & { status: keyof typeof ENDED };
  seatIds: string[];
  endedBy?: Ender | null;
}) {
  return (
    <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
      <p className="text-lg font-medium">{ENDED[booking.status](endedBy)}</p>
      <BookingFacts booking={booking} />
      <div className="flex flex-wrap items-center gap-4">
        {booking.status !== "CANCELLED" && !booking.show.started && seatIds.length ? (
          // The ordinary hold, for the same seats: held again if they are still free, named if not.
          <Form method="post" action={`/shows/${booking.show.id}`}>
            {seatIds.map((id) => (
              <input key={id} type="hidden" name="seat" value={id} />
            ))}
            <SubmitButton intent="hold" busyLabel="Holding…">
              Hold {plural(booking.seats.length, "this", "these")} {countedNoun(booking.show.kind, booking.seats.length).toLowerCase()}{" "}
              again
            </SubmitButton>
          </Form>
        ) : null}
        <Link to={`/shows/${booking.show.id}`} reloadDocument className="inline-block text-brand-600 underline">
          Back to the seat map
        </Link>
      </div>
    </section>
  );
}

function BookingFacts({ booking }: { booking: BookingDetails }) {
  return (
    <dl className="space-y-3">
      <BookingFactsRows booking={booking} />
    </dl>
  );
}

function BookingFactsRows({ booking }: { booking: BookingDetails }) {
  const rows: Array<[string, string]> = [
    [wordsFor(booking.show.kind).event, booking.show.name],
    ["Time", booking.show.time],
    ["Venue", `${booking.show.venue}, ${booking.show.city}`],
    [countedNoun(booking.show.kind, booking.seats.length), booking.seats.join(", ")],
    ["Total", booking.total],
  ];
  return (
    <>
      {rows.map(([term, value]) => (
        <div key={term} className="grid gap-0.5 sm:grid-cols-[8rem_1fr] sm:gap-4">
          <dt className="text-sm font-medium text-slate-500">{term}</dt>
          <dd className="font-medium">{value}</dd>
        </div>
      ))}
    </>
  );
}
