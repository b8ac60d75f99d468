import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { getOptionalUser } from "~/auth/guards.server";
import { NotFound } from "~/domain/errors";
import { getShowWithSeatCodes } from "~/domain/shows.server";
import { pageLoader } from "~/http/page.server";
import { seatMapHtml } from "~/seat-map/segments.server";

/**
 * GET /shows/:showId/seat-map[?section=…] — the seat map's markup and the states it shows, for
 * the page's JavaScript after a client-side navigation (a document request gets it in the page).
 * Built by the same cached template as the page, so both are one markup.
 */
export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, params, context }) => {
    const user = await getOptionalUser(request, context);
    const { show, codes } = await getShowWithSeatCodes(context.db, params.showId ?? "", user?.id ?? null, new Date());
    const section = new URL(request.url).searchParams.get("section") || null;
    const map = await seatMapHtml(context.db, show, codes, section);
    if (!map) throw new NotFound("There is no such section");
    return json(map, { headers: { "Cache-Control": "private, no-store" } });
  });
