import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { getOptionalUser, requireBuyerId } from "~/auth/guards.server";
import { BestSeatsForm } from "~/components/best-seats-form";
import { ShowFacts } from "~/components/show-facts";
import { proposeSeats } from "~/domain/best-available.server";
import { listLabels, ValidationFailed } from "~/domain/errors";
import { placeHold } from "~/domain/holds.server";
import { countAvailable } from "~/domain/seat-state";
import { carriedSeatIds } from "~/domain/selection";
import { getShowWithSeatCodes, saleClosed } from "~/domain/shows.server";
import { formatMoney } from "~/domain/time";
import { venueView } from "~/domain/venue.server";
import { showView } from "~/domain/views.server";
import { plural } from "~/domain/words";
import { pageAction, pageLoader, redirectWithFlash } from "~/http/page.server";
import { SEAT_MAP_HTML, SeatMapForm } from "~/seat-map/seat-map";
import { codesAfterFailedHold, failedHoldOf, seatMapSegments, seatPlaces, viewCodes } from "~/seat-map/segments.server";
import { spliceLater } from "~/seat-map/splice.server";
import { VenuePlan } from "~/seat-map/venue-plan";

/** Where the grid's bytes go in the page (the island renders this marker on the server). */
const SEAT_MAP_MARKER = "<!--holdfast:seat-map-->";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.show.name} · Holdfast` : "Holdfast" }];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, params, context }) => {
    const now = new Date();
    const user = await getOptionalUser(request, context);
    const query = new URL(request.url).searchParams;
    // After a failed hold (the action's re-render without JS), from memory: a flash sale's conflicts read no seats.
    const failed = failedHoldOf(context);
    const {
      show,
      codes: allCodes,
      zones,
    } = failed
      ? await codesAfterFailedHold(context, params.showId ?? "", user?.id ?? null, failed, now)
      : await getShowWithSeatCodes(context.db, params.showId ?? "", user?.id ?? null, now);
    const maxSeatsPerHold = show.maxSeatsPerCustomer ?? context.booking.maxSeatsPerHold;
    const places = await seatPlaces(context.db, show.id);
    // "N seats together" proposes seats; seats ticked before a log-in come back in the address
    // (`?seat=12&seat=13`). Either way they are ticked on the map, for the buyer to hold.
    const proposal = proposeSeats(places, show, allCodes, zones, Object.fromEntries(query), maxSeatsPerHold);
    const carried = proposal ? proposal.seatIds : carriedSeatIds(query.getAll("seat"));
    // A big venue is sold a section at a time: the page carries the plan and at most one
    // section's seats (the one asked for, or the one the proposed or carried seats are in).
    const seatSection = carried.length ? places.find((p) => p.id === Number(carried[0]))?.section : undefined;
    const { plan, section, sectionMissing, wide } = venueView(show.layout, allCodes, zones, seatSection, query.get("section"));
    const codes = plan && !section ? "" : await viewCodes(context.db, show, allCodes, section);
    // The grid's markup only matters to a page render: a browser's data request (the 5-second
    // refresh) says Sec-Fetch-Dest: empty and skips building a string it would never send.
    if (request.headers.get("Sec-Fetch-Dest") !== "empty" && (!plan || section)) {
      const ticked = failed?.ticked ?? new Set<string>(carried);
      spliceLater(context.serverOnly, SEAT_MAP_MARKER, (await seatMapSegments(context.db, show, allCodes, ticked, section)) ?? []);
      context.serverOnly.set(SEAT_MAP_HTML, SEAT_MAP_MARKER);
    }
    return json({
      show: { ...showView(show), currency: show.currency },
      zones: zones.map((z) => ({ ...z, price: formatMoney(z.priceCents, show.currency) })),
      codes,
      plan,
      section,
      sectionMissing,
      closed: saleClosed(show, now),
      seatsLeft: countAvailable(allCodes),
      wide,
      maxSeatsPerHold,
      signedIn: Boolean(user),
      carried,
      proposal: proposal?.message ?? null,
      asked: { together: query.get("together") ?? undefined, zone: query.get("zone") ?? undefined, near: query.get("near") ?? undefined },
    });
  });

export const action = (args: ActionFunctionArgs) =>
  pageAction(args, { guard: requireBuyerId }, async (post) => {
    const { params, context, form, user } = post;
    if (form.get("intent") !== "hold") throw new ValidationFailed({ intent: "Unknown action" });
    const input = {
      userId: user.id,
      showId: params.showId ?? "",
      seatIds: form.getAll("seat"),
      clientAddress: context.clientAddress,
      claim: context.claim,
    };
    const { booking, seats, path } = await placeHold(context.db, input, new Date(), context.booking);
    const labels = listLabels(seats.map((s) => s.label));
    const held =
      path === "existing"
        ? `You already hold ${labels} — here is that hold`
        : `${labels} ${plural(seats.length, "is", "are")} held for you — pay to keep them`;
    return redirectWithFlash(post, `/bookings/${booking.id}`, held);
  });

export default function ShowPage() {
  const data = useLoaderData<typeof loader>();
  const { show, zones, plan, section, closed, asked } = data;
  const result = useActionData<typeof action>();
  const notice = data.proposal ?? data.sectionMissing;
  return (
    <div className="space-y-6">
      <ShowFacts show={show} seatsLeft={data.seatsLeft} zoned={zones.length > 1} />
      {plan ? <VenuePlan sections={plan} current={section} zones={zones} /> : null}
      {closed ? null : (
        <BestSeatsForm
          kind={show.kind}
          zones={zones}
          max={data.maxSeatsPerHold}
          asked={asked.together}
          zone={asked.zone}
          near={asked.near}
          sections={plan?.map((s) => s.name)}
          section={section ?? undefined}
          reloadDocument={Boolean(plan)}
          action={`/shows/${show.id}#seats`}
        />
      )}
      {/* Where the plan's links and the forms land: the proposal, then the seats. */}
      <div id="seats" className="scroll-mt-4 space-y-6">
        {notice ? (
          <p role="status" className="rounded-md border border-slate-200 bg-brand-50 p-3 text-sm text-slate-800">
            {notice}
          </p>
        ) : null}
        {plan && !section ? null : (
          <SeatMapForm
            key={`${show.id}:${section ?? ""}`}
            showId={show.id}
            section={section}
            kind={show.kind}
            codes={data.codes}
            zones={zones}
            currency={show.currency}
            maxSeatsPerHold={data.maxSeatsPerHold}
            signedIn={data.signedIn}
            carried={data.carried}
            error={result?.formError}
            closedMessage={closed ?? undefined}
            wide={data.wide}
          />
        )}
      </div>
    </div>
  );
}
