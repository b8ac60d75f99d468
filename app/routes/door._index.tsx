import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { requireDoor } from "~/auth/guards.server";
import { showsAtTheDoor } from "~/domain/check-in.server";
import { formatShowTime } from "~/domain/time";
import { isUuid } from "~/domain/validation";
import { pageLoader } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "Door · Holdfast" }];

/** GET /door — pick the show and name the door; the form's answer opens that show's door page. */
export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, context }) => {
    const user = await requireDoor(request, context);
    const url = new URL(request.url);
    const show = url.searchParams.get("show");
    if (show && isUuid(show)) {
      const door = url.searchParams.get("door")?.trim() || "Main door";
      throw redirect(`/door/${show}?${new URLSearchParams({ door })}`);
    }
    const shows = await showsAtTheDoor(context.db, user);
    return json({ shows: shows.map((s) => ({ id: s.id, label: `${s.name} · ${formatShowTime(s.startsAt, s.timeZone)} · ${s.venue}` })) });
  });

export default function DoorIndex() {
  const { shows } = useLoaderData<typeof loader>();
  return (
    <div className="mx-auto max-w-xl space-y-6">
      <h1 className="text-2xl font-bold">Door</h1>
      {shows.length === 0 ? (
        <p className="text-slate-600">No show to check tickets in for.</p>
      ) : (
        <Form method="get" className="space-y-4">
          <div>
            <label htmlFor="show" className="block text-sm font-medium">
              Show
            </label>
            <select id="show" name="show" required className="w-full rounded border border-slate-300 px-3 py-2">
              {shows.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.label}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="door" className="block text-sm font-medium">
              This door
            </label>
            <input
              id="door"
              name="door"
              maxLength={60}
              placeholder="Main door"
              className="w-full rounded border border-slate-300 px-3 py-2"
            />
          </div>
          <button type="submit" className="rounded bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
            Open the door
          </button>
        </Form>
      )}
    </div>
  );
}
