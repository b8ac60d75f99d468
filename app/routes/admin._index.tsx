import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/auth/guards.server";
import { AdminNav, OccupancyBar } from "~/components/admin/occupancy";
import { getDashboard } from "~/domain/dashboard.server";
import { formatMoney, formatShowTime } from "~/domain/time";
import { counted } from "~/domain/words";
import { pageLoader } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "Admin · Holdfast" }];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, context }) => {
    const admin = await requireAdmin(request, context);
    const now = new Date();
    const d = await getDashboard(context.db, admin, now);
    return json({
      adminName: admin.name,
      totals: {
        ...d.totals,
        revenue:
          Object.entries(d.totals.revenueCents)
            .map(([currency, cents]) => formatMoney(cents, currency))
            .join(" + ") || formatMoney(0, "GBP"),
      },
      shows: d.shows.map((s) => ({ ...s, time: formatShowTime(s.startsAt, s.timeZone), takings: formatMoney(s.takingsCents, s.currency) })),
      endingSoon: d.endingSoon.map((h) => ({ ...h, secondsLeft: Math.round((h.expiresAt.getTime() - now.getTime()) / 1000) })),
      latest: d.latest.map((b) => ({ ...b, amount: formatMoney(b.amountCents, b.currency) })),
    });
  });

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-1 text-2xl font-bold tabular-nums">{value}</dd>
    </div>
  );
}

export default function AdminHome() {
  const { adminName, totals, shows, endingSoon, latest } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <div className="space-y-3">
        <h1 className="text-2xl font-bold">Admin</h1>
        <p className="text-sm text-slate-600">Signed in as {adminName}.</p>
        <AdminNav />
      </div>
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Stat label="Upcoming shows" value={totals.upcomingShows.toLocaleString("en")} />
        <Stat label="Seats sold" value={totals.seatsSold.toLocaleString("en")} />
        <Stat label="Revenue" value={totals.revenue} />
        <Stat label="Live holds" value={totals.liveHolds.toLocaleString("en")} />
      </dl>
      <section aria-labelledby="shows-heading" className="space-y-3">
        <h2 id="shows-heading" className="text-lg font-semibold">
          Upcoming shows
        </h2>
        {shows.length === 0 ? (
          <p className="text-slate-600">
            No upcoming shows.{" "}
            <Link to="/admin/shows/new" className="text-brand-600 underline">
              Create one
            </Link>
            .
          </p>
        ) : null}
        <ul className="grid gap-3 md:grid-cols-2">
          {shows.map((s) => (
            <li key={s.id} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <Link to={`/admin/shows/${s.id}`} className="font-semibold text-brand-700 underline-offset-2 hover:underline">
                  {s.name}
                </Link>
                <span className="text-sm font-semibold tabular-nums">{s.takings}</span>
              </div>
              <p className="text-sm text-slate-600">
                {s.booked > 0 ? (
                  <span data-testid="door-count">{`${s.checkedIn.toLocaleString("en-GB")} of ${s.booked.toLocaleString("en-GB")} in · `}</span>
                ) : null}
                {s.time} · {s.venue}
                {s.cancelled ? " · cancelled" : ""}
              </p>
              <OccupancyBar counts={s} total={s.totalSeats} />
            </li>
          ))}
        </ul>
      </section>
      <div className="grid gap-6 md:grid-cols-2">
        <section aria-labelledby="soon-heading" className="space-y-2">
          <h2 id="soon-heading" className="text-lg font-semibold">
            Holds ending in the next minutes
          </h2>
          {endingSoon.length === 0 ? <p className="text-sm text-slate-600">None.</p> : null}
          <ul hidden={endingSoon.length === 0} className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm">
            {endingSoon.map((h) => (
              <li key={h.bookingId} className="flex flex-wrap justify-between gap-2 p-3">
                <span>
                  <span className="font-mono">{h.reference}</span> · {h.showName} · {counted(h.seats, "seat", "seats")} · {h.holder}
                </span>
                <span className="tabular-nums text-amber-800">
                  {Math.max(0, Math.floor(h.secondsLeft / 60))}:{String(Math.max(0, h.secondsLeft % 60)).padStart(2, "0")} left
                </span>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="latest-heading" className="space-y-2">
          <h2 id="latest-heading" className="text-lg font-semibold">
            Latest bookings
          </h2>
          {latest.length === 0 ? <p className="text-sm text-slate-600">None yet.</p> : null}
          <ul hidden={latest.length === 0} className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm">
            {latest.map((b) => (
              <li key={b.reference} className="flex flex-wrap justify-between gap-2 p-3">
                <span>
                  <span className="font-mono">{b.reference}</span> ·{" "}
                  <Link to={`/admin/shows/${b.showId}`} className="underline">
                    {b.showName}
                  </Link>{" "}
                  · {b.holder}
                </span>
                <span>
                  {b.status.toLowerCase()} · {b.amount}
                </span>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}
