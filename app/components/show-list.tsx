import { Form, Link } from "@remix-run/react";
import { BUTTON_STYLES } from "~/components/form-field";
import { KIND_NAMES, wordsFor } from "~/domain/kind-words";
import type { ShowKind } from "~/domain/layouts";
import { formatCount } from "~/domain/time";

export interface ShowListItem {
  id: string;
  name: string;
  kind: ShowKind;
  venue: string;
  city: string;
  time: string;
  price: string;
  seatsLeft: number;
  totalSeats: number;
}

/** The home page's list of upcoming shows. */
export function ShowList({ shows }: { shows: ShowListItem[] }) {
  if (shows.length === 0) {
    return (
      <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-slate-600">
        No upcoming shows yet. Check back soon.
      </p>
    );
  }
  return (
    <ul className="grid gap-4 sm:grid-cols-2">
      {shows.map((show) => (
        <li
          key={show.id}
          className="relative rounded-lg border border-slate-200 bg-white p-4 shadow-sm transition focus-within:outline-2 focus-within:outline-offset-2 focus-within:outline-brand-600 hover:border-brand-600 hover:shadow"
        >
          <div className="flex items-start justify-between gap-3">
            <h3 className="text-lg font-semibold leading-snug">
              {/* The seat map is always a full page load: its grid comes pre-rendered from the server.
                  The link stretches over the whole card. */}
              <Link to={`/shows/${show.id}`} reloadDocument className="outline-none after:absolute after:inset-0 after:content-['']">
                {show.name}
              </Link>
            </h3>
            <span className="shrink-0 rounded-full bg-brand-50 px-2 py-0.5 text-xs font-medium text-brand-700">
              {KIND_NAMES[show.kind]}
            </span>
          </div>
          <p className="mt-1 text-sm text-slate-600">
            {show.venue}, {show.city}
          </p>
          <p className="mt-1 text-sm text-slate-800">{show.time}</p>
          <p className="mt-3 flex flex-wrap items-baseline justify-between gap-2 text-sm">
            <span className="font-semibold">{show.price}</span>
            <span className={show.seatsLeft === 0 ? "font-medium text-red-700" : "text-slate-600"}>
              {formatCount(show.seatsLeft)} of {formatCount(show.totalSeats)} {wordsFor(show.kind).left}
            </span>
          </p>
        </li>
      ))}
    </ul>
  );
}

const KIND_OPTIONS = [
  ["", "Everything"],
  ["SHOW", "Shows"],
  ["BUS", "Coach trips"],
  ["DOCTOR", "Clinics"],
] as const;

/**
 * The shows page's filters: a GET form (the filters are in the address, so a filtered list can be
 * shared and works without JavaScript); with JavaScript Remix fetches the list without a reload.
 */
export function ShowFilters({ cities, filter }: { cities: string[]; filter: { kind?: string; city?: string; from?: string } }) {
  const field = "mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1.5 text-sm";
  return (
    <Form method="get" className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3" aria-label="Filter shows">
      <label className="min-w-[9rem] flex-1 text-sm font-medium text-slate-700">
        Kind
        <select name="kind" defaultValue={filter.kind ?? ""} className={field}>
          {KIND_OPTIONS.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </label>
      <label className="min-w-[9rem] flex-1 text-sm font-medium text-slate-700">
        City
        <select name="city" defaultValue={filter.city ?? ""} className={field}>
          <option value="">Anywhere</option>
          {cities.map((city) => (
            <option key={city} value={city}>
              {city}
            </option>
          ))}
        </select>
      </label>
      <label className="min-w-[9rem] flex-1 text-sm font-medium text-slate-700">
        On or after
        <input type="date" name="from" defaultValue={filter.from ?? ""} className={field} />
      </label>
      <div className="flex items-center gap-3">
        <button type="submit" className={BUTTON_STYLES.primary}>
          Filter
        </button>
        <Link to="/" className="text-sm text-brand-600 underline">
          Clear
        </Link>
      </div>
    </Form>
  );
}
