import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { ShowFilters, ShowList } from "~/components/show-list";
import { browseShows } from "~/domain/shows.server";
import { showView } from "~/domain/views.server";
import { pageLoader } from "~/http/page.server";
import type { loader as rootLoader } from "~/root";

export const meta: MetaFunction = () => [{ title: "Holdfast · seats that are never sold twice" }];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, context }) => {
    const params = new URL(request.url).searchParams;
    params.sort();
    const query = Object.fromEntries(params);
    const { shows, cities, filter } = await context.showList(`home?${params}`, (db) => browseShows(db, query, new Date()));
    return json({
      shows: shows.map((show) => ({ ...showView(show), seatsLeft: show.seatsLeft })),
      cities,
      filter,
    });
  });

export default function Home() {
  const { shows, cities, filter } = useLoaderData<typeof loader>();
  const filtered = Boolean(filter.kind || filter.city || filter.from);
  const root = useRouteLoaderData<typeof rootLoader>("root");
  return (
    <div className="space-y-8">
      <section className="space-y-3">
        <h1 className="text-3xl font-bold tracking-tight">Pick your seat. Hold it. It is yours.</h1>
        <p className="max-w-2xl text-slate-700">
          Theatre seats, coach seats and doctor&apos;s appointments, booked from a seat map — and never sold twice.
        </p>
        {root?.user ? null : (
          <p className="text-slate-700">
            <Link to="/signup" className="text-brand-600 underline">
              Create an account
            </Link>{" "}
            or{" "}
            <Link to="/login" className="text-brand-600 underline">
              log in
            </Link>{" "}
            to book.
          </p>
        )}
      </section>
      <section aria-labelledby="upcoming-heading" className="space-y-4">
        <h2 id="upcoming-heading" className="text-xl font-semibold">
          Upcoming
        </h2>
        <ShowFilters cities={cities} filter={filter} />
        {filtered && shows.length === 0 ? (
          <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-slate-600">
            Nothing matches these filters.{" "}
            <Link to="/" className="text-brand-600 underline">
              Show everything
            </Link>
          </p>
        ) : (
          <ShowList shows={shows} />
        )}
      </section>
    </div>
  );
}
