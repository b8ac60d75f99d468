import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/auth/guards.server";
import { AdminNav } from "~/components/admin/occupancy";
import { previewMarkup, ShowForm, type ShowKindChoice } from "~/components/admin/show-form";
import { generateSeats } from "~/domain/layouts";
import { showFieldsSchema, showInputSchema } from "~/domain/schemas";
import { createShowAsAdmin } from "~/domain/show-admin.server";
import { parseOrThrow } from "~/domain/validation";
import { formToObject, pageAction, pageLoader, redirectWithFlash } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "New show · Admin · Holdfast" }];

const KINDS: Record<ShowKindChoice, string> = { THEATRE: "Theatre or arena", BUS: "Coach", DOCTOR: "Clinic day" };
const kindOf = (value: unknown): ShowKindChoice => (value === "BUS" || value === "DOCTOR" ? value : "THEATRE");
interface Redrawn {
  values: Record<string, string>;
  fieldErrors: Record<string, string>;
  preview: { html: string | null; summary: string } | null;
}
/**
 * The form's inputs the schema reads: a field added to the schema is read here with no code of
 * its own. (A function: a call at module level would keep the schemas in the browser's bundle.)
 */
const showFields = () => Object.keys(showFieldsSchema.shape);

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, context }) => {
    await requireAdmin(request, context);
    return json({ kind: kindOf(new URL(request.url).searchParams.get("kind")) });
  });

/** Everything typed, as typed: the form comes back whole whatever happens. */
const allValues = (form: FormData) =>
  Object.fromEntries([...form].filter(([k, v]) => typeof v === "string" && k !== "intent")) as Record<string, string>;

export const action = (args: ActionFunctionArgs) =>
  pageAction(args, { guard: requireAdmin, keep: allValues, fields: "all" }, async (post) => {
    const { form, user, context } = post;
    const intent = String(form.get("intent"));
    const values = allValues(form);
    const input = formToObject(form, showFields());
    if (intent === "add-zone" || intent === "add-section") {
      const prefix = intent === "add-zone" ? "priceZones" : "layout.sections";
      const next = Math.max(0, ...Object.keys(values).map((k) => Number(new RegExp(`^${prefix}\\.(\\d+)\\.`).exec(k)?.[1] ?? -1))) + 1;
      return json<Redrawn>({ values: { ...values, [`${prefix}.${next}.name`]: "" }, fieldErrors: {}, preview: null });
    }
    // A clinic's patients hold one slot each unless the admin says otherwise.
    if ((input.layout as { kind?: string } | undefined)?.kind === "DOCTOR") input.maxSeatsPerCustomer ??= "1";
    if (intent === "preview") {
      const data = parseOrThrow(showInputSchema, input);
      const zones = data.priceZones.map((z) => z.name.toLowerCase());
      const seats = generateSeats(data.layout);
      const places = seats.map((p, i) => ({
        ...p,
        id: i + 1,
        section: p.section ?? null,
        zone: Math.max(0, zones.indexOf((p.zone ?? "").toLowerCase())),
      }));
      const html = seats.length <= 2000 ? previewMarkup(data.layout, places) : null;
      return json<Redrawn>({
        values,
        fieldErrors: {},
        preview: { html, summary: `${seats.length.toLocaleString("en")} seats${html ? "" : ": too many to draw here"}` },
      });
    }
    const show = await createShowAsAdmin(context.db, user, input, new Date());
    return redirectWithFlash(post, `/admin/shows/${show.id}`, `${show.name} is on sale: ${show.totalSeats.toLocaleString("en")} seats`);
  });

export default function NewShow() {
  const { kind } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const values = (result?.values ?? {}) as Record<string, string>;
  const current = kindOf(values["layout.kind"] ?? kind);
  const preview = result && "preview" in result ? result.preview : null;
  return (
    <div className="space-y-6">
      <div className="space-y-3">
        <h1 className="text-2xl font-bold">New show</h1>
        <AdminNav />
      </div>
      <nav aria-label="Kind of show" className="flex flex-wrap gap-2 text-sm">
        {(Object.keys(KINDS) as ShowKindChoice[]).map((k) => (
          <Link
            key={k}
            to={`?kind=${k}`}
            aria-current={k === current ? "page" : undefined}
            className={`rounded-full border px-3 py-1 ${k === current ? "border-brand-600 bg-brand-50 font-semibold text-brand-700" : "border-slate-300 bg-white"}`}
          >
            {KINDS[k]}
          </Link>
        ))}
      </nav>
      <ShowForm
        key={current}
        kind={current}
        values={values}
        fieldErrors={result && "fieldErrors" in result ? result.fieldErrors : {}}
        formError={result && "formError" in result ? result.formError : undefined}
        previewHtml={preview?.html ?? undefined}
        previewSummary={preview?.summary}
      />
    </div>
  );
}
