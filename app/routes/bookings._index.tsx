import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUserId } from "~/auth/guards.server";
import { BookingList, type BookingListItem } from "~/components/booking-list";
import { type BookingView, groupBookings, listBookingsForUser } from "~/domain/bookings.server";
import { clockIn, formatShowTime } from "~/domain/time";
import { pageLoader } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "My bookings · Holdfast" }];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, context }) => {
    const user = await requireUserId(request, context);
    const now = new Date();
    const { live, upcoming, done } = groupBookings(await listBookingsForUser(context.db, user.id, now), now);
    const item = (b: BookingView): BookingListItem => ({
      id: b.id,
      reference: b.reference,
      status: b.effectiveStatus,
      seats: b.seats.map((s) => s.label),
      show: { name: b.show.name, time: formatShowTime(b.startsAt, b.show.timeZone) },
      heldUntil: b.effectiveStatus === "HELD" ? clockIn(b.expiresAt, b.show.timeZone) : undefined,
    });
    return json({ live: live.map(item), upcoming: upcoming.map(item), done: done.map(item) });
  });

export default function MyBookings() {
  const { live, upcoming, done } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">My bookings</h1>
      {live.length === 0 && upcoming.length === 0 && done.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-slate-600">
          You have no bookings yet.{" "}
          <Link to="/" className="text-brand-600 underline">
            Pick a show
          </Link>{" "}
          to get started.
        </p>
      ) : (
        <>
          {live.length ? <BookingList title="Held for you: pay to keep them" bookings={live} empty="" /> : null}
          <BookingList title="Upcoming tickets" bookings={upcoming} empty="No tickets for what is coming up." />
          <BookingList title="Past and cancelled" bookings={done} empty="Nothing here yet." />
        </>
      )}
    </div>
  );
}
