/**
 * What admins do to a show: block and unblock seats, release holds, edit, reset, cancel and
 * delete. Each function takes the acting user and refuses anyone who is not an admin (the routes
 * check the role too: this is the second line), runs as one transaction, and writes its audit
 * entry in that same transaction.
 *
 * Invariants: a seat is never both BLOCKED and held or sold (blocking is a compare-and-swap on
 * free seats, all or none); reset, cancel, edit and delete take the show's lock alone, so no hold,
 * payment, release or cancel of that show runs in the middle of them (those share the lock; see
 * holds.server.ts and bookings.server.ts). Proven in tests/integration/show-admin.test.ts.
 */
import { sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "~/db/client.server";
import { at, type Compiled, compileOnce, oneTripTransaction, placeholders } from "~/db/one-trip.server";
import { auditLog, bookings, seats } from "~/db/schema";
import type { PublicUser } from "./accounts.server";
import { Conflict, Forbidden, listLabels, NotFound, ValidationFailed } from "./errors";
import { retryTransient, sqlStateOf } from "./retry.server";
import { adminSeatsSchema, showEditSchema } from "./schemas";
import { holdHasEnded, seatIsFree } from "./seat-state.server";
import { createShow, getShow } from "./shows.server";
import { parseOrThrow, requireId } from "./validation";
import { counted, plural } from "./words";

export type Actor = Pick<PublicUser, "id" | "role" | "name" | "email">;

/** The second line: whatever a route checked, a non-admin changes nothing here. */
export function assertAdmin(actor: Actor | null | undefined): asserts actor is Actor {
  if (actor?.role !== "ADMIN") throw new Forbidden("Only administrators can do this.");
}

const LOST_RACE = "HF001";

/**
 * The values of an admin's statements, by name (compileOnce makes them $1, $2, …): the show;
 * `seats`, seat ids as a bigint[] literal; the acting admin (id, name and e-mail as jsonb:
 * actorJson); `now`; `mode`, 'reset' or 'cancel'; a show's new `facts` (jsonb: name, venue, city,
 * startsAt, zones {name: cents}).
 */
const P = placeholders("show", "seats", "actor", "now", "mode", "facts");
const now = at(P.now);
/** The acting admin as audit_log's actor columns. */
const ACTOR = sql`(${P.actor}::jsonb->>'id')::uuid, ${P.actor}::jsonb->>'name', ${P.actor}::jsonb->>'email'`;
const literal = (text: string) => sql.raw(`'${text}'`);
/** A seat as a block's statement reads it (`cur`, `s`): the seats table's column names. */
const cur = alias(seats, "cur");
const s = alias(seats, "s");

/** Admin work that must not interleave with buyers' transactions takes the show's lock alone. */
const LOCK_SHOW_ALONE = compileOnce(sql`select pg_advisory_xact_lock(hashtextextended('show:' || ${P.show}, 0))`);

const blockStatement = (block: boolean) =>
  compileOnce(sql`
with cur as (
  select id, label, status, expires_at, version from ${seats} where show_id = ${P.show} and id = any(${P.seats}::bigint[]) order by id
), verdict as (
  select (select count(*) from cur)::int as found,
    coalesce((select array_agg(label order by id) from cur where ${block ? sql`not ${seatIsFree(now, cur)} and status <> 'BLOCKED'` : sql`status <> 'BLOCKED'`}), '{}') as refused
), changed as (
  update ${seats} s set status = ${literal(block ? "BLOCKED" : "AVAILABLE")}, holder_id = null, booking_id = null, expires_at = null, version = s.version + 1
  from cur c, verdict v
  where s.id = c.id and s.version = c.version and v.found = cardinality(${P.seats}::bigint[]) and cardinality(v.refused) = 0
    and ${block ? seatIsFree(now, s) : sql`s.status = 'BLOCKED'`}
  returning s.id
), audited as (
  insert into ${auditLog} (at, show_id, actor_id, actor_name, actor_email, action, seat_ids, seat_labels)
  select ${now}, ${P.show}, ${ACTOR}, ${literal(block ? "block" : "unblock")},
    (select array_agg(id order by id) from cur), (select array_agg(label order by id) from cur)
  where exists (select 1 from changed)
)
select v.found, v.refused, (select count(*) from changed)::int as changed,
  case when v.found = cardinality(${P.seats}::bigint[]) and cardinality(v.refused) = 0
        and (select count(*) from changed) <> (select count(*) from cur where ${sql.raw(block ? "status <> 'BLOCKED'" : "status = 'BLOCKED'")})
    then holdfast_abort(${literal(LOST_RACE)}, 'a seat changed while it was being blocked') end as aborted
from verdict v`);
const BLOCK = blockStatement(true);
const UNBLOCK = blockStatement(false);

const actorJson = (actor: Actor) => JSON.stringify({ id: actor.id, name: actor.name, email: actor.email });
const step = (statement: Compiled, values: Record<string, unknown>) => ({ text: statement.text, params: statement.params(values) });

/**
 * Takes seats off sale (house seats, broken seats), or puts them back. All or none: a seat that
 * is held or sold cannot be blocked (release it first), and the answer names it.
 */
export async function setSeatsBlocked(
  db: Db,
  actor: Actor,
  input: { showId: string; seatIds: unknown; blocked: boolean },
  now: Date = new Date(),
): Promise<{ changed: number }> {
  assertAdmin(actor);
  const showId = requireId(input.showId, "show");
  const { seatIds } = parseOrThrow(adminSeatsSchema, { seatIds: input.seatIds });
  const ids = `{${[...new Set(seatIds)].sort((a, b) => a - b).join(",")}}`;
  for (let attempt = 1; ; attempt++) {
    try {
      const [rows] = await retryTransient(() =>
        oneTripTransaction(
          db.$client,
          [step(input.blocked ? BLOCK : UNBLOCK, { show: showId, seats: ids, actor: actorJson(actor), now: now.toISOString() })],
          db.$stats,
        ),
      );
      const v = rows[0] as { found: number; refused: string[]; changed: number };
      if (v.found !== new Set(seatIds).size) {
        await getShow(db, showId); // NotFound when there is no such show at all
        throw new ValidationFailed({ seatIds: "Some of these seats are not part of this show" });
      }
      if (v.refused.length) {
        throw new Conflict(
          input.blocked
            ? `${listLabels(v.refused)} ${plural(v.refused.length, "is", "are")} held or sold: release ${plural(v.refused.length, "it", "them")} first`
            : `${listLabels(v.refused)} ${plural(v.refused.length, "is", "are")} not blocked`,
        );
      }
      return { changed: v.changed };
    } catch (error) {
      // A buyer's hold changed a seat while it was being blocked: look again.
      if (sqlStateOf(error) !== LOST_RACE || attempt >= 5) throw error;
    }
  }
}

/** Releases every HELD booking that holds one of the seats (live or ended: it is marked as its hold's time says). */
const RELEASE_HOLDS = compileOnce(sql`
with target as (
  select distinct b.id from ${bookings} b join ${seats} s on s.booking_id = b.id
  where s.show_id = ${P.show} and s.id = any(${P.seats}::bigint[]) and b.status = 'HELD'
), seat_rows as (
  select s.id, s.label, s.booking_id from ${seats} s where s.booking_id in (select id from target) and s.status = 'PENDING'
), freed as (
  update ${seats} s set status = 'AVAILABLE', holder_id = null, booking_id = null, expires_at = null, version = s.version + 1
  where s.id in (select id from seat_rows)
  returning s.id
), released as (
  update ${bookings} set status = case when ${holdHasEnded(now)} then 'EXPIRED'::booking_status else 'RELEASED'::booking_status end,
    updated_at = ${now}
  where id in (select id from target)
  returning id, reference
), audited as (
  insert into ${auditLog} (at, show_id, actor_id, actor_name, actor_email, action, seat_ids, seat_labels, booking_id, booking_reference)
  select ${now}, ${P.show}, ${ACTOR}, 'admin_release',
    (select array_agg(id order by id) from seat_rows where booking_id = r.id), (select array_agg(label order by id) from seat_rows where booking_id = r.id),
    r.id, r.reference
  from released r
)
select (select count(*) from released)::int as bookings, (select count(*) from freed)::int as seats`);
/** The holds on the seats, locked in id order before RELEASE_HOLDS (so a payment of one waits, or goes first). */
const LOCK_HOLDS = compileOnce(sql`select 1 from ${bookings}
  where id in (select booking_id from ${seats} where show_id = ${P.show} and id = any(${P.seats}::bigint[])) and status = 'HELD'
  order by id for no key update`);

/** Releases the holds on the given seats (whole bookings), as the holder's own Release would. Paid seats are left alone. */
export async function releaseHoldsOnSeats(
  db: Db,
  actor: Actor,
  input: { showId: string; seatIds: unknown },
  now: Date = new Date(),
): Promise<{ bookings: number; seats: number }> {
  assertAdmin(actor);
  const showId = requireId(input.showId, "show");
  const { seatIds } = parseOrThrow(adminSeatsSchema, { seatIds: input.seatIds });
  const ids = `{${seatIds.join(",")}}`;
  const [, rows] = await retryTransient(() =>
    oneTripTransaction(
      db.$client,
      [
        step(LOCK_HOLDS, { show: showId, seats: ids }),
        step(RELEASE_HOLDS, { show: showId, seats: ids, actor: actorJson(actor), now: now.toISOString() }),
      ],
      db.$stats,
    ),
  );
  return rows[0] as { bookings: number; seats: number };
}

/** Every hold released, every sale cancelled and refunded, every seat free. */
const CLEAR_SHOW = compileOnce(sql`
with show as (
  select id, cancelled_at from shows where id = ${P.show}
), seat_rows as (
  update seats set status = 'AVAILABLE', holder_id = null, booking_id = null, expires_at = null, version = version + 1
  where show_id = ${P.show} and status in ('PENDING', 'BOOKED')
  returning id
), released as (
  update bookings set status = 'RELEASED', updated_at = ${now}
  where show_id = ${P.show} and status = 'HELD'
  returning id, reference
), cancelled as (
  update bookings set status = 'CANCELLED', cancelled_at = ${now}, updated_at = ${now}
  where show_id = ${P.show} and status = 'CONFIRMED'
  returning id, reference
), refunded as (
  update payments set status = 'REFUNDED', refunded_at = ${now}
  where booking_id in (select id from cancelled) and status = 'SUCCEEDED'
  returning amount_cents
), closed as (
  update shows set cancelled_at = ${now} where id = ${P.show} and ${P.mode} = 'cancel' and cancelled_at is null
  returning id
), audited as (
  insert into audit_log (at, show_id, actor_id, actor_name, actor_email, action, details)
  select ${now}, ${P.show}, ${ACTOR}, case when ${P.mode} = 'cancel' then 'cancel_show' else 'reset' end,
    jsonb_build_object('seatsFreed', (select count(*) from seat_rows), 'holdsReleased', (select count(*) from released),
      'bookingsCancelled', (select count(*) from cancelled), 'refundedCents', (select coalesce(sum(amount_cents), 0) from refunded))
  from show
), audited_bookings as (
  -- Each booking too, as its buyer's own release or cancel would be (so each buyer hears of it: booking.* events).
  insert into audit_log (at, show_id, actor_id, actor_name, actor_email, action, seat_ids, seat_labels, booking_id, booking_reference, details)
  select ${now}, ${P.show}, ${ACTOR}, b.action,
    (select array_agg(s.id order by s.id) from booking_seats bs join seats s on s.id = bs.seat_id where bs.booking_id = b.id),
    (select array_agg(s.label order by s.id) from booking_seats bs join seats s on s.id = bs.seat_id where bs.booking_id = b.id),
    b.id, b.reference, jsonb_build_object('because', case when ${P.mode} = 'cancel' then 'cancel_show' else 'reset' end)
  from (select id, reference, 'admin_release' as action from released union all select id, reference, 'cancel' from cancelled) b
)
select exists (select 1 from show) as found, (select count(*) from seat_rows)::int as seats, (select count(*) from released)::int as holds,
  (select count(*) from cancelled)::int as bookings, (select coalesce(sum(amount_cents), 0) from refunded)::int as refunded_cents`);

export interface ClearedShow {
  seats: number;
  holds: number;
  bookings: number;
  refundedCents: number;
}

async function clearShow(db: Db, actor: Actor, showId: string, mode: "reset" | "cancel", now: Date): Promise<ClearedShow> {
  assertAdmin(actor);
  const id = requireId(showId, "show");
  const [, rows] = await retryTransient(() =>
    oneTripTransaction(
      db.$client,
      [step(LOCK_SHOW_ALONE, { show: id }), step(CLEAR_SHOW, { show: id, actor: actorJson(actor), now: now.toISOString(), mode })],
      db.$stats,
    ),
  );
  const r = rows[0] as { found: boolean; seats: number; holds: number; bookings: number; refunded_cents: number };
  if (!r.found) throw new NotFound("There is no such show");
  return { seats: r.seats, holds: r.holds, bookings: r.bookings, refundedCents: r.refunded_cents };
}

/** The seed's "reset data": every hold and booking of the show back to AVAILABLE, sales refunded. Blocked seats stay blocked. */
export function resetShow(db: Db, actor: Actor, showId: string, now: Date = new Date()) {
  return clearShow(db, actor, showId, "reset", now);
}

/** Takes the show off sale for good: every booking cancelled and refunded, every hold released, seats freed. */
export function cancelShow(db: Db, actor: Actor, showId: string, now: Date = new Date()) {
  return clearShow(db, actor, showId, "cancel", now);
}

/** Deletes a show nobody ever booked. */
const DELETE_SHOW = compileOnce(sql`
with show as (select id, name from shows where id = ${P.show}),
booked as (select count(*) as n from bookings where show_id = ${P.show}),
gone as (delete from shows where id = ${P.show} and (select n from booked) = 0 returning id),
audited as (
  insert into audit_log (at, show_id, actor_id, actor_name, actor_email, action, details)
  select ${now}, ${P.show}, ${ACTOR}, 'delete_show', jsonb_build_object('name', name)
  from show where exists (select 1 from gone)
)
select exists (select 1 from show) as found, (select n from booked)::int as bookings, exists (select 1 from gone) as deleted`);

export async function deleteShow(db: Db, actor: Actor, showId: string, now: Date = new Date()): Promise<void> {
  assertAdmin(actor);
  const id = requireId(showId, "show");
  const [, rows] = await oneTripTransaction(
    db.$client,
    [step(LOCK_SHOW_ALONE, { show: id }), step(DELETE_SHOW, { show: id, actor: actorJson(actor), now: now.toISOString() })],
    db.$stats,
  );
  const r = rows[0] as { found: boolean; bookings: number; deleted: boolean };
  if (!r.found) throw new NotFound("There is no such show");
  if (!r.deleted)
    throw new Conflict(`This show has ${counted(r.bookings, "booking", "bookings")} (held, paid or ended): cancel it instead`);
}

/**
 * A show's new facts, sold or not: its name and place, its time (every seat's time moves by the
 * same amount, and every ticket holder hears of it: a `reschedule` entry per paid booking, so a
 * booking.rescheduled event and an e-mail with the new calendar entry each), and its zones'
 * prices, which price only what is held from now on (what was held or sold keeps its price:
 * booking_seats.price_cents). A cancelled show cannot change; nor can the time of one that has started.
 */
const EDIT_SHOW = compileOnce(sql`
with show as (select * from shows where id = ${P.show}),
shift as (select ((${P.facts}::jsonb->>'startsAt')::timestamptz - (select starts_at from show)) as d),
verdict as (
  select case
    when not exists (select 1 from show) then 'not_found'
    when (select cancelled_at from show) is not null then 'cancelled'
    when (select d from shift) <> interval '0' and (select starts_at from show) <= ${now} then 'started'
    else 'edit'
  end as v
),
moved as (
  update seats set starts_at = starts_at + (select d from shift), version = version + 1
  where show_id = ${P.show} and (select v from verdict) = 'edit' and (select d from shift) <> interval '0'
  returning id
),
priced as (
  update price_zones z set price_cents = ((${P.facts}::jsonb->'zones')->>z.name)::int
  where z.show_id = ${P.show} and (select v from verdict) = 'edit' and (${P.facts}::jsonb->'zones') ? z.name
  returning z.price_cents
),
updated as (
  update shows set name = ${P.facts}::jsonb->>'name', description = ${P.facts}::jsonb->>'description', venue = ${P.facts}::jsonb->>'venue', city = ${P.facts}::jsonb->>'city',
    starts_at = starts_at + (select d from shift), last_starts_at = last_starts_at + (select d from shift),
    price_cents = coalesce((select min(price_cents) from priced), price_cents)
  where id = ${P.show} and (select v from verdict) = 'edit'
  returning id, starts_at
),
rescheduled as (
  update bookings set updated_at = ${now}
  where show_id = ${P.show} and status = 'CONFIRMED' and (select v from verdict) = 'edit' and (select d from shift) <> interval '0'
  returning id, reference
),
audited as (
  insert into audit_log (at, show_id, actor_id, actor_name, actor_email, action, details)
  select ${now}, ${P.show}, ${ACTOR}, 'edit', ${P.facts}::jsonb
  where exists (select 1 from updated)
),
audited_bookings as (
  -- Each paid booking too, so each buyer hears of the new time (booking.rescheduled).
  insert into audit_log (at, show_id, actor_id, actor_name, actor_email, action, seat_ids, seat_labels, booking_id, booking_reference, details)
  select ${now}, ${P.show}, ${ACTOR}, 'reschedule',
    (select array_agg(s.id order by s.id) from booking_seats bs join seats s on s.id = bs.seat_id where bs.booking_id = r.id),
    (select array_agg(s.label order by s.id) from booking_seats bs join seats s on s.id = bs.seat_id where bs.booking_id = r.id),
    r.id, r.reference,
    jsonb_build_object('from', (select starts_at from show), 'to', (select starts_at from updated))
  from rescheduled r
)
select (select v from verdict) as v, (select count(*) from rescheduled)::int as told`);

/**
 * Edits a show's name, place, time and zone prices, sold or not (see EDIT_SHOW). The time is read
 * in the show's own zone. Returns how many paid bookings were told of a new time.
 */
export async function editShow(db: Db, actor: Actor, showId: string, input: unknown, now: Date = new Date()): Promise<{ told: number }> {
  assertAdmin(actor);
  const id = requireId(showId, "show");
  const [show] = (await db.$client.unsafe("select time_zone from shows where id = $1", [id], { prepare: true })) as unknown as Array<{
    time_zone: string;
  }>;
  if (!show) throw new NotFound("There is no such show");
  const data = parseOrThrow(showEditSchema, { ...(input as object), timeZone: show.time_zone });
  if (data.startsAt <= now) throw new ValidationFailed({ startsAt: "The start time must be in the future" });
  const facts = {
    name: data.name,
    description: data.description,
    venue: data.venue,
    city: data.city,
    startsAt: data.startsAt.toISOString(),
    zones: data.zones,
  };
  const [, rows] = await oneTripTransaction(
    db.$client,
    [
      step(LOCK_SHOW_ALONE, { show: id }),
      step(EDIT_SHOW, { show: id, actor: actorJson(actor), now: now.toISOString(), facts: JSON.stringify(facts) }),
    ],
    db.$stats,
  );
  const r = rows[0] as { v: string; told: number };
  if (r.v === "not_found") throw new NotFound("There is no such show");
  if (r.v === "cancelled") throw new Conflict("This show is cancelled: it can no longer change");
  if (r.v === "started") throw new Conflict("This show has started: its time can no longer change");
  return { told: r.told };
}

/** Creates a show for an admin (see createShow) and records who did. */
export async function createShowAsAdmin(db: Db, actor: Actor, input: unknown, now: Date = new Date()) {
  assertAdmin(actor);
  const show = await createShow(db, input, now);
  await db.$client.unsafe(
    `insert into audit_log (at, show_id, actor_id, actor_name, actor_email, action, details)
     values ($1::timestamptz, $2, $3, $4, $5, 'create_show', jsonb_build_object('name', $6::text, 'seats', $7::int))`,
    [now.toISOString(), show.id, actor.id, actor.name, actor.email, show.name, show.totalSeats],
    { prepare: true },
  );
  return show;
}
