import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction, TypedResponse } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/auth/guards.server";
import { AdminNav, OccupancyBar } from "~/components/admin/occupancy";
import {
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
import { cancelShow, deleteShow, releaseHoldsOnSeats, resetShow, setSeatsBlocked } from "~/domain/show-admin.server";
import { getSeatCodes } from "~/domain/shows.server";
import { clockIn, formatMoney, formatShowTime } from "~/domain/time";
import { showView } from "~/domain/views.server";
import { counted } from "~/domain/words";
import { type PageActionArgs, pageAction, pageLoader, redirectWithFlash } from "~/http/page.server";
import { joinAdminSeatMap } from "~/seat-map/html";
import { seatMapTemplate } from "~/seat-map/segments.server";

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
    const about = new Map(
      view.holders.map((h) => [
        h.seatId,
        `${h.status === "BOOKED" ? "sold to" : "held by"} ${h.name} <${h.email}> · ref ${h.reference}${h.expiresAt ? ` · until ${clockIn(h.expiresAt, zone)}` : ""}`,
      ]),
    );
    const codes = await getSeatCodes(context.db, show.id, null, now);
    const html = joinAdminSeatMap(await seatMapTemplate(context.db, show), codes, about);
    const asked = CONFIRMS.find((c) => c === url.searchParams.get("confirm"));
    const refund = formatMoney(view.takingsCents, show.currency);
    return json({
      show: { ...showView(show), cancelled: Boolean(show.cancelledAt) },
      counts: view.counts,
      takings: refund,
      zones: view.zones.map((z) => `${z.name} ${formatMoney(z.priceCents, show.currency)}`),
      booked: view.bookings > 0,
      door: await checkInCounts(context.db, show.id),
      html,
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

type Args = PageActionArgs<Awaited<ReturnType<typeof requireAdmin>>>;
const INTENTS: Record<string, (a: Args, showId: string) => Promise<TypedResponse<never>>> = {
  block: async (a, showId) => {
    const { changed } = await setSeatsBlocked(a.context.db, a.user, { showId, seatIds: a.form.getAll("seat"), blocked: true });
    return redirectWithFlash(a, `/admin/shows/${showId}`, `${counted(changed, "seat", "seats")} blocked`);
  },
  unblock: async (a, showId) => {
    const { changed } = await setSeatsBlocked(a.context.db, a.user, { showId, seatIds: a.form.getAll("seat"), blocked: false });
    return redirectWithFlash(a, `/admin/shows/${showId}`, `${counted(changed, "seat", "seats")} back on sale`);
  },
  release: async (a, showId) => {
    const { bookings, seats } = await releaseHoldsOnSeats(a.context.db, a.user, { showId, seatIds: a.form.getAll("seat") });
    return redirectWithFlash(
      a,
      `/admin/shows/${showId}`,
      `${counted(bookings, "hold", "holds")} released (${counted(seats, "seat", "seats")})`,
    );
  },
  reset: async (a, showId) => {
    const r = await resetShow(a.context.db, a.user, showId);
    return redirectWithFlash(
      a,
      `/admin/shows/${showId}`,
      `Reset: ${counted(r.seats, "seat", "seats")} back on sale, ${counted(r.holds, "hold", "holds")} released, ${counted(r.bookings, "booking", "bookings")} refunded`,
    );
  },
  cancel: async (a, showId) => {
    const r = await cancelShow(a.context.db, a.user, showId);
    return redirectWithFlash(
      a,
      `/admin/shows/${showId}`,
      `Cancelled: ${counted(r.bookings, "booking", "bookings")} refunded, ${counted(r.holds, "hold", "holds")} released`,
    );
  },
  delete: async (a, showId) => {
    await deleteShow(a.context.db, a.user, showId);
    return redirectWithFlash(a, "/admin/shows", "The show was deleted");
  },
};

export const action = (args: ActionFunctionArgs) =>
  pageAction(args, { guard: requireAdmin }, async (post) => {
    const intent = String(post.form.get("intent"));
    if (!Object.hasOwn(INTENTS, intent)) throw new ValidationFailed({ intent: "Unknown action" });
    return INTENTS[intent](post, post.params.showId ?? "");
  });

export default function AdminShow() {
  const { show, counts, takings, zones, booked, door, html, seat, confirm, audit, sales } = useLoaderData<typeof loader>();
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
      <AdminSeatMap html={html} error={result?.formError} />
      <SalesByMinute rows={sales} />
      <AuditList entries={audit} seat={seat} />
    </div>
  );
}
