/**
 * The seat grid as an HTML string. Pure and isomorphic: the server renders it into the page
 * (it is never hydration data), and the browser builds the same string when it has to (after a
 * client-side navigation). A 20,000-seat map is 20,000 labels, so the markup per seat is kept to
 * the minimum and the static parts are built once per show (see app/seat-map/segments.server.ts): a
 * request only joins strings.
 *
 * Seats appear in the document in id order, which is the order of the status codes string:
 * the browser applies fresh codes to the inputs by index.
 */
import { busSeatPosition, type LayoutSpec } from "~/domain/layouts";
import type { SeatPlace } from "~/domain/shows.server";

/** Status code (see SEAT_CODES in domain/seat-state.ts) → the class after `seat-`. Unknown codes count as taken. */
export const SEAT_CLASS: Record<string, string> = { A: "available", H: "held", Y: "yours", B: "booked", X: "blocked", P: "past" };
/** Status code → what follows the label in the accessible name. */
export const SEAT_STATE_SUFFIX: Record<string, string> = {
  A: "",
  H: " (held)",
  Y: " (held by you)",
  B: " (booked)",
  X: " (not for sale)",
  P: " (past)",
};

const STATE_SUFFIX = / \((?:held|held by you|booked|not for sale|past)\)$/;

/** "A1" from "A1 (booked)": the seat's label from an accessible name made here. */
export const labelFromAccessibleName = (name: string) => name.replace(STATE_SUFFIX, "");

export function seatAccessibleName(label: string, code: string): string {
  return label + (SEAT_STATE_SUFFIX[code] ?? SEAT_STATE_SUFFIX.H);
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/**
 * A show's seat map with holes where each seat's state goes. Seat i is
 * `before[i] + class + mid[i] + suffix + state attributes + after[i]`; `end` closes the map.
 */
export interface SeatMapTemplate {
  ids: number[];
  before: string[];
  mid: string[];
  after: string[];
  end: string;
  /** Index of the first seat of each row: the server keeps each row's bytes between requests. */
  rowStarts: number[];
}

type Kind = LayoutSpec["kind"];

const cell = (className: string, text = "") => `<span class="${className}" aria-hidden="true">${escapeHtml(text)}</span>`;
const GAP = '<span class="seat-gap"></span>';

/**
 * What a seat shows: a theatre seat its number ("12" of "A12": the row is at the row's ends), a
 * coach seat its whole label ("L5", as on the ticket), a clinic slot its time.
 */
function shortText(kind: Kind, place: SeatPlace): string {
  if (kind === "DOCTOR") return place.slot ?? place.label;
  if (kind === "BUS") return place.label;
  return /\d+$/.exec(place.label)?.[0] ?? place.label;
}

/** What starts a row: theatre row letters (labels are [section] row name + seat number), clinic hours. */
function rowName(kind: Kind, first: SeatPlace): string {
  if (kind === "THEATRE") return (first.section ? first.label.slice(first.section.length + 1) : first.label).replace(/\d+$/, "");
  if (kind === "DOCTOR") return first.slot ? `${first.slot.slice(0, 2)}:00` : "";
  return "";
}

/** A named block of a theatre: a group with its name above its rows. */
function openTheatreSection(name: string | null): string {
  if (!name) return "";
  return `<div class="seat-section" role="group" aria-label="${escapeHtml(name)}"><h3 class="seat-section-title">${escapeHtml(name)}</h3>`;
}

function openSection(kind: Kind, deck: string | null): string {
  if (kind !== "BUS") return "";
  const name = deck === "UPPER" ? "Upper deck" : "Lower deck";
  const front = deck === "UPPER" ? "Front" : "Driver";
  return (
    `<div class="seat-deck" role="group" aria-label="${name}"><h3 class="seat-deck-title">${name}</h3>` +
    `<div class="seat-front"><span class="seat-${deck === "UPPER" ? "front-label" : "driver"}">${front}</span></div>`
  );
}

/** Which side's window a coach seat is by ("l", "r"), or "" for a seat by the aisle. */
function windowSide(col: number, arrangement: "2+2" | "2+1") {
  if (busSeatPosition(col, arrangement) !== "WINDOW") return "";
  return col === 0 ? "l" : "r";
}

const closeSection = (kind: Kind) => (kind === "BUS" ? "</div>" : "");

export function buildSeatMapTemplate(layout: Pick<LayoutSpec, "kind">, places: readonly SeatPlace[]): SeatMapTemplate {
  const kind = layout.kind;
  const theatre = kind === "THEATRE";
  // Each section is drawn from its own left edge (a seat's column is its place on the venue's
  // plan, see venuePlan in domain/layouts.ts), and its rows padded to its own width.
  const edges = new Map<string, { min: number; max: number }>();
  for (const p of places) {
    const key = p.section ?? "";
    const edge = edges.get(key);
    if (!edge) edges.set(key, { min: p.col, max: p.col });
    else {
      edge.min = Math.min(edge.min, p.col);
      edge.max = Math.max(edge.max, p.col);
    }
  }
  let base = 0;
  let cols = 0;
  const template: SeatMapTemplate = { ids: [], before: [], mid: [], after: [], end: "", rowStarts: [] };
  // Zones are coloured on the map only when there is more than one.
  const zoned = places.some((p) => (p.zone ?? 0) !== (places[0]?.zone ?? 0));
  // A coach's arrangement says which seats are by a window (2+1: the single seat is).
  const arrangement = "arrangement" in layout ? (layout.arrangement as "2+2" | "2+1") : "2+2";
  let pending =
    `<div class="seat-map seat-map-${kind.toLowerCase()}${zoned ? " seat-map-zoned" : ""}">` +
    (theatre ? '<div class="seat-stage"><span>Stage</span></div>' : "") +
    (kind === "BUS"
      ? '<p class="seat-map-note"><span class="seat window-l seat-available seat-swatch" aria-hidden="true"></span> <span id="window-seat">Window seat</span></p>'
      : "");
  let deck: string | null | undefined;
  let section: string | null | undefined;
  let row = -1;
  let col = -1;
  let name = "";

  const closeRow = () => {
    if (row < 0) return "";
    // Theatre rows are padded to the full width so the row letters on the right line up.
    const pad = theatre ? GAP.repeat(Math.max(0, cols - col - 1)) : "";
    return `${pad + (theatre ? cell("seat-row-label", name) : "")}</div>`;
  };

  for (const place of places) {
    if (section === undefined || (place.section ?? null) !== section) {
      if (theatre) pending += closeRow() + (section ? "</div>" : "") + openTheatreSection(place.section ?? null);
      section = place.section ?? null;
      const edge = edges.get(section ?? "") ?? { min: 0, max: 0 };
      base = kind === "BUS" ? 0 : edge.min;
      cols = edge.max - base + 1;
      row = -1;
    }
    if (place.deck !== deck) {
      pending += closeRow() + (deck === undefined ? "" : closeSection(kind)) + openSection(kind, place.deck);
      deck = place.deck;
      row = -1;
    }
    if (place.row !== row) {
      template.rowStarts.push(template.ids.length);
      pending += closeRow();
      row = place.row;
      col = -1;
      name = rowName(kind, place);
      // A named row is a named group: a screen reader says "Row F" (or the clinic's hour) on entering it.
      const group = name ? ` role="group" aria-label="${escapeHtml(kind === "DOCTOR" ? `From ${name}` : `Row ${name}`)}"` : "";
      pending += `<div class="seat-row"${group}>${name ? cell("seat-row-label", name) : ""}`;
    }
    // Aisles (and the bus's gangway) are the columns no seat uses.
    pending += GAP.repeat(Math.max(0, place.col - base - col - 1));
    col = place.col - base;
    template.ids.push(place.id);
    template.before.push(`${pending}<label class="seat z${place.zone ?? 0} seat-`);
    // A coach's window seats: a thick outer edge, and described as such to a screen reader.
    const side = kind === "BUS" ? windowSide(place.col, arrangement) : "";
    template.mid.push(
      `${side ? ` window-${side}` : ""}"><input type="checkbox" name="seat" value="${place.id}"${side ? ' aria-describedby="window-seat"' : ""} aria-label="${escapeHtml(place.label)}`,
    );
    template.after.push(`><span aria-hidden="true">${escapeHtml(shortText(kind, place))}</span></label>`);
    pending = "";
  }
  template.end = `${pending + closeRow() + (deck === undefined ? "" : closeSection(kind)) + (section ? "</div>" : "")}</div>`;
  return template;
}

/**
 * Fills a template with this moment's states. Only free seats can be ticked; taken ones are
 * disabled. `ticked` holds seat ids as a form sent them (strings), to re-tick after a failed hold.
 */
export function joinSeatMap(template: SeatMapTemplate, codes: string, ticked: ReadonlySet<string> = new Set()): string {
  return joinSeats(template, codes, ticked, 0, template.ids.length) + template.end;
}

/** The markup of seats `from` to `to` (exclusive): whole rows when cut at `rowStarts`. */
export function joinSeats(template: SeatMapTemplate, codes: string, ticked: ReadonlySet<string>, from: number, to: number): string {
  const { ids, before, mid, after } = template;
  let html = "";
  for (let i = from; i < to; i++) {
    const code = SEAT_CLASS[codes[i]] ? codes[i] : "H";
    const state = code !== "A" ? '" disabled' : ticked.size > 0 && ticked.has(String(ids[i])) ? '" checked' : '"';
    html += before[i] + SEAT_CLASS[code] + mid[i] + SEAT_STATE_SUFFIX[code] + state + after[i];
  }
  return html;
}

/**
 * The admin's map: the same template, every seat tickable (to block, unblock or release it), and
 * each taken seat named with who has it (`about`: seat id → "held by … · ref …").
 */
export function joinAdminSeatMap(template: SeatMapTemplate, codes: string, about: ReadonlyMap<number, string>): string {
  const { ids, before, mid, after } = template;
  let html = "";
  for (let i = 0; i < ids.length; i++) {
    const code = SEAT_CLASS[codes[i]] ? codes[i] : "H";
    const note = about.get(ids[i]);
    const suffix = note ? ` (${escapeHtml(note)})` : SEAT_STATE_SUFFIX[code];
    html += `${before[i] + SEAT_CLASS[code] + (note ? " seat-noted" : "") + mid[i] + suffix}"${note ? ` title="${escapeHtml(note)}"` : ""}${after[i]}`;
  }
  return html + template.end;
}
