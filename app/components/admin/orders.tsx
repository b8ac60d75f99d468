import { Form, Link } from "@remix-run/react";
import { AdminNav } from "~/components/admin/occupancy";
import { AuditList, type AuditView } from "~/components/admin/show-manage";
import { FormError, SubmitButton } from "~/components/form-field";
import type { BOOKING_STATUSES } from "~/domain/seat-state";

/** A booking's state in an operator's words. */
export const STATUS_WORDS: Record<(typeof BOOKING_STATUSES)[number], string> = {
  HELD: "Held",
  CONFIRMED: "Paid",
  RELEASED: "Released",
  EXPIRED: "Expired",
  CANCELLED: "Cancelled",
};

const BOX = "space-y-3 rounded-lg border border-slate-200 bg-white p-4";

interface Line {
  id: number | string;
  line: string;
}
interface SeatLine {
  id: number;
  label: string;
  price: string;
  started: boolean;
  checkIn: string | null;
}

/** One booking as an operator sees it (routes/admin.bookings.$bookingId.tsx): its seats and what can be done to them, its payments, changes, e-mails and trail. */
export function BookingAdminPage({
  booking,
  show,
  buyer,
  seats,
  payments,
  changes,
  emails,
  audit,
  keys,
  error,
}: {
  booking: { id: string; reference: string; status: keyof typeof STATUS_WORDS; amount: string; created: string };
  show: { id: string; name: string; time: string; venue: string };
  buyer: { name: string; email: string };
  seats: SeatLine[];
  payments: Line[];
  changes: Line[];
  emails: Line[];
  audit: AuditView[];
  keys: { cancel: string; move: string; resend: string } | null;
  error?: string;
}) {
  const open = seats.filter((s) => !s.started && !s.checkIn);
  return (
    <div className="space-y-6">
      <div className="space-y-3">
        <AdminNav />
        <h1 className="text-2xl font-bold">
          Booking <span className="font-mono">{booking.reference}</span>
        </h1>
        <p className="text-slate-700">
          <strong>{STATUS_WORDS[booking.status]}</strong> · {booking.amount} ·{" "}
          <Link to={`/admin/shows/${show.id}`} className="text-brand-700 underline">
            {show.name}
          </Link>{" "}
          · {show.time} · {show.venue}
        </p>
        <p className="text-slate-700">
          {buyer.name} ·{" "}
          <a href={`mailto:${buyer.email}`} className="break-all text-brand-700 underline">
            {buyer.email}
          </a>{" "}
          · booked {booking.created}
        </p>
        <p className="text-sm">
          <Link to={`/admin/bookings?showId=${show.id}`} className="text-brand-700 underline">
            The show's other bookings
          </Link>
        </p>
      </div>
      <FormError message={error} />
      <section aria-labelledby="seats-heading" className={BOX}>
        <h2 id="seats-heading" className="text-lg font-semibold">
          Seats
        </h2>
        {seats.length === 0 ? <p className="text-sm text-slate-600">No seats.</p> : null}
        {keys && open.length ? (
          <Form method="post" className="space-y-4">
            <fieldset className="space-y-2">
              <legend className="text-sm text-slate-600">Tick the seats to cancel or move.</legend>
              <SeatLines seats={seats} pickable />
            </fieldset>
            <div>
              <label htmlFor="reason" className="block text-sm font-medium">
                Reason (for the record, optional)
              </label>
              <input id="reason" name="reason" maxLength={500} className="w-full rounded border border-slate-300 px-3 py-2" />
            </div>
            <div className="flex flex-wrap items-end gap-3">
              <input type="hidden" name="requestKey" value={keys.cancel} />
              <SubmitButton intent="cancel" variant="danger" busyLabel="Cancelling…">
                Cancel and refund the ticked seats
              </SubmitButton>
            </div>
          </Form>
        ) : (
          <SeatLines seats={seats} />
        )}
      </section>
      {keys && open.length ? (
        <section aria-labelledby="move-heading" className={BOX}>
          <h2 id="move-heading" className="text-lg font-semibold">
            Move to other seats
          </h2>
          <Form method="post" className="space-y-3">
            <fieldset className="space-y-2">
              <legend className="text-sm text-slate-600">
                Tick the seats to move, then name the free seats they go to, in the same order. The price paid stays.
              </legend>
              <SeatLines seats={seats} pickable idPrefix="move-" />
            </fieldset>
            <div>
              <label htmlFor="to" className="block text-sm font-medium">
                New seats (e.g. D5, D6)
              </label>
              <input id="to" name="to" required className="rounded border border-slate-300 px-3 py-2" autoComplete="off" />
            </div>
            <div>
              <label htmlFor="move-reason" className="block text-sm font-medium">
                Reason (optional)
              </label>
              <input id="move-reason" name="reason" maxLength={500} className="w-full rounded border border-slate-300 px-3 py-2" />
            </div>
            <input type="hidden" name="requestKey" value={keys.move} />
            <SubmitButton intent="move" busyLabel="Moving…">
              Move
            </SubmitButton>
          </Form>
        </section>
      ) : null}
      {keys ? (
        <Form method="post">
          <input type="hidden" name="requestKey" value={keys.resend} />
          <SubmitButton intent="resend" variant="secondary" busyLabel="Sending…">
            Send the ticket again
          </SubmitButton>
        </Form>
      ) : null}
      <Lines title="Payments" id="payments" lines={payments} empty="Not paid for." />
      <Lines title="Refunds and moves" id="changes" lines={changes} />
      <Lines title="E-mails" id="emails" lines={emails} empty="No e-mail sent yet." />
      <AuditList entries={audit} />
    </div>
  );
}

function SeatLines({ seats, pickable = false, idPrefix = "" }: { seats: SeatLine[]; pickable?: boolean; idPrefix?: string }) {
  return (
    <ul className="divide-y divide-slate-100">
      {seats.map((s) => (
        <li key={s.id} className="flex flex-wrap items-center gap-3 py-2">
          {pickable ? (
            <input
              type="checkbox"
              name="seat"
              value={s.id}
              id={`${idPrefix}seat-${s.id}`}
              disabled={s.started || Boolean(s.checkIn)}
              className="h-5 w-5"
            />
          ) : null}
          <label htmlFor={pickable ? `${idPrefix}seat-${s.id}` : undefined} className="font-semibold">
            {s.label}
          </label>
          <span className="text-sm text-slate-600">
            {s.price}
            {s.checkIn ? ` · ${s.checkIn}` : ""}
            {s.started ? " · its time has come" : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}

function Lines({
  title,
  id,
  lines,
  empty,
}: {
  title: string;
  id: string;
  lines: Array<{ id: number | string; line: string }>;
  empty?: string;
}) {
  if (lines.length === 0 && !empty) return null;
  return (
    <section aria-labelledby={`${id}-heading`} className="space-y-2">
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        {title}
      </h2>
      {lines.length === 0 ? <p className="text-sm text-slate-600">{empty}</p> : null}
      <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm">
        {lines.map((l) => (
          <li key={`${id}-${l.id}`} className="p-3">
            {l.line}
          </li>
        ))}
      </ul>
    </section>
  );
}
