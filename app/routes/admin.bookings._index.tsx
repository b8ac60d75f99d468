import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/auth/guards.server";
import { AdminNav } from "~/components/admin/occupancy";
import { STATUS_WORDS } from "~/components/admin/orders";
import { listBookings } from "~/domain/orders.server";
import { BOOKING_STATUSES } from "~/domain/seat-state";
import { getShow } from "~/domain/shows.server";
import { formatMoney, formatShowTime } from "~/domain/time";
import { pageLoader } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "Bookings · Admin · Holdfast" }];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, context }) => {
    const admin = await requireAdmin(request, context);
    const url = new URL(request.url);
    const query = Object.fromEntries([...url.searchParams].filter(([, v]) => v !== ""));
    const page = await listBookings(context.db, admin, query);
    const show = query.showId ? await getShow(context.db, query.showId) : null;
    const next = page.nextCursor ? new URLSearchParams({ ...query, cursor: page.nextCursor }).toString() : null;
    return json({
      q: query.q ?? "",
      status: query.status ?? "",
      show: show && { id: show.id, name: show.name },
      next,
      first: query.cursor ? new URLSearchParams(Object.entries(query).filter(([k]) => k !== "cursor")).toString() : null,
      rows: page.bookings.map((b) => ({
        id: b.id,
        reference: b.reference,
        status: b.status,
        show: b.show.name,
        when: formatShowTime(b.show.startsAt, b.show.timeZone),
        buyer: b.buyer,
        seats: b.seats,
        amount: formatMoney(b.amountCents, b.currency),
        checkedIn: b.checkedIn,
      })),
    });
  });

export default function AdminBookings() {
  const { q, status, show, rows, next, first } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-6">
      <div className="space-y-3">
        <h1 className="text-2xl font-bold">Bookings{show ? ` · ${show.name}` : ""}</h1>
        <AdminNav />
        {show ? (
          <p className="flex flex-wrap gap-3 text-sm">
            <Link to={`/admin/shows/${show.id}`} className="text-brand-700 underline">
              Back to the show
            </Link>
            <a href={`/admin/shows/${show.id}/attendees.csv`} className="text-brand-700 underline" download>
              Attendees (CSV)
            </a>
            <Link to={`/door/${show.id}/list`} className="text-brand-700 underline">
              Door list
            </Link>
            <Link to="/admin/bookings" className="text-brand-700 underline">
              Every show's bookings
            </Link>
          </p>
        ) : null}
      </div>
      <Form method="get" className="flex flex-wrap items-end gap-3" role="search">
        {show ? <input type="hidden" name="showId" value={show.id} /> : null}
        <div className="min-w-0 flex-1">
          <label htmlFor="q" className="block text-sm font-medium">
            Reference, name, e-mail or seat
          </label>
          <input id="q" name="q" type="search" defaultValue={q} className="w-full rounded border border-slate-300 px-3 py-2" />
        </div>
        <div>
          <label htmlFor="status" className="block text-sm font-medium">
            State
          </label>
          <select id="status" name="status" defaultValue={status} className="rounded border border-slate-300 px-3 py-2">
            <option value="">Any</option>
            {BOOKING_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_WORDS[s]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="rounded border border-slate-300 bg-white px-3 py-2">
          Search
        </button>
      </Form>
      {rows.length === 0 ? (
        <p className="text-slate-600">No bookings{q ? ` match “${q}”` : ""}.</p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white" aria-label="Bookings">
          {rows.map((b) => (
            <li key={b.id} className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 p-3" data-testid="booking-row">
              <div className="min-w-0">
                <Link to={`/admin/bookings/${b.id}`} className="font-mono font-semibold text-brand-700 underline-offset-2 hover:underline">
                  {b.reference}
                </Link>{" "}
                <span className="text-sm text-slate-700">
                  {b.buyer.name} · <span className="break-all">{b.buyer.email}</span>
                </span>
                <p className="text-sm text-slate-600">
                  {show ? "" : `${b.show} · ${b.when} · `}
                  {b.seats.join(", ") || "no seats"}
                  {b.checkedIn ? ` · ${b.checkedIn} of ${b.seats.length} in` : ""}
                </p>
              </div>
              <span className="text-sm tabular-nums text-slate-700">
                {STATUS_WORDS[b.status]} · {b.amount}
              </span>
            </li>
          ))}
        </ul>
      )}
      <nav aria-label="Pages" className="flex gap-3 text-sm">
        {first ? (
          <Link to={`?${first}`} className="text-brand-700 underline">
            First page
          </Link>
        ) : null}
        {next ? (
          <Link to={`?${next}`} className="text-brand-700 underline">
            Next page
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
