import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { getOptionalUser, getSession, requireUser } from "~/auth/guards.server";
import { renderCachedSeatMap } from "~/components/seat-map-cache.server";
import { SEAT_MAP_HTML, SeatMapForm } from "~/components/seat-map";
import { ShowFacts, showView } from "~/components/show-facts";
import { DomainError, listLabels, NotFound, ValidationFailed } from "~/domain/errors";
import { placeHold } from "~/domain/holds.server";
import { getShowWithSeatCodes } from "~/domain/shows.server";
import { statusOf } from "~/http/errors.server";
import { readForm } from "~/http/form.server";

/** Where the hold action leaves the seats it could not hold, for the loader's re-render without JS. */
const SELECTED_SEATS = "seat-map-selected";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.show.name} · Holdfast` : "Holdfast" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const now = new Date();
  const user = await getOptionalUser(request, context);
  const { show, codes } = await getShowWithSeatCodes(context.db, params.showId ?? "", user?.id ?? null, now).catch((error) => {
    if (error instanceof NotFound) throw new Response("Not found", { status: 404, statusText: "Not Found" });
    throw error;
  });
  const selected = (context.serverOnly.get(SELECTED_SEATS) as number[] | undefined) ?? [];
  // The grid's markup only matters to a page render: a browser's data request (the 5-second
  // refresh) says Sec-Fetch-Dest: empty and skips building a string it would never send.
  if (request.headers.get("Sec-Fetch-Dest") !== "empty") {
    context.serverOnly.set(SEAT_MAP_HTML, await renderCachedSeatMap(context.db, show, codes, new Set(selected)));
  }
  return json({
    show: { ...showView(show), priceCents: show.priceCents, currency: show.currency },
    codes,
    started: show.startsAt <= now,
    seatsLeft: countFree(codes),
    maxSeatsPerHold: context.booking.maxSeatsPerHold,
    user: user && { id: user.id, name: user.name },
    selected,
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const showId = params.showId ?? "";
  const form = await readForm(request);
  const seatIds = form.getAll("seat").map(String);
  const selected = seatIds.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0).slice(0, 1000);
  try {
    if (form.get("intent") !== "hold") throw new ValidationFailed({ intent: "Unknown action" });
    const { booking, seats } = await placeHold(context.db, { userId: user.id, showId, seatIds }, new Date(), context.booking);
    const session = await getSession(request, context);
    const labels = listLabels(seats.map((s) => s.label));
    session.flash("flash", { kind: "success", message: `${labels} ${seats.length === 1 ? "is" : "are"} held for you — pay to keep them` });
    return redirect(`/bookings/${booking.id}`, { headers: { "Set-Cookie": await context.sessions.commitSession(session) } });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    // Without JavaScript the loader re-renders the map in this same request: keep the ticks.
    context.serverOnly.set(SELECTED_SEATS, selected);
    const message = error instanceof ValidationFailed ? Object.values(error.fieldErrors).join(" ") || error.message : error.message;
    return json({ error: message, selected }, { status: statusOf(error) });
  }
}

export default function ShowPage() {
  const { show, codes, started, seatsLeft, maxSeatsPerHold, user } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="space-y-6">
      <ShowFacts show={show} seatsLeft={seatsLeft} />
      <SeatMapForm
        key={show.id}
        showId={show.id}
        codes={codes}
        priceCents={show.priceCents}
        currency={show.currency}
        maxSeatsPerHold={maxSeatsPerHold}
        signedIn={Boolean(user)}
        error={result?.error}
        closedMessage={started ? "This show has started; its seats can no longer be held." : undefined}
      />
    </div>
  );
}

function countFree(codes: string) {
  let n = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] === "A") n++;
  return n;
}
