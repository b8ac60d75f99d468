import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUserId } from "~/auth/guards.server";
import { BookingList } from "~/components/booking-list";
import { listBookingsForUser } from "~/domain/bookings.server";
import { hasStarted } from "~/domain/seat-state";
import { formatShowTime } from "~/domain/time";
import { pageLoader } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "My bookings · Holdfast" }];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, context }) => {
    const user = await requireUserId(request, context);
    const now = new Date();
    const bookings = (await listBookingsForUser(context.db, user.id, now)).map((b) => ({
      id: b.id,
      reference: b.reference,
      status: b.effectiveStatus,
      seats: b.seats.map((s) => s.label),
      show: { name: b.show.name, time: formatShowTime(b.show.startsAt, b.show.timeZone), started: hasStarted(b, now) },
    }));
    return json({
      upcoming: bookings.filter((b) => !b.show.started),
      past: bookings.filter((b) => b.show.started),
    });
  });

export default function MyBookings() {
  const { upcoming, past } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">My bookings</h1>
      {upcoming.length === 0 && past.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-slate-600">
          You have no bookings yet.{" "}
          <Link to="/" className="text-brand-600 underline">
            Pick a show
          </Link>{" "}
          to get started.
        </p>
      ) : (
        <>
          <BookingList title="Upcoming" bookings={upcoming} empty="Nothing coming up." />
          <BookingList title="Past" bookings={past} empty="No past bookings." />
        </>
      )}
    </div>
  );
}
