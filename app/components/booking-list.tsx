import { Link } from "@remix-run/react";
import { useId } from "react";
import { plural } from "~/domain/words";

export interface BookingListItem {
  id: string;
  reference: string;
  status: "HELD" | "CONFIRMED" | "RELEASED" | "EXPIRED" | "CANCELLED";
  seats: string[];
  show: { name: string; time: string };
  /** A live hold's end, on the show's clock ("19:02"). */
  heldUntil?: string;
}

const STATUS: Record<BookingListItem["status"], { word: string; className: string }> = {
  HELD: { word: "Held", className: "bg-amber-100 text-amber-900" },
  CONFIRMED: { word: "Paid", className: "bg-green-100 text-green-900" },
  RELEASED: { word: "Released", className: "bg-slate-100 text-slate-700" },
  EXPIRED: { word: "Expired", className: "bg-slate-100 text-slate-700" },
  CANCELLED: { word: "Cancelled", className: "bg-slate-100 text-slate-700" },
};

/** One group of the bookings page (live holds, upcoming tickets, past and cancelled). */
export function BookingList({ title, bookings, empty }: { title: string; bookings: BookingListItem[]; empty: string }) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="space-y-3">
      <h2 id={headingId} className="text-xl font-semibold">
        {title}
      </h2>
      {bookings.length === 0 ? (
        <p className="text-slate-600">{empty}</p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {bookings.map((b) => (
            <li key={b.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 p-4">
              <div className="min-w-0 flex-1">
                <Link to={`/bookings/${b.id}`} className="font-semibold text-brand-700 underline-offset-2 hover:underline">
                  {b.show.name}
                </Link>
                <p className="text-sm text-slate-600">{b.show.time}</p>
                <p className="text-sm text-slate-800">
                  {plural(b.seats.length, "Seat", "Seats")} {b.seats.join(", ")}
                  {" · "}Reference <span className="font-mono font-semibold">{b.reference}</span>
                </p>
                {b.heldUntil ? (
                  <p className="text-sm font-medium text-amber-900">
                    Held until {b.heldUntil} ·{" "}
                    <Link to={`/bookings/${b.id}`} className="underline">
                      Pay now
                    </Link>
                  </p>
                ) : null}
              </div>
              <span className={`rounded-full px-2.5 py-0.5 text-xs font-semibold ${STATUS[b.status].className}`}>
                {STATUS[b.status].word}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
