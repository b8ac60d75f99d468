import { Form } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { FormError, SubmitButton } from "~/components/form-field";
import { generateSeats, layoutSpecSchema, seatCount } from "~/domain/layouts";
import type { SeatPlace } from "~/domain/shows.server";
import { formToObject } from "~/http/form-object";
import { buildSeatMapTemplate, joinSeatMap } from "~/seat-map/html";

export type ShowKindChoice = "THEATRE" | "BUS" | "DOCTOR";
type Values = Record<string, string>;

export interface ShowFormProps {
  kind: ShowKindChoice;
  values: Values;
  fieldErrors: Record<string, string>;
  formError?: string;
  /** The map as the server drew it for the Preview step (no JavaScript). */
  previewHtml?: string;
  previewSummary?: string;
}

const count = (values: Values, prefix: string, fallback: number) => {
  let n = 0;
  for (const key of Object.keys(values)) {
    const m = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(\\d+)\\.`).exec(key);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return Math.max(n, fallback);
};

function Field(props: {
  name: string;
  label: string;
  values: Values;
  errors: Record<string, string>;
  type?: string;
  hint?: string;
  list?: string;
  required?: boolean;
  inputMode?: "numeric" | "decimal";
  /** A text area (a description), across the form's width. */
  multiline?: boolean;
}) {
  const id = `f-${props.name.replace(/\./g, "-")}`;
  const error = props.errors[props.name];
  const common = {
    id,
    name: props.name,
    defaultValue: props.values[props.name] ?? "",
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? `${id}-error` : props.hint ? `${id}-hint` : undefined,
    className: `block w-full rounded border px-3 py-2 ${error ? "border-red-500" : "border-slate-300"}`,
  };
  return (
    <div className={`space-y-1${props.multiline ? " sm:col-span-2" : ""}`}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {props.label}
      </label>
      {props.multiline ? (
        <textarea {...common} rows={4} />
      ) : (
        <input {...common} type={props.type ?? "text"} list={props.list} inputMode={props.inputMode} required={props.required} />
      )}
      {props.hint ? (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {props.hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** ["priceZones.0", 1], ["priceZones.1", 2]…: each repeated group's field prefix and its number for people. */
const numbered = (prefix: string, n: number): Array<[string, number]> => Array.from({ length: n }, (_, i) => [`${prefix}.${i}`, i + 1]);

const TIME_ZONES = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["Europe/London", "UTC"];

/** Create a show: the facts, its price zones, and the layout of its kind; Preview draws the map before anything is saved. */
export function ShowForm({ kind, values, fieldErrors, formError, previewHtml, previewSummary }: ShowFormProps) {
  const v = { currency: "GBP", timeZone: "Europe/London", ...values };
  const zones = count(v, "priceZones", 1);
  const sections = count(v, "layout.sections", 1);
  const form = useRef<HTMLFormElement>(null);
  // Remounted per kind (see the route's key), so the preview follows the kind too.
  const live = useLivePreview(form);
  const f = (name: string, label: string, extra: Partial<Parameters<typeof Field>[0]> = {}) => (
    <Field name={name} label={label} values={v} errors={fieldErrors} {...extra} />
  );
  return (
    <Form method="post" ref={form} className="space-y-6" noValidate>
      {/* Enter in a field previews (the form's first submit button is the one Enter presses). */}
      <button type="submit" name="intent" value="preview" className="sr-only" tabIndex={-1} aria-hidden="true">
        Preview
      </button>
      <FormError message={formError} />
      <input type="hidden" name="layout.kind" value={kind} />
      <fieldset className="grid gap-4 sm:grid-cols-2">
        <legend className="mb-2 text-lg font-semibold">The show</legend>
        {f("name", "Name")}
        {f("description", "Description (optional)", {
          multiline: true,
          hint: "What buyers read on the show's page: plain text, paragraphs kept",
        })}
        {f("venue", "Venue")}
        {f("city", "City")}
        {f("timeZone", "Venue's time zone", { list: "time-zones", hint: "An IANA name, like Europe/London" })}
        {kind === "DOCTOR"
          ? f("startsAt", "Date", { type: "date" })
          : f("startsAt", "Starts at (venue's time)", { type: "datetime-local" })}
        {f("currency", "Currency", { hint: "Three letters, like GBP or EUR" })}
        {f("maxSeatsPerCustomer", kind === "DOCTOR" ? "Slots one patient may hold" : "Seats one customer may hold", {
          inputMode: "numeric",
          hint: kind === "DOCTOR" ? "Leave empty for 1" : "Leave empty for the site's limit",
        })}
      </fieldset>
      <datalist id="time-zones">
        {TIME_ZONES.map((tz) => (
          <option key={tz} value={tz} />
        ))}
      </datalist>
      <fieldset className="space-y-3">
        <legend className="mb-2 text-lg font-semibold">Price zones</legend>
        <FormError message={fieldErrors.priceZones} />
        {numbered("priceZones", zones).map(([prefix, n]) => (
          <div key={prefix} className="grid gap-3 sm:grid-cols-2">
            {f(`${prefix}.name`, `Zone ${n} name`, { hint: n === 1 ? "For example Premium, Standard" : undefined })}
            {f(`${prefix}.price`, `Zone ${n} price`, { inputMode: "decimal", hint: "Like 35 or 35.50" })}
          </div>
        ))}
        <SubmitButton intent="add-zone" variant="secondary" busyLabel="Adding…">
          Add a price zone
        </SubmitButton>
      </fieldset>
      <LayoutFields kind={kind} sections={sections} f={f} errors={fieldErrors} />
      <section aria-labelledby="preview-heading" className="space-y-2">
        <h2 id="preview-heading" className="text-lg font-semibold">
          Preview
        </h2>
        <p aria-live="polite" className="text-sm text-slate-700">
          {live.summary ?? previewSummary ?? "Press Preview to see the map before saving."}
        </p>
        {live.html || previewHtml ? (
          <div className="seat-map-scroll pointer-events-none rounded-lg border border-slate-200 bg-white" aria-hidden="true">
            {/* biome-ignore lint/security/noDangerouslySetInnerHtml: built by seat-map-html.ts, which escapes every label */}
            <div dangerouslySetInnerHTML={{ __html: live.html ?? previewHtml ?? "" }} />
          </div>
        ) : null}
      </section>
      <div className="flex flex-wrap gap-3">
        <SubmitButton intent="preview" variant="secondary" busyLabel="Drawing…">
          Preview
        </SubmitButton>
        <SubmitButton intent="create" busyLabel="Creating…">
          Create show
        </SubmitButton>
      </div>
    </Form>
  );
}

function LayoutFields(props: {
  kind: ShowKindChoice;
  sections: number;
  f: (name: string, label: string, extra?: Partial<Parameters<typeof Field>[0]>) => React.ReactNode;
  errors: Record<string, string>;
}) {
  const { kind, f } = props;
  if (kind === "BUS") {
    return (
      <fieldset className="grid gap-4 sm:grid-cols-3">
        <legend className="mb-2 text-lg font-semibold">Coach</legend>
        {f("layout.arrangement", "Seats per row", { hint: '"2+2" or "2+1"', list: "arrangements" })}
        <datalist id="arrangements">
          <option value="2+2" />
          <option value="2+1" />
        </datalist>
        {f("layout.lowerSeats", "Lower deck seats", { inputMode: "numeric" })}
        {f("layout.upperSeats", "Upper deck seats", { inputMode: "numeric", hint: "0 for a single-deck coach" })}
      </fieldset>
    );
  }
  if (kind === "DOCTOR") {
    return (
      <fieldset className="grid gap-4 sm:grid-cols-3">
        <legend className="mb-2 text-lg font-semibold">Appointments</legend>
        {f("layout.start", "First slot", { type: "time" })}
        {f("layout.end", "Day ends", { type: "time", hint: "No slot runs past this" })}
        {f("layout.everyMinutes", "Minutes per slot", { inputMode: "numeric" })}
      </fieldset>
    );
  }
  return (
    <fieldset className="space-y-4">
      <legend className="mb-2 text-lg font-semibold">Sections</legend>
      <FormError message={props.errors["layout.sections"] ?? props.errors.layout} />
      {numbered("layout.sections", props.sections).map(([prefix, n]) => (
        <div key={prefix} className="grid gap-3 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-6">
          {f(`${prefix}.name`, `Section ${n}`, { hint: n === 1 ? "Stalls, Circle, Block 101…" : undefined })}
          {f(`${prefix}.rows`, "Rows", { inputMode: "numeric" })}
          {f(`${prefix}.seatsPerRow`, "Seats per row", { inputMode: "numeric" })}
          {f(`${prefix}.aisleAfter`, "Aisles after seats", { hint: "Like 4, 10" })}
          {f(`${prefix}.zone`, "Price zone", { hint: "A zone's name" })}
          {f(`${prefix}.band`, "Band", { inputMode: "numeric", hint: "Optional: one band's sections stand side by side, 0 at the stage" })}
        </div>
      ))}
      <SubmitButton intent="add-section" variant="secondary" busyLabel="Adding…">
        Add a section
      </SubmitButton>
    </fieldset>
  );
}

/** A map to look at, not to use: every seat free, nothing focusable. */
export function previewMarkup(layout: Parameters<typeof buildSeatMapTemplate>[0], places: SeatPlace[]): string {
  return joinSeatMap(buildSeatMapTemplate(layout, places), "A".repeat(places.length)).replaceAll(
    'type="checkbox"',
    'type="checkbox" disabled tabindex="-1"',
  );
}

/** With JavaScript the map redraws as the form changes, in the browser, from the same layout code as the server. */
function useLivePreview(form: React.RefObject<HTMLFormElement>) {
  const [state, setState] = useState<{ html?: string; summary?: string }>({});
  useEffect(() => {
    const element = form.current;
    if (!element) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const draw = () => {
      const data = formToObject(new FormData(element), ["layout", "priceZones"]) as {
        layout?: unknown;
        priceZones?: Array<{ name?: string }>;
      };
      const parsed = layoutSpecSchema.safeParse(data.layout);
      if (!parsed.success) {
        setState({ summary: `Not drawn yet: ${parsed.error.issues[0]?.message ?? "the layout is incomplete"}` });
        return;
      }
      const zones = (data.priceZones ?? []).map((z) => (z.name ?? "").toLowerCase());
      const places: SeatPlace[] = generateSeats(parsed.data).map((p, i) => ({
        id: i + 1,
        label: p.label,
        row: p.row,
        col: p.col,
        deck: p.deck,
        slot: p.slot,
        section: p.section ?? null,
        zone: Math.max(0, zones.indexOf((p.zone ?? "").toLowerCase())),
      }));
      const total = seatCount(parsed.data);
      if (total > 2000) {
        setState({ summary: `${total.toLocaleString("en")} seats: too many to draw here; they will be created as laid out.` });
        return;
      }
      setState({ html: previewMarkup(parsed.data, places), summary: `${total.toLocaleString("en")} seats` });
    };
    const onInput = () => {
      clearTimeout(timer);
      timer = setTimeout(draw, 250);
    };
    element.addEventListener("input", onInput);
    draw();
    return () => {
      clearTimeout(timer);
      element.removeEventListener("input", onInput);
    };
  }, [form]);
  return state;
}
