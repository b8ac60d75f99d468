import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireDoor } from "~/auth/guards.server";
import { attendeesOf } from "~/domain/orders.server";
import { getShow } from "~/domain/shows.server";
import { clockIn, formatShowTime } from "~/domain/time";
import { pageLoader } from "~/http/page.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Door list · ${data.show.name} · Holdfast` : "Door list · Holdfast" },
];

/** GET /door/:showId/list — who is expected, seat by seat, and who is in: printable. Door staff and admins. */
export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, params, context }) => {
    const user = await requireDoor(request, context);
    const show = await getShow(context.db, params.showId ?? "");
    const lines: Array<{ seat: string; name: string; reference: string; in: string | null }> = [];
    for await (const batch of attendeesOf(context.db, user, show.id)) {
      for (const l of batch)
        lines.push({
          seat: l.seat,
          name: l.name,
          reference: l.reference,
          in: l.checkedInAt && `${clockIn(l.checkedInAt, show.timeZone)} ${l.door}`,
        });
    }
    return json({ show: { id: show.id, name: show.name, time: formatShowTime(show.startsAt, show.timeZone) }, lines });
  });

export default function DoorList() {
  const { show, lines } = useLoaderData<typeof loader>();
  const inside = lines.filter((l) => l.in).length;
  return (
    <div className="space-y-4">
      <div className="print:hidden">
        <Link to={`/door/${show.id}`} className="text-sm text-brand-700 underline">
          Back to the door
        </Link>
      </div>
      <h1 className="text-2xl font-bold">Door list · {show.name}</h1>
      <p className="text-slate-700">
        {show.time} · {lines.length.toLocaleString("en-GB")} expected · {inside.toLocaleString("en-GB")} in
      </p>
      {lines.length === 0 ? (
        <p className="text-slate-600">Nobody has a paid ticket yet.</p>
      ) : (
        <table className="w-full border-collapse text-sm">
          <thead>
            <tr className="border-b border-slate-300 text-left">
              <th scope="col" className="py-1 pr-3">
                Seat
              </th>
              <th scope="col" className="py-1 pr-3">
                Name
              </th>
              <th scope="col" className="py-1 pr-3">
                Reference
              </th>
              <th scope="col" className="py-1">
                In
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={`${l.reference}-${l.seat}`} className="border-b border-slate-100">
                <td className="py-1 pr-3 font-semibold">{l.seat}</td>
                <td className="py-1 pr-3">{l.name}</td>
                <td className="py-1 pr-3 font-mono">{l.reference}</td>
                <td className="py-1">{l.in ?? "☐"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
