import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { DomainError } from "~/domain/errors";
import { getShow, listSeatStates } from "~/domain/shows.server";
import { apiErrorFrom } from "~/http/errors.server";

/** GET /api/v1/shows/:showId/seats — public: the show and every seat with its state. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  try {
    const show = await getShow(context.db, params.showId ?? "");
    const seats = await listSeatStates(context.db, show.id, new Date());
    return json({
      show: { id: show.id, name: show.name, kind: show.kind, startsAt: show.startsAt.toISOString(), layout: show.layout, totalSeats: show.totalSeats },
      seats,
    });
  } catch (error) {
    // NotFound gives 404 NOT_FOUND in the API's one error shape.
    if (error instanceof DomainError) return apiErrorFrom(error);
    throw error;
  }
}
