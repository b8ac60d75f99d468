import { Form, Link } from "@remix-run/react";
import { Countdown } from "~/components/countdown";
import { BUTTON_STYLES, FormField, SubmitButton } from "~/components/form-field";
import { useHydrated } from "~/components/use-hydrated";
import { TEST_CARDS } from "~/domain/payments";

export interface BookingDetails {
  id: string;
  reference: string;
  status: "HELD" | "CONFIRMED" | "RELEASED" | "EXPIRED" | "CANCELLED";
  seats: string[];
  total: string;
  expiresAt: string;
  heldUntil: string;
  show: { id: string; name: string; venue: string; city: string; time: string; started: boolean };
}

/** A live hold: when it ends, a pay form and a release form. */
export function HeldBooking(props: {
  booking: BookingDetails;
  serverNow: number;
  idempotencyKey: string;
  cardError?: string;
  /** Changes with each answer from the server: the card field is emptied then. */
  answer?: unknown;
}) {
  const { booking } = props;
  return (
    <section aria-labelledby="hold-heading" className="space-y-5 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
      <div className="space-y-1">
        <h2 id="hold-heading" className="text-lg font-semibold">
          Your seats are held until {booking.heldUntil}
        </h2>
        <p className="text-sm text-slate-700">
          <Countdown expiresAt={booking.expiresAt} serverNow={props.serverNow} /> · pay before then to keep them.
        </p>
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
export function Ticket({ booking }: { booking: BookingDetails }) {
  const hydrated = useHydrated();
  return (
    <div className="space-y-4">
      <article aria-labelledby="ticket-heading" className="ticket rounded-xl border-2 border-slate-800 bg-white p-5 sm:p-8">
        <h2 id="ticket-heading" className="text-sm font-semibold uppercase tracking-widest text-slate-500">
          Ticket
        </h2>
        <dl className="mt-4 space-y-4">
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Reference</dt>
            <dd className="break-all font-mono text-3xl font-bold tracking-widest sm:text-4xl">{booking.reference}</dd>
          </div>
          <BookingFactsRows booking={booking} />
        </dl>
      </article>
      <div className="flex flex-wrap gap-3 print:hidden">
        {hydrated ? (
          <button type="button" onClick={() => window.print()} className={BUTTON_STYLES.primary}>
            Print ticket
          </button>
        ) : null}
        {booking.show.started ? null : (
          <Form method="post">
            <SubmitButton intent="cancel" busyLabel="Cancelling…" variant="secondary">
              Cancel booking
            </SubmitButton>
          </Form>
        )}
      </div>
    </div>
  );
}

const ENDED: Record<"EXPIRED" | "RELEASED" | "CANCELLED", string> = {
  EXPIRED: "This hold has ended. The seats were released.",
  RELEASED: "You released this hold. The seats are free again.",
  CANCELLED: "This booking was cancelled. Your refund is on its way.",
};

/** A booking that is over: say so plainly, and lead back to the seat map. */
export function EndedBooking({ booking }: { booking: BookingDetails & { status: keyof typeof ENDED } }) {
  return (
    <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
      <p className="text-lg font-medium">{ENDED[booking.status]}</p>
      <BookingFacts booking={booking} />
      <Link to={`/shows/${booking.show.id}`} reloadDocument className="inline-block text-brand-600 underline">
        Back to the seat map
      </Link>
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
    ["Show", booking.show.name],
    ["Time", booking.show.time],
    ["Venue", `${booking.show.venue}, ${booking.show.city}`],
    [booking.seats.length === 1 ? "Seat" : "Seats", booking.seats.join(", ")],
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
