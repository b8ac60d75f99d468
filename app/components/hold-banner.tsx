import { Link, useLocation } from "@remix-run/react";
import { Countdown } from "~/components/countdown";
import { listLabels } from "~/domain/errors";
import { plural } from "~/domain/words";

export interface LiveHoldView {
  id: string;
  showName: string;
  seats: string[];
  /** ISO instant the hold ends. */
  expiresAt: string;
  /** The same on the show's clock ("19:02"): what a page without JavaScript can say. */
  heldUntil: string;
}

/**
 * On every page while a hold is live: which seats, until when (a live countdown with JavaScript,
 * the clock time without), and the way back to pay. Not on that hold's own page, which says it all.
 */
export function HoldBanner({ holds, serverNow }: { holds: LiveHoldView[]; serverNow: number }) {
  const { pathname } = useLocation();
  const [first] = holds;
  if (!first || pathname === `/bookings/${first.id}`) return null;
  const others = holds.length - 1;
  return (
    <aside aria-label="Your hold" className="border-b border-amber-300 bg-amber-50">
      <div className="mx-auto flex w-full max-w-5xl flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2 text-sm text-amber-950">
        <p className="min-w-0 flex-1">
          You hold <strong>{listLabels(first.seats)}</strong> for {first.showName} until {first.heldUntil} (
          <Countdown expiresAt={first.expiresAt} serverNow={serverNow} />
          ).
        </p>
        <Link to={`/bookings/${first.id}`} className="rounded-md bg-amber-900 px-3 py-1.5 font-semibold text-white hover:bg-amber-950">
          Pay now
        </Link>
        {others > 0 ? (
          <Link to="/bookings" className="underline">
            {plural(others, "1 more hold", `${others} more holds`)}
          </Link>
        ) : null}
      </div>
    </aside>
  );
}
