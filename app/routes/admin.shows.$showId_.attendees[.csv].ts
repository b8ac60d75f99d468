import type { LoaderFunctionArgs } from "@remix-run/node";
import { stringify } from "csv-stringify/sync";
import { requireAdmin } from "~/auth/guards.server";
import { ATTENDEE_COLUMNS, attendeeRow, attendeesOf } from "~/domain/orders.server";
import { getShow } from "~/domain/shows.server";
import { formatShowTime } from "~/domain/time";
import { pageLoader } from "~/http/page.server";

/**
 * GET /admin/shows/:showId/attendees.csv — the show's attendees, one line per paid seat, streamed
 * a batch at a time (an arena's 20,000 lines never sit in memory whole). csv-stringify writes the
 * lines (quoting, and `escape_formulas`: a buyer named "=HYPERLINK(…)" is text in a spreadsheet,
 * never a formula).
 */
export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, params, context }) => {
    const admin = await requireAdmin(request, context);
    const show = await getShow(context.db, params.showId ?? "");
    const lines = attendeesOf(context.db, admin, show.id);
    const encoder = new TextEncoder();
    const options = { escape_formulas: true } as const;
    let header = true;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await lines.next();
        if (header) {
          controller.enqueue(encoder.encode(stringify([[...ATTENDEE_COLUMNS]], options)));
          header = false;
        }
        if (next.done) {
          controller.close();
          return;
        }
        const rows = next.value.map(attendeeRow);
        controller.enqueue(encoder.encode(stringify(rows, options)));
      },
      async cancel() {
        await lines.return(undefined);
      },
    });
    const name = `${show.name} ${formatShowTime(show.startsAt, show.timeZone)}`.replace(/[^\p{L}\p{N}]+/gu, "-").slice(0, 80);
    return new Response(body, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="attendees-${encodeURIComponent(name)}.csv"`,
        "Cache-Control": "private, no-store",
      },
    });
  });
