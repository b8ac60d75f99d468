import { Form, Link } from "@remix-run/react";
import { useState } from "react";
import { FormError, SubmitButton } from "~/components/form-field";
import { ServerOnlyKey, useServerOnly } from "~/components/server-only";
import { clockIn, formatMoney } from "~/domain/time";
import type { SectionView } from "~/domain/venue.server";
import { counted } from "~/domain/words";
import { VenuePlan } from "~/seat-map/venue-plan";

export interface AuditView {
  id: number;
  at: string;
  action: string;
  actor: string | null;
  seats: string[];
  reference: string | null;
  details: string | null;
}

const ACTIONS: Record<string, string> = {
  hold: "held",
  pay: "paid for",
  payment_declined: "had a card declined for",
  release: "released",
  expire: "hold ended on",
  cancel: "cancelled",
  admin_release: "released (admin)",
  block: "blocked",
  unblock: "unblocked",
  reset: "reset the show",
  cancel_show: "cancelled the show",
  edit: "edited the show",
  create_show: "created the show",
  cancel_seats: "cancelled and refunded",
  move_seats: "moved",
  resend_ticket: "sent the ticket again for",
  check_in: "checked in",
};

/** The map to act on: tick seats, then block, unblock or release their holds. */
/** The admin map's markup for this request's server render (never in the hydration data: the page carries it once). */
export const ADMIN_MAP_HTML = new ServerOnlyKey<string>("admin-map-html");
const ADMIN_MAP_ID = "admin-map-grid";

/**
 * The grid's markup: the loader's when it sent it (a data request), else the server render's, else
 * (hydrating) what the page already holds, so React sees the same string and leaves it be.
 */
function useAdminMapHtml(sent: string | null): string {
  const serverHtml = useServerOnly(ADMIN_MAP_HTML);
  const [first] = useState(() => {
    if (serverHtml !== undefined || typeof document === "undefined") return serverHtml ?? "";
    return document.getElementById(ADMIN_MAP_ID)?.innerHTML ?? "";
  });
  return sent ?? first;
}

/**
 * The map to act on: tick seats, then block, unblock or release their holds. A big venue shows its
 * plan (each section's seats by state) and one section's seats at a time, with actions on the
 * whole section: block its free seats, unblock its blocked ones, release its holds.
 */
export function AdminSeatMap({
  map,
  error,
}: {
  map: {
    plan: Array<SectionView & { label: string }> | null;
    section: string | null;
    sectionMissing: string | null;
    /** The grid's markup; null on a document request, whose render reads it from the server-only values (one copy in the page). */
    html: string | null;
    zones: Array<{ name: string; price: string }>;
  };
  error?: string;
}) {
  const html = useAdminMapHtml(map.html);
  return (
    <div className="space-y-4">
      {map.plan ? <VenuePlan sections={map.plan} current={map.section} zones={map.zones} /> : null}
      {map.sectionMissing ? <FormError message={map.sectionMissing} /> : null}
      {map.plan && !map.section ? (
        <FormError message={error} />
      ) : (
        <Form method="post" className="space-y-3" aria-labelledby="admin-map-heading" id="seats">
          <h2 id="admin-map-heading" className="text-lg font-semibold">
            {map.section ? `Seats of ${map.section}` : "Seats"}
          </h2>
          <p className="text-sm text-slate-600">Tick seats, then choose what to do. A taken seat's name says who has it.</p>
          <FormError message={error} />
          <div className="seat-map-scroll rounded-lg border border-slate-200 bg-white">
            {/* biome-ignore lint/security/noDangerouslySetInnerHtml: built by seat-map-html.ts, which escapes every label and name */}
            <div id={ADMIN_MAP_ID} dangerouslySetInnerHTML={{ __html: html }} suppressHydrationWarning />
          </div>
          <div className="flex flex-wrap gap-2">
            <SubmitButton intent="block" variant="secondary" busyLabel="Blocking…">
              Block (not for sale)
            </SubmitButton>
            <SubmitButton intent="unblock" variant="secondary" busyLabel="Unblocking…">
              Unblock
            </SubmitButton>
            <SubmitButton intent="release" variant="secondary" busyLabel="Releasing…">
              Release holds
            </SubmitButton>
          </div>
          {map.section ? (
            <div className="flex flex-wrap gap-2 border-t border-slate-200 pt-3">
              <input type="hidden" name="section" value={map.section} />
              <SubmitButton intent="block-section" variant="secondary" busyLabel="Blocking…">
                Block every free seat of {map.section}
              </SubmitButton>
              <SubmitButton intent="unblock-section" variant="secondary" busyLabel="Unblocking…">
                Unblock all of {map.section}
              </SubmitButton>
              <SubmitButton intent="release-section" variant="secondary" busyLabel="Releasing…">
                Release every hold in {map.section}
              </SubmitButton>
            </div>
          ) : null}
        </Form>
      )}
    </div>
  );
}

export interface Confirmation {
  intent: "reset" | "cancel" | "delete";
  title: string;
  consequence: string;
  button: string;
}

/** The second step of a destructive action: what it will do, in numbers, and one button to do it. */
export function ConfirmPanel({ confirm, showId }: { confirm: Confirmation; showId: string }) {
  return (
    <section role="alertdialog" aria-labelledby="confirm-heading" className="space-y-3 rounded-lg border-2 border-red-300 bg-red-50 p-4">
      <h2 id="confirm-heading" className="text-lg font-semibold text-red-900">
        {confirm.title}
      </h2>
      <p className="text-red-900">{confirm.consequence}</p>
      <Form method="post" className="flex flex-wrap gap-3">
        <button
          type="submit"
          name="intent"
          value={confirm.intent}
          className="rounded bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800"
        >
          {confirm.button}
        </button>
        <Link to={`/admin/shows/${showId}`} className="rounded border border-slate-300 bg-white px-4 py-2">
          Keep it as it is
        </Link>
      </Form>
    </section>
  );
}

/** Who did what to which seats, newest first; a seat's history with ?seat=F7. */
/** The audit trail; with `seat` (a show's page) it can be narrowed to one seat's history. */
export function AuditList({ entries, seat }: { entries: AuditView[]; seat?: string | null }) {
  return (
    <section aria-labelledby="audit-heading" className="space-y-3">
      <h2 id="audit-heading" className="text-lg font-semibold">
        Audit
      </h2>
      {seat === undefined ? null : (
        <Form method="get" className="flex flex-wrap items-end gap-2">
          <div>
            <label htmlFor="audit-seat" className="block text-sm font-medium">
              Seat
            </label>
            <input
              id="audit-seat"
              name="seat"
              defaultValue={seat ?? ""}
              className="rounded border border-slate-300 px-3 py-2"
              placeholder="F7"
            />
          </div>
          <button type="submit" className="rounded border border-slate-300 bg-white px-3 py-2">
            Show its history
          </button>
        </Form>
      )}
      {entries.length === 0 ? <p className="text-sm text-slate-600">Nothing recorded{seat ? ` for ${seat}` : ""}.</p> : null}
      <ol className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm">
        {entries.map((e) => (
          <li key={e.id} className="flex flex-wrap gap-x-3 gap-y-1 p-3" data-testid="audit-entry">
            <time className="tabular-nums text-slate-500">{e.at}</time>
            <span>
              <strong>{e.actor ?? "The system"}</strong> {ACTIONS[e.action] ?? e.action}
              {e.seats.length ? ` ${e.seats.join(", ")}` : ""}
              {e.reference ? ` · ref ${e.reference}` : ""}
              {e.details ? ` · ${e.details}` : ""}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** An audit entry's numbers in words: "86 seats", "12 seats freed, 3 holds released, 2 bookings refunded (£70.00)". */
export function detailsOf(d: Record<string, unknown> | null, currency: string): string | null {
  if (!d) return null;
  if (typeof d.seatsFreed === "number") {
    return `${counted(d.seatsFreed, "seat", "seats")} freed, ${counted(Number(d.holdsReleased), "hold", "holds")} released, ${counted(Number(d.bookingsCancelled), "booking", "bookings")} refunded (${formatMoney(Number(d.refundedCents), currency)})`;
  }
  if (typeof d.amountCents === "number") return formatMoney(d.amountCents, String(d.currency ?? currency));
  if (typeof d.seats === "number") return counted(d.seats, "seat", "seats");
  if (typeof d.refundCents === "number")
    return `${formatMoney(d.refundCents, String(d.currency ?? currency))} refunded${d.reason ? ` · “${d.reason}”` : ""}`;
  const { from, to } = d;
  if (Array.isArray(from) && Array.isArray(to))
    return `${from.map((f, i) => `${f} → ${to[i]}`).join(", ")}${d.reason ? ` · “${d.reason}”` : ""}`;
  if (typeof d.door === "string") return `at ${d.door}`;
  if (d.because === "cancel_show") return "as the show was cancelled";
  if (d.because === "reset") return "as the show was reset";
  return null;
}

/** What a destructive action will do, in numbers, for its confirmation step. */
export function confirmationOf(
  intent: Confirmation["intent"],
  counts: { held: number; booked: number },
  bookings: number,
  refund: string,
): Confirmation {
  switch (intent) {
    case "reset":
      return {
        intent,
        title: "Reset this show?",
        button: "Yes, reset every seat",
        consequence: `All ${counted(counts.held, "held seat", "held seats")} and ${counted(counts.booked, "sold seat", "sold seats")} go back on sale; sales are refunded (${refund}). Blocked seats stay blocked.`,
      };
    case "cancel":
      return {
        intent,
        title: "Cancel this show?",
        button: "Yes, cancel the show",
        consequence: `It goes off sale for good. ${counted(counts.booked, "sold seat is", "sold seats are")} refunded (${refund}) and ${counted(counts.held, "hold", "holds")} released.`,
      };
    case "delete":
      return {
        intent,
        title: "Delete this show?",
        button: "Yes, delete it",
        consequence: bookings
          ? `It has ${counted(bookings, "booking", "bookings")}, so it cannot be deleted: cancel it instead.`
          : "It has never been booked; it and its seats are removed.",
      };
  }
}

/** The sales table's rows: each minute on the venue's clock, money in the show's currency. */
export const salesRows = (
  rows: Array<{ minute: Date; seatsSold: number; revenueCents: number; seatsCancelled: number }>,
  zone: string,
  currency: string,
) =>
  rows.map((m) => ({
    minute: clockIn(m.minute, zone),
    seatsSold: m.seatsSold,
    revenue: formatMoney(m.revenueCents, currency),
    seatsCancelled: m.seatsCancelled,
  }));

/** Sales per minute, newest first (from the booking events: app/events/consumers.server.ts). */
export function SalesByMinute({ rows }: { rows: Array<{ minute: string; seatsSold: number; revenue: string; seatsCancelled: number }> }) {
  return (
    <section aria-labelledby="sales-heading" className="space-y-3">
      <h2 id="sales-heading" className="text-lg font-semibold">
        Sales by minute
      </h2>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600">Nothing sold yet.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="min-w-full rounded-lg border border-slate-200 bg-white text-sm">
            <caption className="sr-only">Seats sold and takings in each minute that had a sale or a cancellation, newest first</caption>
            <thead className="bg-slate-50 text-left">
              <tr>
                <th scope="col" className="p-2">
                  Minute
                </th>
                <th scope="col" className="p-2 text-right">
                  Seats sold
                </th>
                <th scope="col" className="p-2 text-right">
                  Takings
                </th>
                <th scope="col" className="p-2 text-right">
                  Cancelled
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the rows are a fixed, ordered window (minutes may repeat across days)
                <tr key={i} className="border-t border-slate-200" data-testid="sales-minute">
                  <th scope="row" className="p-2 text-left font-normal tabular-nums">
                    {r.minute}
                  </th>
                  <td className="p-2 text-right tabular-nums">{r.seatsSold}</td>
                  <td className="p-2 text-right tabular-nums">{r.revenue}</td>
                  <td className="p-2 text-right tabular-nums">{r.seatsCancelled}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The show's other pages and its destructive actions (each asks first). */
/** What can be done with the show from here: a cancelled show offers nothing that no longer applies. */
export function ShowLinks({ showId, cancelled, booked }: { showId: string; cancelled: boolean; booked: boolean }) {
  const show = { id: showId };
  return (
    <p className="flex flex-wrap gap-3 text-sm">
      <Link to={`/shows/${show.id}`} reloadDocument className="text-brand-600 underline">
        Public page
      </Link>
      <Link to={`/admin/bookings?showId=${show.id}`} className="text-brand-600 underline">
        Bookings
      </Link>
      <a href={`/admin/shows/${show.id}/attendees.csv`} className="text-brand-600 underline" download>
        Attendees (CSV)
      </a>
      <Link to={`/door/${show.id}/list`} className="text-brand-600 underline">
        Door list
      </Link>
      {cancelled ? null : (
        <Link to={`/admin/shows/${show.id}/edit`} className="text-brand-600 underline">
          Edit
        </Link>
      )}
      <Link to={`/admin/shows/${show.id}/webhooks`} className="text-brand-600 underline">
        Webhooks
      </Link>
      {cancelled ? null : (
        <>
          <Link to="?confirm=reset" className="text-red-700 underline">
            Reset…
          </Link>
          <Link to="?confirm=cancel" className="text-red-700 underline">
            Cancel show…
          </Link>
        </>
      )}
      {booked ? null : (
        <Link to="?confirm=delete" className="text-red-700 underline">
          Delete…
        </Link>
      )}
    </p>
  );
}
