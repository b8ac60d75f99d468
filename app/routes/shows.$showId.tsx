import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { getOptionalUser, requireBuyerId } from "~/auth/guards.server";
import { BestSeatsForm } from "~/components/best-seats-form";
import { SEAT_MAP_HTML, SeatMapForm } from "~/components/seat-map";
import { ShowFacts, showView } from "~/components/show-facts";
import { proposeSeats } from "~/domain/best-available.server";
import { listLabels, ValidationFailed } from "~/domain/errors";
import { placeHold } from "~/domain/holds.server";
import { countAvailable } from "~/domain/seat-state";
import { carriedSeatIds } from "~/domain/selection";
import { getShowWithSeatCodes } from "~/domain/shows.server";
import { formatMoney } from "~/domain/time";
import { pageAction, pageLoader, redirectWithFlash } from "~/http/page.server";
import { seatMapSegments } from "~/http/seat-map.server";
import { spliceLater } from "~/http/splice.server";

/** The seats a failed hold had ticked, as sent: the loader's re-render without JS keeps them ticked. */
const TICKED_SEATS = "seat-map-ticked";
/** Where the grid's bytes go in the page (the island renders this marker on the server). */
const SEAT_MAP_MARKER = "<!--holdfast:seat-map-->";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.show.name} · Holdfast` : "Holdfast" }];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, params, context }) => {
    const now = new Date();
    const user = await getOptionalUser(request, context);
    const query = new URL(request.url).searchParams;
    const { show, codes, zones } = await getShowWithSeatCodes(context.db, params.showId ?? "", user?.id ?? null, now);
    const maxSeatsPerHold = show.maxSeatsPerCustomer ?? context.booking.maxSeatsPerHold;
    // "N seats together" proposes seats; seats ticked before a log-in come back in the address
    // (`?seat=12&seat=13`). Either way they are ticked on the map, for the buyer to hold.
    const proposal = await proposeSeats(context.db, show, codes, zones, Object.fromEntries(query), maxSeatsPerHold);
    const carried = proposal ? proposal.seatIds : carriedSeatIds(query.getAll("seat"));
    // The grid's markup only matters to a page render: a browser's data request (the 5-second
    // refresh) says Sec-Fetch-Dest: empty and skips building a string it would never send.
    if (request.headers.get("Sec-Fetch-Dest") !== "empty") {
      const ticked = (context.serverOnly.get(TICKED_SEATS) as ReadonlySet<string> | undefined) ?? new Set<string>(carried);
      spliceLater(context.serverOnly, SEAT_MAP_MARKER, await seatMapSegments(context.db, show, codes, ticked));
      context.serverOnly.set(SEAT_MAP_HTML, SEAT_MAP_MARKER);
    }
    return json({
      show: { ...showView(show), currency: show.currency },
      zones: zones.map((z) => ({ ...z, price: formatMoney(z.priceCents, show.currency) })),
      codes,
      closed: show.cancelledAt
        ? "This show was cancelled; its seats can no longer be held."
        : show.lastStartsAt <= now
          ? "This show has started; its seats can no longer be held."
          : null,
      seatsLeft: countAvailable(codes),
      maxSeatsPerHold,
      signedIn: Boolean(user),
      carried,
      proposal: proposal?.message ?? null,
      asked: { together: query.get("together") ?? undefined, zone: query.get("zone") ?? undefined },
    });
  });

export const action = (args: ActionFunctionArgs) =>
  pageAction(args, { guard: requireBuyerId }, async (post) => {
    const { params, context, form, user } = post;
    context.serverOnly.set(TICKED_SEATS, new Set(form.getAll("seat").map(String)));
    if (form.get("intent") !== "hold") throw new ValidationFailed({ intent: "Unknown action" });
    const input = { userId: user.id, showId: params.showId ?? "", seatIds: form.getAll("seat"), clientAddress: context.clientAddress };
    const { booking, seats, path } = await placeHold(context.db, input, new Date(), context.booking);
    const labels = listLabels(seats.map((s) => s.label));
    const held =
      path === "existing"
        ? `You already hold ${labels} — here is that hold`
        : `${labels} ${seats.length === 1 ? "is" : "are"} held for you — pay to keep them`;
    return redirectWithFlash(post, `/bookings/${booking.id}`, held);
  });

export default function ShowPage() {
  const { show, codes, zones, closed, seatsLeft, maxSeatsPerHold, signedIn, carried, proposal, asked } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="space-y-6">
      <ShowFacts show={show} seatsLeft={seatsLeft} />
      {closed ? null : <BestSeatsForm kind={show.kind} zones={zones} max={maxSeatsPerHold} asked={asked.together} zone={asked.zone} />}
      {proposal ? (
        <p role="status" className="rounded-md border border-slate-200 bg-brand-50 p-3 text-sm text-slate-800">
          {proposal}
        </p>
      ) : null}
      <SeatMapForm
        key={show.id}
        showId={show.id}
        kind={show.kind}
        codes={codes}
        zones={zones}
        currency={show.currency}
        maxSeatsPerHold={maxSeatsPerHold}
        signedIn={signedIn}
        carried={carried}
        error={result?.formError}
        closedMessage={closed ?? undefined}
      />
    </div>
  );
}
