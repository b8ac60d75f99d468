import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/auth/guards.server";
import { AdminNav } from "~/components/admin/occupancy";
import { FormError, FormField, SubmitButton } from "~/components/form-field";
import { ValidationFailed } from "~/domain/errors";
import { getShow } from "~/domain/shows.server";
import { formatShowTime } from "~/domain/time";
import { addWebhook, listWebhooks, removeWebhook } from "~/domain/webhooks.server";
import { plural } from "~/domain/words";
import { pageAction, pageLoader, redirectWithFlash } from "~/http/page.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Webhooks · ${data.show.name} · Admin · Holdfast` : "Webhooks · Admin · Holdfast" },
];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, params, context }) => {
    const admin = await requireAdmin(request, context);
    const hooks = await listWebhooks(context.db, admin, params.showId ?? "");
    const show = await getShow(context.db, params.showId ?? "");
    return json({
      show: { id: show.id, name: show.name },
      hooks: hooks.map((h) => ({
        ...h,
        createdAt: formatShowTime(h.createdAt, show.timeZone),
        deliveries: h.deliveries.map((d) => ({ ...d, createdAt: formatShowTime(d.createdAt, show.timeZone) })),
      })),
    });
  });

export const action = (args: ActionFunctionArgs) =>
  pageAction(args, { guard: requireAdmin, keep: (form) => ({ url: String(form.get("url") ?? "") }), fields: ["url"] }, async (post) => {
    const showId = post.params.showId ?? "";
    const intent = String(post.form.get("intent"));
    if (intent === "add") {
      await addWebhook(post.context.db, post.user, showId, { url: post.form.get("url") });
      return redirectWithFlash(post, `/admin/shows/${showId}/webhooks`, "Webhook added: copy its secret to the receiver");
    }
    if (intent === "remove") {
      await removeWebhook(post.context.db, post.user, showId, post.form.get("webhook"));
      return redirectWithFlash(post, `/admin/shows/${showId}/webhooks`, "Webhook removed");
    }
    throw new ValidationFailed({ intent: "Unknown action" });
  });

const STATES = { delivered: "delivered", retrying: "failed, will try again", dead: "gave up", waiting: "waiting" } as const;

export default function Webhooks() {
  const { show, hooks } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <AdminNav />
      <h1 className="text-2xl font-bold">Webhooks for {show.name}</h1>
      <p className="text-sm text-slate-700">
        Each of this show's events (holds, payments, releases, expiries, cancellations, changes) is sent to every address below as a JSON
        POST, signed in <code>X-Holdfast-Signature</code> (<code>t=…,v1=</code> the HMAC-SHA256 of <code>t.body</code> under the hook's
        secret), and tried again with growing pauses until it is answered with a 2xx.{" "}
        <Link to={`/admin/shows/${show.id}`}>Back to the show</Link>
      </p>
      <Form method="post" className="space-y-3" noValidate>
        <FormError message={result?.formError} />
        <FormField label="Address" name="url" type="url" defaultValue={result?.values?.url ?? ""} error={result?.fieldErrors?.url} />
        <SubmitButton intent="add" busyLabel="Adding…">
          Add webhook
        </SubmitButton>
      </Form>
      {hooks.length === 0 ? <p className="text-sm text-slate-600">No webhooks yet.</p> : null}
      {hooks.map((hook) => (
        <section key={hook.id} aria-label={`Webhook ${hook.url}`} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="break-all font-semibold">{hook.url}</h2>
          <p className="text-sm">
            Secret: <code className="break-all">{hook.secret}</code> · added {hook.createdAt}
          </p>
          <Form method="post">
            <input type="hidden" name="webhook" value={hook.id} />
            <SubmitButton intent="remove" variant="secondary" busyLabel="Removing…">
              Remove
            </SubmitButton>
          </Form>
          {hook.deliveries.length === 0 ? (
            <p className="text-sm text-slate-600">Nothing sent yet.</p>
          ) : (
            <ol className="divide-y divide-slate-200 text-sm" aria-label="Deliveries, newest first">
              {hook.deliveries.map((d) => (
                <li key={d.id} className="flex flex-wrap gap-x-3 py-1" data-testid="webhook-delivery">
                  <span className="tabular-nums text-slate-500">{d.createdAt}</span>
                  <span>{d.eventName}</span>
                  <strong>{STATES[d.state]}</strong>
                  <span className="text-slate-600">
                    {d.attempts} {plural(d.attempts, "try", "tries")}
                    {d.lastStatus ? ` · last answer ${d.lastStatus}` : ""}
                    {d.lastError && d.state !== "delivered" ? ` · ${d.lastError}` : ""}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </section>
      ))}
    </div>
  );
}
