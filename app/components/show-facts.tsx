import { KIND_NAMES, wordsFor } from "~/domain/kind-words";
import { formatCount } from "~/domain/time";
import type { ShowView } from "~/domain/views.server";

export interface ShowFactsProps {
  show: Pick<ShowView, "name" | "description" | "kind" | "venue" | "city" | "time" | "price" | "totalSeats">;
  seatsLeft: number;
  /** Priced by zone: the price is the lowest ("from £35.00"). */
  zoned?: boolean;
}

/** The show page's heading and facts: what, where, when, how much, how many left. */
export function ShowFacts({ show, seatsLeft, zoned = false }: ShowFactsProps) {
  return (
    <div className="space-y-2">
      <p className="text-xs font-semibold uppercase tracking-wide text-brand-700">{KIND_NAMES[show.kind]}</p>
      <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">{show.name}</h1>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm text-slate-700 sm:flex sm:flex-wrap sm:gap-x-6">
        <div className="contents sm:block">
          <dt className="font-medium text-slate-500 sm:sr-only">Where</dt>
          <dd>
            {show.venue}, {show.city}
          </dd>
        </div>
        <div className="contents sm:block">
          <dt className="font-medium text-slate-500 sm:sr-only">When</dt>
          <dd>
            <time>{show.time}</time>
          </dd>
        </div>
        <div className="contents sm:block">
          <dt className="font-medium text-slate-500 sm:sr-only">Price</dt>
          <dd>
            {zoned ? "from " : ""}
            {show.price} per {wordsFor(show.kind).one}
          </dd>
        </div>
        <div className="contents sm:block">
          <dt className="font-medium text-slate-500 sm:sr-only">Seats</dt>
          <dd data-testid="seats-left">
            {formatCount(seatsLeft)} of {formatCount(show.totalSeats)} {wordsFor(show.kind).left}
          </dd>
        </div>
      </dl>
      {show.description ? (
        <div className="max-w-prose space-y-2 text-slate-700" data-testid="show-description">
          {show.description.split(/\n{2,}/).map((paragraph, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the paragraphs of one text, in order, never reordered
            <p key={i} className="whitespace-pre-line">
              {paragraph}
            </p>
          ))}
        </div>
      ) : null}
    </div>
  );
}
