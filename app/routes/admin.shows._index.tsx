import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/auth/guards.server";
import { AdminNav } from "~/components/admin/occupancy";
import { listShowsForAdmin } from "~/domain/dashboard.server";
import { KIND_NAMES } from "~/domain/kind-words";
import { formatShowTime } from "~/domain/time";
import { pageLoader } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "Shows · Admin · Holdfast" }];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, context }) => {
    const admin = await requireAdmin(request, context);
    const shows = await listShowsForAdmin(context.db, admin);
    return json({ shows: shows.map((s) => ({ ...s, time: formatShowTime(s.startsAt, s.timeZone) })) });
  });

export default function AdminShows() {
  const { shows } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-6">
      <div className="space-y-3">
        <h1 className="text-2xl font-bold">Shows</h1>
        <AdminNav />
      </div>
      {shows.length === 0 ? (
        <p className="text-slate-600">
          No shows yet.{" "}
          <Link to="/admin/shows/new" className="text-brand-600 underline">
            Create the first one
          </Link>
          .
        </p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {shows.map((s) => (
            <li key={s.id} className="flex flex-wrap items-baseline justify-between gap-2 p-4">
              <div>
                <Link to={`/admin/shows/${s.id}`} className="font-semibold text-brand-700 underline-offset-2 hover:underline">
                  {s.name}
                </Link>
                <p className="text-sm text-slate-600">
                  {KIND_NAMES[s.kind]} · {s.venue}, {s.city} · {s.time}
                </p>
              </div>
              <span className="text-sm text-slate-600">
                {s.totalSeats.toLocaleString("en")} seats{s.cancelled ? " · cancelled" : s.past ? " · over" : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
