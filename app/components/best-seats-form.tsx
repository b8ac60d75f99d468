import { Form } from "@remix-run/react";
import { BUTTON_STYLES } from "~/components/form-field";
import type { ShowKind } from "~/domain/layouts";

/**
 * "N seats together" (a clinic: "the earliest free times"): a GET form, so it works without
 * JavaScript and holds nothing. The page comes back with the best seats ticked and says which;
 * the buyer holds them with the ordinary "Hold" button.
 */
export function BestSeatsForm(props: {
  kind: ShowKind;
  zones: Array<{ name: string }>;
  max: number;
  asked?: string;
  zone?: string;
  /** A coach buyer's wish: "window" or "aisle". */
  near?: string;
  /** A big venue's sections (sold a section at a time), and the one open. */
  sections?: string[];
  section?: string;
  /** A new section's seats come with a new page (server-rendered, like the plan's links). */
  reloadDocument?: boolean;
  /** Where the answer lands (the page's seats). */
  action?: string;
}) {
  const field = "mt-1 block rounded border border-slate-300 bg-white px-2 py-1.5 text-sm";
  const clinic = props.kind === "DOCTOR";
  return (
    <Form
      method="get"
      reloadDocument={props.reloadDocument}
      action={props.action}
      className="flex flex-wrap items-end gap-3"
      aria-label={clinic ? "Earliest free times" : "Best seats together"}
    >
      <label className="text-sm font-medium text-slate-700">
        {clinic ? "Earliest free times" : "Seats together"}
        <input
          type="number"
          name="together"
          min={1}
          max={props.max}
          defaultValue={props.asked ?? String(Math.min(2, props.max))}
          className={`${field} w-24`}
          inputMode="numeric"
        />
      </label>
      {!clinic && props.zones.length > 1 ? (
        <label className="text-sm font-medium text-slate-700">
          Zone
          <select name="zone" defaultValue={props.zone ?? ""} className={field}>
            <option value="">Any</option>
            {props.zones.map((z) => (
              <option key={z.name} value={z.name}>
                {z.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {props.sections ? (
        <label className="text-sm font-medium text-slate-700">
          Where
          <select name="section" defaultValue={props.section ?? ""} className={field}>
            <option value="">Anywhere</option>
            {props.sections.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {props.kind === "BUS" ? (
        <label className="text-sm font-medium text-slate-700">
          Seat
          <select name="near" defaultValue={props.near ?? ""} className={field}>
            <option value="">Any</option>
            <option value="window">By a window</option>
            <option value="aisle">By the aisle</option>
          </select>
        </label>
      ) : null}
      <button type="submit" className={BUTTON_STYLES.secondary}>
        {clinic ? "Find them" : "Find the best seats"}
      </button>
    </Form>
  );
}
