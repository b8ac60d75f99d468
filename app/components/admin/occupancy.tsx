export interface Occupancy {
  available: number;
  held: number;
  booked: number;
  blocked: number;
  past: number;
}

const PARTS: Array<[keyof Occupancy, string, string]> = [
  ["booked", "sold", "bg-slate-700"],
  ["held", "held", "bg-amber-500"],
  ["blocked", "not for sale", "bg-slate-300 bg-[repeating-linear-gradient(45deg,#cbd5e1_0_2px,#fff_2px_5px)]"],
  ["past", "past", "bg-slate-200"],
  ["available", "available", "bg-green-600"],
];

/** A show's seats as one bar (sold, held, blocked, past, available), with the numbers in words beside it. */
export function OccupancyBar({ counts, total }: { counts: Occupancy; total: number }) {
  const words = PARTS.filter(([key]) => counts[key] > 0)
    .map(([key, word]) => `${counts[key].toLocaleString("en")} ${word}`)
    .join(" · ");
  return (
    <div className="space-y-1">
      <div className="flex h-3 w-full overflow-hidden rounded bg-slate-100" aria-hidden="true">
        {PARTS.map(([key, , colour]) =>
          counts[key] > 0 ? <span key={key} className={colour} style={{ width: `${(counts[key] / Math.max(1, total)) * 100}%` }} /> : null,
        )}
      </div>
      <p className="text-xs text-slate-600">{words}</p>
    </div>
  );
}

export function AdminNav() {
  return (
    <nav aria-label="Admin" className="flex flex-wrap gap-2 text-sm">
      <a href="/admin" className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100">
        Dashboard
      </a>
      <a href="/admin/shows" className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100">
        Shows
      </a>
      <a href="/admin/shows/new" className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100">
        New show
      </a>
      <a href="/admin/bookings" className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100">
        Bookings
      </a>
      <a href="/door" className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100">
        Door
      </a>
      <a href="/admin/users" className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100">
        Users
      </a>
    </nav>
  );
}
