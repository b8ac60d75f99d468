import { formatCount } from "~/domain/time";
import type { SectionView } from "~/domain/venue.server";

export interface VenuePlanProps {
  /** With `label`, what the section's link and option say (the admin's counts by state); else its seats left. */
  sections: Array<SectionView & { label?: string }>;
  /** The open section's name, if any. */
  current: string | null;
  zones: Array<{ name: string; price: string }>;
}

/** Space above the sections for the stage, in seat widths. */
const STAGE = 8;

/**
 * The venue drawn to scale from its layout: each section a block in its zone's colour, with the
 * seats left in it, and a link that opens its seats. Plain links and a plain GET form: it works
 * without JavaScript, and the page that opens is server-rendered. The list below the drawing
 * names every section with a target of a good size, for phones and screen readers alike.
 */
export function VenuePlan({ sections, current, zones }: VenuePlanProps) {
  const width = Math.max(...sections.map((s) => s.x + s.width));
  const height = Math.max(...sections.map((s) => s.y + s.height)) + STAGE;
  const zoneOf = (s: SectionView) => zones[s.zoneIndex];
  const sectionName = (s: SectionView & { label?: string }) =>
    s.label ??
    `${s.name}, ${zoneOf(s)?.name ?? ""} ${zoneOf(s)?.price ?? ""}: ${s.left === 0 ? "sold out" : `${formatCount(s.left)} of ${formatCount(s.seats)} seats left`}`;
  return (
    <section aria-labelledby="venue-plan-heading" className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="venue-plan-heading" className="text-lg font-semibold">
          {current ? "The venue" : "Pick a section"}
        </h2>
        <ul aria-label="Price zones" className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700">
          {zones.map((zone, i) => (
            <li key={zone.name} className="flex items-center gap-1.5">
              <span aria-hidden="true" className={`plan-swatch plan-z${i % 8}`} />
              {zone.name} · {zone.price}
            </li>
          ))}
        </ul>
      </div>
      <nav aria-label="Venue plan" className="rounded-lg border border-slate-200 bg-white p-2">
        <svg viewBox={`-2 -2 ${width + 4} ${height + 4}`} className="venue-plan block h-auto w-full">
          <title>The venue's sections to scale, the stage at the top: each opens its seats</title>
          <rect x={width / 2 - width / 4} y={0} width={width / 2} height={STAGE - 3} rx={2} className="venue-plan-stage-box" />
          <text x={width / 2} y={(STAGE - 3) / 2} dominantBaseline="central" textAnchor="middle" className="venue-plan-stage">
            STAGE
          </text>
          {sections.map((s) => {
            const open = s.name === current;
            return (
              <a
                key={s.name}
                href={`?section=${encodeURIComponent(s.name)}#seats`}
                aria-label={sectionName(s)}
                aria-current={open ? "true" : undefined}
              >
                <title>{sectionName(s)}</title>
                <rect
                  x={s.x}
                  y={s.y + STAGE}
                  width={s.width}
                  height={s.height - 1}
                  rx={1.5}
                  className={`venue-plan-section plan-z${s.zoneIndex % 8}${s.left === 0 ? " plan-sold-out" : ""}${open ? " plan-open" : ""}`}
                />
                <text x={s.x + s.width / 2} y={s.y + STAGE + s.height / 2 - 2} textAnchor="middle" className="venue-plan-name">
                  {s.name.replace(/^(Block|Floor) /, "")}
                </text>
                <text x={s.x + s.width / 2} y={s.y + STAGE + s.height / 2 + 4} textAnchor="middle" className="venue-plan-left">
                  {s.left === 0 ? "sold out" : formatCount(s.left)}
                </text>
              </a>
            );
          })}
        </svg>
      </nav>
      <form method="get" action="#seats" className="flex flex-wrap items-end gap-3">
        <div className="text-sm font-medium text-slate-700">
          <label htmlFor="venue-section">Section</label>
          <select
            id="venue-section"
            name="section"
            defaultValue={current ?? ""}
            className="mt-1 block min-h-9 max-w-full rounded border border-slate-300 bg-white px-2 py-1.5 text-sm"
          >
            {current ? null : <option value="">Choose a section…</option>}
            {sections.map((s) => (
              <option key={s.name} value={s.name}>
                {sectionName(s)}
              </option>
            ))}
          </select>
        </div>
        <button
          type="submit"
          className="min-h-9 rounded-md border border-slate-300 bg-white px-4 py-1.5 text-sm font-semibold text-slate-800 hover:bg-slate-50"
        >
          Show its seats
        </button>
      </form>
    </section>
  );
}
