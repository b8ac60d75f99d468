import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSubmit } from "@remix-run/react";
import { useRef } from "react";
import { requireDoor } from "~/auth/guards.server";
import { type DoorAnswer, DoorResult } from "~/components/door-result";
import { FormError, SubmitButton } from "~/components/form-field";
import { QrScanner } from "~/components/qr-scanner";
import { type CheckInResult, checkIn, checkInCounts, ticketAtTheDoor } from "~/domain/check-in.server";
import { getShow } from "~/domain/shows.server";
import { clockIn, formatShowTime } from "~/domain/time";
import { pageAction, pageLoader, textField } from "~/http/page.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Door · ${data.show.name} · Holdfast` : "Door · Holdfast" },
];

/** The result as the door shows it, in the show's time zone. */
function answerOf(result: CheckInResult, timeZone: string): DoorAnswer {
  return {
    verdict: result.verdict,
    reference: result.reference,
    name: result.name,
    seat: result.seat,
    inCount: result.inCount,
    total: result.total,
    earlier: result.earlier && `at ${clockIn(result.earlier.at, timeZone)}, ${result.earlier.door}, by ${result.earlier.by}`,
    otherShow: result.otherShow && `${result.otherShow.name}, ${formatShowTime(result.otherShow.startsAt, result.otherShow.timeZone)}`,
  };
}

/**
 * GET /door/:showId — the door's page: a scan (with JavaScript) or a typed reference checks a
 * ticket in. After a check-in the page is loaded again (post, redirect, get) with `ref` and `scan`:
 * what it shows is read afresh, so reloading it shows that scan's answer again and lets nobody else in.
 */
export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, params, context }) => {
    const user = await requireDoor(request, context);
    const show = await getShow(context.db, params.showId ?? "");
    const url = new URL(request.url);
    const door = url.searchParams.get("door")?.trim().slice(0, 60) || "Main door";
    const ref = url.searchParams.get("ref");
    const scan = url.searchParams.get("scan") || undefined;
    // (A hand-edited address with a malformed `ref` or `scan` is refused with the form's messages: 400.)
    const result = ref ? await ticketAtTheDoor(context.db, user, { showId: show.id, reference: ref, door, scanKey: scan }) : null;
    const counts = await checkInCounts(context.db, show.id);
    return json({
      show: { id: show.id, name: show.name, time: formatShowTime(show.startsAt, show.timeZone) },
      door,
      answer: result && answerOf(result, show.timeZone),
      counts,
      scanKey: crypto.randomUUID(),
    });
  });

const FORM = { guard: requireDoor, fields: ["reference"], keep: (form: FormData) => ({ reference: textField(form, "reference") }) };
export const action = (args: ActionFunctionArgs) =>
  pageAction(args, FORM, async (post) => {
    const showId = post.params.showId ?? "";
    const door = textField(post.form, "door");
    const scanKey = textField(post.form, "scanKey") || undefined;
    const result = await checkIn(post.context.db, post.user, { showId, reference: textField(post.form, "reference"), door, scanKey });
    const query = new URLSearchParams({ door: door || "Main door", ref: result.reference });
    if (scanKey) query.set("scan", scanKey);
    return redirect(`/door/${showId}?${query}`);
  });

export default function Door() {
  const { show, door, answer, counts, scanKey } = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const submit = useSubmit();
  const form = useRef<HTMLFormElement>(null);
  return (
    <div className="mx-auto max-w-xl space-y-5">
      <div>
        <h1 className="text-2xl font-bold">{show.name}</h1>
        <p className="text-slate-700">
          {show.time} · {door} ·{" "}
          <strong data-testid="door-counts">
            {counts.checkedIn.toLocaleString("en-GB")} of {counts.expected.toLocaleString("en-GB")} in
          </strong>
        </p>
        <p className="flex flex-wrap gap-3 text-sm">
          <Link to={`/door/${show.id}/list`} className="text-brand-700 underline">
            Door list
          </Link>
          <Link to="/door" className="text-brand-700 underline">
            Another show or door
          </Link>
        </p>
      </div>
      {answer ? <DoorResult answer={answer} /> : null}
      <QrScanner
        onCode={(code) => {
          const data = new FormData(form.current ?? undefined);
          data.set("reference", code);
          submit(data, { method: "post", replace: true });
        }}
      />
      <Form method="post" ref={form} className="space-y-3" replace>
        <input type="hidden" name="door" value={door} />
        <input type="hidden" name="scanKey" value={scanKey} />
        <div>
          <label htmlFor="reference" className="block text-sm font-medium">
            Ticket reference
          </label>
          <input
            id="reference"
            name="reference"
            required
            maxLength={64}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            // biome-ignore lint/a11y/noAutofocus: the door page exists to take the next reference
            autoFocus
            key={scanKey}
            className="w-full rounded border border-slate-300 px-3 py-3 font-mono text-2xl uppercase"
          />
        </div>
        <FormError message={refused?.fieldErrors?.reference ?? refused?.formError} />
        <SubmitButton busyLabel="Checking…">Check in</SubmitButton>
      </Form>
    </div>
  );
}
