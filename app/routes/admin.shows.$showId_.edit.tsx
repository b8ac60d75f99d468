import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/auth/guards.server";
import { AdminNav } from "~/components/admin/occupancy";
import { FormError, FormField, SubmitButton } from "~/components/form-field";
import { getShowForAdmin } from "~/domain/dashboard.server";
import { Conflict } from "~/domain/errors";
import { editShow } from "~/domain/show-admin.server";
import { clockIn, dateIn } from "~/domain/time";
import { counted } from "~/domain/words";
import { formToObject, pageAction, pageLoader, redirectWithFlash } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "Edit show · Admin · Holdfast" }];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, params, context }) => {
    const admin = await requireAdmin(request, context);
    const { show, zones, counts } = await getShowForAdmin(context.db, admin, params.showId ?? "");
    if (show.cancelledAt) throw new Conflict("This show is cancelled: it can no longer change");
    return json({
      id: show.id,
      values: {
        name: show.name,
        description: show.description ?? "",
        venue: show.venue,
        city: show.city,
        startsAt: `${dateIn(show.startsAt, show.timeZone)}T${clockIn(show.startsAt, show.timeZone)}`,
        ...Object.fromEntries(
          zones.flatMap((z, i) => [
            [`priceZones.${i}.name`, z.name],
            [`priceZones.${i}.price`, (z.priceCents / 100).toFixed(2)],
          ]),
        ),
      } as Record<string, string>,
      timeZone: show.timeZone,
      zones: zones.length,
      sold: counts.booked > 0,
    });
  });

const allValues = (form: FormData) =>
  Object.fromEntries([...form].filter(([k, v]) => typeof v === "string" && k !== "intent")) as Record<string, string>;

export const action = (args: ActionFunctionArgs) =>
  pageAction(
    args,
    {
      guard: requireAdmin,
      keep: allValues,
      fields: "all",
    },
    async (post) => {
      const showId = post.params.showId ?? "";
      const input = formToObject(post.form, ["name", "description", "venue", "city", "startsAt", "priceZones"]);
      const { told } = await editShow(post.context.db, post.user, showId, input);
      const note = told ? `: ${counted(told, "ticket holder is", "ticket holders are")} e-mailed the new time` : "";
      return redirectWithFlash(post, `/admin/shows/${showId}`, `Saved${note}`);
    },
  );

export default function EditShow() {
  const { id, values: saved, timeZone, zones, sold } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const values: Record<string, string> = { ...saved, ...(result?.values ?? {}) };
  const errors: Record<string, string> = result?.fieldErrors ?? {};
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <AdminNav />
      <h1 className="text-2xl font-bold">Edit {saved.name}</h1>
      <p className="text-sm text-slate-600">
        A new start time moves every seat's time with it
        {sold ? ", and every paid booking's buyer is e-mailed the new time with a new calendar entry" : ""}. New prices apply to what is
        held from now on: what was held or sold keeps its price.
      </p>
      <Form method="post" className="space-y-4" noValidate>
        <FormError message={result?.formError} />
        <FormField label="Name" name="name" defaultValue={values.name} error={errors.name} />
        <FormField
          label="Description (optional)"
          name="description"
          multiline
          defaultValue={values.description}
          error={errors.description}
        />
        <FormField label="Venue" name="venue" defaultValue={values.venue} error={errors.venue} />
        <FormField label="City" name="city" defaultValue={values.city} error={errors.city} />
        <FormField
          label={`Starts at (${timeZone})`}
          name="startsAt"
          type="datetime-local"
          defaultValue={values.startsAt}
          error={errors.startsAt}
        />
        {Array.from({ length: zones }, (_, i) => (
          <div key={values[`priceZones.${i}.name`]}>
            <input type="hidden" name={`priceZones.${i}.name`} value={values[`priceZones.${i}.name`]} />
            <FormField
              label={`${values[`priceZones.${i}.name`]} price`}
              name={`priceZones.${i}.price`}
              inputMode="decimal"
              defaultValue={values[`priceZones.${i}.price`]}
              error={errors[`priceZones.${i}.price`]}
            />
          </div>
        ))}
        <div className="flex gap-3">
          <SubmitButton busyLabel="Saving…">Save</SubmitButton>
          <a href={`/admin/shows/${id}`} className="rounded border border-slate-300 bg-white px-4 py-2">
            Back
          </a>
        </div>
      </Form>
    </div>
  );
}
