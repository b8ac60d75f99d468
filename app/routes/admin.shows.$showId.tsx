import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/auth/guards.server";
import { AdminNav, OccupancyBar } from "~/components/admin/occupancy";
import {
  ADMIN_MAP_HTML,
  AdminSeatMap,
  AuditList,
  ConfirmPanel,
  confirmationOf,
  detailsOf,
  SalesByMinute,
  ShowLinks,
  salesRows,
} from "~/components/admin/show-manage";
import { checkInCounts } from "~/domain/check-in.server";
import { getShowForAdmin } from "~/domain/dashboard.server";
import { ValidationFailed } from "~/domain/errors";
import { getSeatCodes } from "~/domain/shows.server";
import { formatMoney, formatShowTime } from "~/domain/time";
import { showView } from "~/domain/views.server";
import { SHOW_INTENTS } from "~/http/admin-show-actions.server";
import { pageAction, pageLoader } from "~/http/page.server";
import { adminMap } from "~/seat-map/admin-map.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.show.name} · Admin · Holdfast` : "Admin · Holdfast" },
];

const CONFIRMS = ["reset", "cancel", "delete"] as const;

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, params, context }) => {
    const admin = await requireAdmin(request, context);
    const url = new URL(request.url);
    const seat = url.searchParams.get("seat")?.trim() || null;
    const now = new Date();
    const view = await getShowForAdmin(context.db, admin, params.showId ?? "", { now, seat: seat ?? undefined });
    const { show } = view;
    const zone = show.timeZone;
    const codes = await getSeatCodes(context.db, show.id, null, now);
    const map = await adminMap(context.db, show, codes, view.holders, view.zones, url.searchParams.get("section"));
    // A page load carries the grid once, in the page (not again in the hydration data); a data request carries it.
    const document = request.headers.get("Sec-Fetch-Dest") !== "empty";
    if (document) context.serverOnly.set(ADMIN_MAP_HTML, map.html);
    const asked = CONFIRMS.find((c) => c === url.searchParams.get("confirm"));
    const refund = formatMoney(view.takingsCents, show.currency);
    return json({
      show: { ...showView(show), cancelled: Boolean(show.cancelledAt) },
      counts: view.counts,
      takings: refund,
      zones: view.zones.map((z) => `${z.name} ${formatMoney(z.priceCents, show.currency)}`),
      booked: view.bookings > 0,
      door: await checkInCounts(context.db, show.id),
      map: {
        ...map,
        html: document ? null : map.html,
        zones: view.zones.map((z) => ({ name: z.name, price: formatMoney(z.priceCents, show.currency) })),
      },
      seat,
      confirm: asked ? confirmationOf(asked, view.counts, view.bookings, refund) : null,
      sales: salesRows(view.salesByMinute, zone, show.currency),
      audit: view.audit.map((a) => ({
        ...a,
        at: `${formatShowTime(a.at, zone)}:${String(a.at.getUTCSeconds()).padStart(2, "0")}`,
        details: detailsOf(a.details, show.currency),
      })),
    });
  });

export const action = (args: ActionFunctionArgs) =>
  pageAction(args, { guard: requireAdmin }, async (post) => {
    const intent = String(post.form.get("intent"));
    if (!Object.hasOwn(SHOW_INTENTS, intent)) throw new ValidationFailed({ intent: "Unknown action" });
    return SHOW_INTENTS[intent](post, post.params.showId ?? "");
  });

export default function AdminShow() {
  const { show, counts, takings, zones, booked, door, map, seat, confirm, audit, sales } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="space-y-8">
      <div className="space-y-3">
        <AdminNav />
        <h1 className="text-2xl font-bold">{show.name}</h1>
        <p className="text-slate-700">
          {show.time} · {show.venue}, {show.city} · {zones.join(" · ")} · takings {takings}
          {show.cancelled ? " · cancelled" : ""}
        </p>
        <p className="text-slate-700" data-testid="checked-in">
          Checked in: {door.checkedIn.toLocaleString("en-GB")} of {door.expected.toLocaleString("en-GB")} expected
        </p>
        <OccupancyBar counts={counts} total={show.totalSeats} />
        <ShowLinks showId={show.id} cancelled={show.cancelled} booked={booked} />
      </div>
      {confirm ? <ConfirmPanel confirm={confirm} showId={show.id} /> : null}
      <AdminSeatMap map={map} error={result?.formError} />
      <SalesByMinute rows={sales} />
      <AuditList entries={audit} seat={seat} />
    </div>
  );
}
