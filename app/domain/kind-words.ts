import type { ShowKind } from "./layouts";
import { plural } from "./words";

/**
 * Each kind of show in its own words: a clinic books appointments at times for patients, a coach
 * and a theatre book seats. Pages take their nouns and buttons from here, so a clinic never speaks
 * of seats and shows.
 */
export interface KindWords {
  /** What is booked: "seat", "appointment". */
  one: string;
  many: string;
  /** What the event is called on a ticket: "Show", "Trip", "Clinic". */
  event: string;
  pick: string;
  hold: string;
  /** "… left" on the listing and the page. */
  left: string;
  ticket: string;
}

const WORDS: Record<ShowKind, KindWords> = {
  SHOW: { one: "seat", many: "seats", event: "Show", pick: "Pick your seats", hold: "Hold seats", left: "seats left", ticket: "Ticket" },
  BUS: { one: "seat", many: "seats", event: "Trip", pick: "Pick your seats", hold: "Hold seats", left: "seats left", ticket: "Ticket" },
  DOCTOR: {
    one: "appointment",
    many: "appointments",
    event: "Clinic",
    pick: "Pick a time",
    hold: "Hold appointment",
    left: "times free",
    ticket: "Appointment",
  },
};

export const wordsFor = (kind: ShowKind): KindWords => WORDS[kind];

/** Each kind's name on listings and headings. */
export const KIND_NAMES: Record<ShowKind, string> = { SHOW: "Show", BUS: "Bus", DOCTOR: "Doctor" };

/** "Seat", "Seats", "Appointment", "Appointments": a row's label. */
export const countedNoun = (kind: ShowKind, count: number) => {
  const w = WORDS[kind];
  const noun = plural(count, w.one, w.many);
  return noun[0].toUpperCase() + noun.slice(1);
};
