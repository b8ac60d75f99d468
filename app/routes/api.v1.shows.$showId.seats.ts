import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { getShow, listSeatStates } from "~/domain/shows.server";
import { apiLoader } from "~/http/api.server";

/** GET /api/v1/shows/:showId/seats — public: the show and every seat with its state. */
export const loader = (args: LoaderFunctionArgs) =>
  apiLoader(args, async ({ params, context }) => {
    const show = await getShow(context.db, params.showId ?? "");
    const seats = await listSeatStates(context.db, show.id, new Date());
    return json({
      show: {
        id: show.id,
        name: show.name,
        kind: show.kind,
        startsAt: show.startsAt.toISOString(),
        layout: show.layout,
        totalSeats: show.totalSeats,
      },
      seats,
    });
  });
