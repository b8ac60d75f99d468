import { Form, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { FormError, SubmitButton } from "~/components/form-field";
import { ServerOnlyKey, useServerOnly } from "~/components/server-only";
import { useHydrated } from "~/components/use-hydrated";
import { listLabels } from "~/domain/errors";
import { wordsFor } from "~/domain/kind-words";
import type { ShowKind } from "~/domain/layouts";
import { formatMoney } from "~/domain/time";
import { plural } from "~/domain/words";
import { labelFromAccessibleName, SEAT_CLASS, seatAccessibleName } from "~/seat-map/html";

/** Key of the pre-rendered grid in `context.serverOnly`. */
export const SEAT_MAP_HTML = new ServerOnlyKey<string>("seat-map-html");
const ISLAND_ID = "seat-map";
const REFRESH_MS = 5_000;
/** While the live stream is up, one poll in this many (every 30 s). */
const LIVE_REFRESH_EVERY = 6;

export interface SeatMapFormProps {
  showId: string;
  /** A big venue's open section (the island holds its seats only); null: every seat. */
  section?: string | null;
  kind: ShowKind;
  /** One status code per seat, in id order (document order of the island's inputs). */
  codes: string;
  /** The show's price zones in order; a seat's zone is its label's `z<n>` class. */
  zones: Array<{ name: string; priceCents: number; price: string }>;
  currency: string;
  maxSeatsPerHold: number;
  signedIn: boolean;
  /** Seat ids ticked before a log-in, carried back in the address: ticked again when still free. */
  carried?: string[];
  error?: string;
  /** Set when seats can no longer be held (the show has started): says why, and the button is off. */
  closedMessage?: string;
  /** The map is wider than a phone: say how to pan, and offer zoom. */
  wide?: boolean;
}

/**
 * The hold form around the seat grid. The grid is an island: React renders its HTML once and
 * never again; selection, limits and fresh statuses are applied to its DOM directly, because
 * re-rendering 20,000 seats on each click or refresh would make a big map unusable.
 */
export function SeatMapForm({
  showId,
  section = null,
  kind,
  codes,
  zones,
  currency,
  maxSeatsPerHold,
  signedIn,
  carried,
  error,
  closedMessage,
  wide = false,
}: SeatMapFormProps) {
  const words = wordsFor(kind);
  const island = useRef<HTMLDivElement>(null);
  const [html, setHtml] = useIslandHtml(showId, section);
  // The codes the island's DOM shows at the moment.
  const applied = useRef(html ? codes : "");
  const latestCodes = useRef(codes);
  latestCodes.current = codes;
  // null until JavaScript runs: without it the page cannot count, so it says what to do instead.
  const [tally, setTally] = useState<{ count: number; cents: number } | null>(null);
  const prices = useRef(zones.map((z) => z.priceCents));
  prices.current = zones.map((z) => z.priceCents);
  const [notice, setNotice] = useState<string | null>(null);

  const alreadyHeld = countOf(codes, "Y");
  const allowance = useRef(0);
  allowance.current = maxSeatsPerHold - alreadyHeld;
  const limitMessage = `You can hold at most ${maxSeatsPerHold} seats at a time${alreadyHeld ? `; you already hold ${alreadyHeld}` : ""}`;
  const limit = useRef(limitMessage);
  limit.current = limitMessage;

  // After a client-side navigation the server's markup is not in the page: build it here.
  useEffect(() => {
    if (html) return;
    let cancelled = false;
    loadSeatMap(showId, section)
      .then(({ html, codes }) => {
        if (cancelled) return;
        applied.current = codes;
        setHtml(html);
      })
      .catch(() => !cancelled && setNotice("The seat map could not be loaded. Please reload the page."));
    return () => {
      cancelled = true;
    };
  }, [html, showId, section, setHtml]);

  // Fresh statuses go straight to the DOM, by index; ticked seats that were taken are unticked.
  useEffect(() => {
    const root = island.current;
    if (!root || !html) return;
    const taken = applyCodes(root, applied.current, codes);
    applied.current = codes;
    keepOneTabStop(root);
    if (taken.length) setNotice(`${listLabels(taken)} ${plural(taken.length, "was", "were")} just taken`);
    setTally(tallyOf(root, prices.current));
  }, [codes, html]);

  // Seats ticked before a log-in come back ticked (the server already ticked them in its markup;
  // after a client-side navigation the grid is built here, so they are ticked here). One that was
  // taken meanwhile, or past the limit, is named instead.
  const carriedKey = carried?.join(",") ?? "";
  useEffect(() => {
    const root = island.current;
    if (!root || !html || !carriedKey) return;
    const missed: string[] = [];
    const wanted = new Set(carriedKey.split(","));
    // The carried seats are the selection (a proposal replaces what was ticked before it).
    for (const input of root.querySelectorAll<HTMLInputElement>("input:checked")) if (!wanted.has(input.value)) input.checked = false;
    let checked = root.querySelectorAll("input:checked").length;
    for (const id of wanted) {
      const input = root.querySelector<HTMLInputElement>(`input[name="seat"][value="${id}"]`);
      if (!input || input.checked) continue;
      if (input.disabled || checked >= allowance.current) {
        missed.push(labelFromAccessibleName(input.getAttribute("aria-label") ?? ""));
        continue;
      }
      input.checked = true;
      checked += 1;
    }
    if (missed.length) setNotice(`${listLabels(missed)} could not be ticked again: taken meanwhile, or past your limit`);
    setTally(tallyOf(root, prices.current));
  }, [html, carriedKey]);

  // The keyboard: the grid is one tab stop (a roving tabindex, set once JavaScript runs: without
  // it every free seat is a tab stop, and the skip link leads past them). Arrows move between free
  // seats (up and down to the nearest one in the row above or below, as drawn), Home and End to
  // the first and the last, PageUp and PageDown to the section (or coach deck) before or after
  // (in one section: ten rows up or down), Space ticks, Tab leaves for the summary and "Hold seats".
  useEffect(() => {
    const root = island.current;
    if (!root || !html) return;
    for (const input of root.querySelectorAll<HTMLInputElement>('input[name="seat"]')) input.tabIndex = -1;
    keepOneTabStop(root);
    const onKeyDown = (event: KeyboardEvent) => {
      const current = event.target as HTMLInputElement;
      if (current.name !== "seat" || event.altKey || event.ctrlKey || event.metaKey) return;
      const free = [...root.querySelectorAll<HTMLInputElement>('input[name="seat"]:not(:disabled)')];
      const at = free.indexOf(current);
      let next: HTMLInputElement | undefined;
      if (event.key === "ArrowRight") next = free[at + 1];
      else if (event.key === "ArrowLeft") next = free[at - 1];
      else if (event.key === "Home") next = free[0];
      else if (event.key === "End") next = free[free.length - 1];
      else if (event.key === "ArrowDown" || event.key === "ArrowUp") next = nearestAcross(free, current, event.key === "ArrowDown");
      else if (event.key === "PageDown" || event.key === "PageUp") next = pageFrom(root, free, current, event.key === "PageDown");
      else return;
      event.preventDefault();
      if (!next) return;
      current.tabIndex = -1;
      next.tabIndex = 0;
      next.focus();
    };
    root.addEventListener("keydown", onKeyDown);
    return () => root.removeEventListener("keydown", onKeyDown);
  }, [html]);

  // One listener for the whole grid (event delegation), not one per seat.
  useEffect(() => {
    const root = island.current;
    if (!root) return;
    const onChange = (event: Event) => {
      const input = event.target as HTMLInputElement;
      if (input.name !== "seat") return;
      let checked = root.querySelectorAll("input:checked").length;
      if (input.checked && checked > allowance.current) {
        input.checked = false;
        checked -= 1;
        setNotice(limit.current);
      } else {
        setNotice(null);
      }
      setTally(tallyOf(root, prices.current));
    };
    root.addEventListener("change", onChange);
    return () => root.removeEventListener("change", onChange);
  }, []);

  // Live changes (Server-Sent Events, fed by PostgreSQL's NOTIFY from whichever instance made
  // them): applied to the DOM as they come; the poll slows down while the stream is up.
  const live = useRef(false);
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;
  // While this page's own hold is on its way, the stream's news of those very seats being held
  // must not untick them and say "just taken": the answer (or the next load) tells the truth.
  const navigation = useNavigation();
  const submitting = useRef(false);
  submitting.current = navigation.state !== "idle";
  useEffect(() => {
    const root = island.current;
    if (!root || !html || typeof EventSource === "undefined") return;
    const index = new Map<string, number>();
    const inputs = root.getElementsByTagName("input");
    for (let i = 0; i < inputs.length; i++) index.set(inputs[i].value, i);
    const source = new EventSource(`/shows/${encodeURIComponent(showId)}/events`);
    // The stream says whether it is live; on going live the page fetches the whole truth once
    // (what changed before the stream was listening), then trusts the stream and polls slowly.
    source.onerror = () => {
      live.current = false;
    };
    source.onmessage = (event) => {
      const change = JSON.parse(event.data) as { live?: boolean; all?: boolean; c?: Record<string, string> };
      if (change.live !== undefined) {
        live.current = change.live;
        if (change.live) revalidate.current();
        return;
      }
      if (change.all) return revalidate.current();
      if (submitting.current) return;
      const next = applyDelta(applied.current, change.c ?? {}, index);
      if (next === applied.current) return;
      const taken = applyCodes(root, applied.current, next);
      applied.current = next;
      keepOneTabStop(root);
      if (taken.length) setNotice(`${listLabels(taken)} ${plural(taken.length, "was", "were")} just taken`);
      setTally(tallyOf(root, prices.current));
    };
    return () => {
      live.current = false;
      source.close();
    };
  }, [html, showId]);

  useSeatRefresh(live);

  const summary =
    tally === null
      ? `Tick ${words.many}, then ${words.hold}`
      : `${tally.count} ${plural(tally.count, words.one, words.many)} selected · total ${formatMoney(tally.cents, currency)}`;

  return (
    <Form method="post" className="space-y-4" aria-labelledby="seat-map-heading">
      <FormError message={error} />
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="seat-map-heading" className="text-lg font-semibold">
          {words.pick}
        </h2>
        <SeatLegend codes={codes} />
        <ZoneLegend zones={zones} />
      </div>
      <a
        href="#seat-summary"
        className="sr-only rounded bg-brand-600 px-3 py-2 font-semibold text-white focus:not-sr-only focus:inline-block"
      >
        Skip past the map to your selection and {words.hold}
      </a>
      {wide ? <MapZoom island={island} /> : null}
      <div className="seat-map-scroll rounded-lg border border-slate-200 bg-white">
        <div
          id={ISLAND_ID}
          data-show-id={showId}
          data-section={section ?? ""}
          ref={island}
          // biome-ignore lint/security/noDangerouslySetInnerHtml: the island's markup is built by seat-map-html.ts, which escapes every label; see docs/decisions/0006-seat-map-island.md
          dangerouslySetInnerHTML={{ __html: html }}
          suppressHydrationWarning
        />
      </div>
      <div
        id="seat-summary"
        tabIndex={-1}
        // Stays on screen at the bottom while the buyer scrolls a long map (a phone above all).
        className="sticky bottom-0 z-10 flex flex-wrap items-center gap-x-4 gap-y-2 rounded-lg border border-slate-200 bg-white p-3 shadow-[0_-4px_12px_rgba(15,23,42,0.08)] sm:p-4"
      >
        <div className="min-w-0 flex-1 text-sm">
          <p aria-live="polite" className="font-medium" data-testid="selection-summary">
            {summary}
          </p>
          <p aria-live="polite" className="text-amber-800">
            {closedMessage ?? notice}
          </p>
          {signedIn ? null : (
            <p className="text-slate-600">
              You will be asked to{" "}
              <a href={`/login?${new URLSearchParams({ redirectTo: `/shows/${showId}` })}`} className="text-brand-600 underline">
                log in
              </a>{" "}
              before your {plural(maxSeatsPerHold, `${words.one} is`, `${words.many} are`)} held.
            </p>
          )}
        </div>
        <SubmitButton intent="hold" busyLabel="Holding…" disabled={Boolean(closedMessage)} className="px-5">
          {words.hold}
        </SubmitButton>
      </div>
    </Form>
  );
}

/** Map sizes a buyer can choose: seat widths in rem. */
const ZOOMS = [1.5, 1.75, 2.25, 2.75];

/**
 * A wide map on a phone: it says it scrolls sideways (without JavaScript too), and with
 * JavaScript offers bigger and smaller seats. Pinching zooms the page as ever.
 */
function MapZoom({ island }: { island: React.RefObject<HTMLDivElement> }) {
  const hydrated = useHydrated();
  const [zoom, setZoom] = useState(1);
  useEffect(() => {
    const map = island.current?.querySelector<HTMLElement>(".seat-map");
    if (map) map.style.setProperty("--seat", `${ZOOMS[zoom]}rem`);
  }, [zoom, island]);
  const button =
    "min-h-9 min-w-9 rounded-md border border-slate-300 bg-white px-2 text-base font-semibold text-slate-800 disabled:opacity-40";
  return (
    <div className="flex flex-wrap items-center justify-between gap-2 text-sm text-slate-700">
      <p>The map scrolls: swipe or scroll to see every seat.</p>
      {hydrated ? (
        <fieldset aria-label="Map size" className="flex gap-1">
          <button type="button" className={button} onClick={() => setZoom((z) => z - 1)} disabled={zoom === 0} aria-label="Smaller seats">
            −
          </button>
          <button
            type="button"
            className={button}
            onClick={() => setZoom((z) => z + 1)}
            disabled={zoom === ZOOMS.length - 1}
            aria-label="Bigger seats"
          >
            +
          </button>
        </fieldset>
      ) : null}
    </div>
  );
}

function ZoneLegend({ zones }: { zones: SeatMapFormProps["zones"] }) {
  if (zones.length < 2) return null;
  return (
    <ul aria-label="Price zones" className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700">
      {zones.map((zone, i) => (
        <li key={zone.name} className="flex items-center gap-1.5">
          <span aria-hidden="true" className={`seat seat-swatch zone-swatch z${i} seat-available`} />
          {zone.name} · {zone.price}
        </li>
      ))}
    </ul>
  );
}

function SeatLegend({ codes }: { codes: string }) {
  const items = [
    ["seat-available", "Available"],
    ["seat-held", "Held"],
    ["seat-booked", "Booked"],
    ["seat-yours", "Held by you"],
    ["seat-selected", "Your selection"],
    ...(codes.includes("X") ? [["seat-blocked", "Not for sale"]] : []),
    ...(codes.includes("P") ? [["seat-past", "Past"]] : []),
  ];
  return (
    <ul aria-label="Legend" className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700">
      {items.map(([className, text]) => (
        <li key={className} className="flex items-center gap-1.5">
          <span aria-hidden="true" className={`seat seat-swatch ${className}`} />
          {text}
        </li>
      ))}
    </ul>
  );
}

/**
 * The island's HTML for the first render. On the server it is what the loader rendered; while
 * hydrating it is the markup already in the page, so React sees the same string and leaves it be.
 */
function useIslandHtml(showId: string, section: string | null) {
  const serverHtml = useServerOnly(SEAT_MAP_HTML);
  return useState(() => {
    if (serverHtml !== undefined || typeof document === "undefined") return serverHtml ?? "";
    const existing = document.getElementById(ISLAND_ID);
    return existing?.dataset.showId === showId && existing.dataset.section === (section ?? "") ? existing.innerHTML : "";
  });
}

/**
 * The codes after a live change (seat id → A, H, B or X), for the seats this map shows. A seat
 * the viewer holds stays "yours" while the change says "held" (whose hold it is never travels).
 */
export function applyDelta(codes: string, change: Record<string, string>, index: ReadonlyMap<string, number>): string {
  let next = codes;
  for (const [seatId, code] of Object.entries(change)) {
    const i = index.get(seatId);
    if (i === undefined || !SEAT_CLASS[code]) continue;
    const now = next[i] === "Y" && code === "H" ? "Y" : code;
    if (next[i] !== now) next = next.slice(0, i) + now + next.slice(i + 1);
  }
  return next;
}

/**
 * Reloads the page's data (and so `codes`) while the tab is visible: every few seconds, or every
 * thirty while the live stream is up (the poll then only catches what no stream says: a hold
 * running out before the sweeper frees it, whose seats are yours).
 */
function useSeatRefresh(live: React.RefObject<boolean>) {
  const revalidator = useRevalidator();
  const navigation = useNavigation();
  const state = useRef({ revalidator, busy: false });
  state.current = { revalidator, busy: revalidator.state !== "idle" || navigation.state !== "idle" };
  useEffect(() => {
    const refresh = () => {
      if (document.visibilityState === "visible" && !state.current.busy) state.current.revalidator.revalidate();
    };
    let ticks = 0;
    const timer = window.setInterval(() => {
      ticks += 1;
      if (!live.current || ticks % LIVE_REFRESH_EVERY === 0) refresh();
    }, REFRESH_MS);
    const onVisible = () => document.visibilityState === "visible" && refresh();
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [live]);
}

/** Applies codes to the island's inputs by index, touching only seats whose state changed. */
/** One free seat of the grid is in the tab order (a ticked one if any): the others are reached by arrows. */
function keepOneTabStop(root: HTMLElement) {
  const current = root.querySelector<HTMLInputElement>('input[name="seat"][tabindex="0"]:not(:disabled)');
  if (current) return;
  for (const input of root.querySelectorAll<HTMLInputElement>('input[name="seat"][tabindex="0"]')) input.tabIndex = -1;
  const next =
    root.querySelector<HTMLInputElement>('input[name="seat"]:checked:not(:disabled)') ??
    root.querySelector<HTMLInputElement>('input[name="seat"]:not(:disabled)');
  if (next) next.tabIndex = 0;
}

/** PageDown (PageUp): the first free seat of the next (previous) section or deck; with one, ten rows on. */
function pageFrom(root: HTMLElement, free: HTMLInputElement[], from: HTMLInputElement, down: boolean): HTMLInputElement | undefined {
  const groups = [...root.querySelectorAll<HTMLElement>(".seat-section, .seat-deck")];
  if (groups.length > 1) {
    const at = groups.findIndex((g) => g.contains(from));
    for (let i = at + (down ? 1 : -1); i >= 0 && i < groups.length; i += down ? 1 : -1) {
      const first = groups[i].querySelector<HTMLInputElement>('input[name="seat"]:not(:disabled)');
      if (first) return first;
    }
    return undefined;
  }
  let next: HTMLInputElement | undefined = from;
  for (let step = 0; step < 10; step++) {
    const further = nearestAcross(free, next, down);
    if (!further) break;
    next = further;
  }
  return next === from ? undefined : next;
}

/** The free seat nearest below (or above) `from` as drawn: the closest row that way, then the closest column in it. */
function nearestAcross(free: HTMLInputElement[], from: HTMLInputElement, down: boolean): HTMLInputElement | undefined {
  const box = (input: HTMLInputElement) => (input.parentElement ?? input).getBoundingClientRect();
  const origin = box(from);
  const x = origin.left + origin.width / 2;
  let best: HTMLInputElement | undefined;
  let bestDy = Number.POSITIVE_INFINITY;
  let bestDx = Number.POSITIVE_INFINITY;
  for (const input of free) {
    const b = box(input);
    const dy = down ? b.top - origin.top : origin.top - b.top;
    if (dy < origin.height / 2) continue;
    const dx = Math.abs(b.left + b.width / 2 - x);
    if (dy < bestDy - 2 || (Math.abs(dy - bestDy) <= 2 && dx < bestDx)) {
      best = input;
      bestDy = dy;
      bestDx = dx;
    }
  }
  return best;
}

function applyCodes(root: HTMLElement, previous: string, codes: string): string[] {
  const inputs = root.getElementsByTagName("input");
  const taken: string[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const code = SEAT_CLASS[codes[i]] ? codes[i] : "H";
    if (previous[i] === code) continue;
    const input = inputs[i];
    const label = labelFromAccessibleName(input.getAttribute("aria-label") ?? "");
    const free = code === "A";
    if (!free && input.checked) {
      input.checked = false;
      taken.push(label);
    }
    input.disabled = !free;
    input.setAttribute("aria-label", seatAccessibleName(label, code));
    // Only the state class changes; the seat's zone class stays.
    if (input.parentElement)
      input.parentElement.className = input.parentElement.className.replace(/\bseat-\w+/, `seat-${SEAT_CLASS[code]}`);
  }
  return taken;
}

/** The island's markup and the codes it was built with, from the server (routes/shows.$showId_.seat-map.ts). */
async function loadSeatMap(showId: string, section: string | null): Promise<{ html: string; codes: string }> {
  const query = section ? `?${new URLSearchParams({ section })}` : "";
  const response = await fetch(`/shows/${encodeURIComponent(showId)}/seat-map${query}`, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`Seat map request failed with ${response.status}`);
  return (await response.json()) as { html: string; codes: string };
}

/** The ticked seats and what they cost: each seat's price is its zone's (the label's `z<n>` class). */
function tallyOf(root: HTMLElement, prices: number[]) {
  let cents = 0;
  const ticked = root.querySelectorAll<HTMLInputElement>("input:checked");
  for (const input of ticked) cents += prices[Number(/\bz(\d+)\b/.exec(input.parentElement?.className ?? "")?.[1] ?? 0)] ?? 0;
  return { count: ticked.length, cents };
}

function countOf(text: string, char: string) {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text[i] === char) n++;
  return n;
}
