import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { ticketCalendar } from "~/domain/calendar.server";
import { pageLoader } from "~/http/page.server";

/** GET /bookings/:bookingId/calendar.ics — a paid booking as a calendar entry ("Add to calendar"). */
export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, params, context }) => {
    const user = await requireUser(request, context);
    const bookingId = params.bookingId ?? "";
    const ticketUrl = new URL(`/bookings/${encodeURIComponent(bookingId)}`, request.url).href;
    const body = await ticketCalendar(context.db, user, bookingId, ticketUrl);
    return new Response(body, {
      headers: {
        "Content-Type": "text/calendar; charset=utf-8",
        "Content-Disposition": 'attachment; filename="holdfast-ticket.ics"',
        "Cache-Control": "private, no-store",
      },
    });
  });
