import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type postgres from "postgres";
import type { Db } from "~/db/client.server";
import { at, compileOnce, GENERIC_PLANS, oneTripTransaction, placeholders, preparedQuery, type Step } from "~/db/one-trip.server";
import { auditLog, type Booking, bookingSeats, bookings, priceZones, seats, shows, users } from "~/db/schema";
import { DatabaseBusy } from "~/db/unavailable.server";
import { bookingFromRow } from "./bookings.server";
import { addressKey } from "./client-address";
import { Conflict, listLabels, NotFound, SeatsUnavailable, ValidationFailed } from "./errors";
import { retryTransient, sqlStateOf } from "./retry.server";
import { holdRequestSchema } from "./schemas";
import { hasStarted, isSeatFree, type StoredSeatStatus } from "./seat-state";
import { holdIsLive, seatHasStarted, seatIsFree } from "./seat-state.server";
import { type BookingSettings, DEFAULT_BOOKING_SETTINGS } from "./settings";
import { parseOrThrow, requireId } from "./validation";
import { plural } from "./words";

export interface HoldInput {
  /** From the session or the token, never from the request. */
  userId: string;
  showId: string;
  /** As received: parsed here with holdRequestSchema. */
  seatIds: unknown;
  /** The client's address (the socket's, or a trusted proxy's word), for the brake on hoarding. */
  clientAddress?: string;
  /**
   * Asked just before the hold is sent to the database: false means nobody will hear the answer
   * (the request was answered already, or its client left), and nothing is held (DatabaseBusy).
   * A buyer is never told a stored hold failed.
   */
  claim?: () => boolean;
}

export interface HoldResult {
  booking: Booking;
  seats: Array<{ id: number; label: string }>;
  /**
   * Which path won: the optimistic compare-and-swap, or the FOR UPDATE fallback; "existing" when
   * the caller already held exactly these seats (a form sent twice) and gets that hold back.
   */
  path: "cas" | "lock" | "existing";
  attempts: number;
}

// Crockford-style alphabet without look-alikes: 10 characters ≈ 50 bits, unguessable, easy to read out.
const REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
// Random bytes are drawn 4 KB at a time (as crypto.randomUUID does): one system call per ~400 holds.
let entropy = Buffer.alloc(0);
let used = 0;
export function newReference(): string {
  if (used + 10 > entropy.length) {
    entropy = randomBytes(4096);
    used = 0;
  }
  let reference = "";
  for (let i = used; i < used + 10; i++) reference += REFERENCE_ALPHABET[entropy[i] % 32];
  used += 10;
  return reference;
}

/** Process-wide counts of how holds were decided, for /metrics and the benchmark. */
export const holdStats = { held: 0, casRetries: 0, lockFallbacks: 0 };

/** SQLSTATE raised by holdfast_abort when a compare-and-swap found a seat changed (drizzle/0003). */
const LOST_RACE = "HF001";

/**
 * The values a hold's statements take, by name (compileOnce makes them $1, $2, …): the buyer and
 * the show; `seats`, the seat ids (sorted, distinct) as a bigint[] literal; `now`; `until`, the
 * hold's end; `limit`, the per-buyer limit when the show sets none; `reference`, the new booking's;
 * `address`, where the hold comes from (client-address.ts; null outside HTTP) and `addressLimit`,
 * the per-address limit (0: none); `booking` and `count` for a hold sent again; the lock keys.
 */
const P = placeholders(
  "buyer",
  "show",
  "seats",
  "now",
  "until",
  "limit",
  "reference",
  "address",
  "addressLimit",
  "booking",
  "count",
  "buyerKey",
  "addressKey",
  "buyerKeys",
  "addressKeys",
);
const now = at(P.now);
/** The seats read by a hold statement (`cur`), which carry the seats table's column names. */
const cur = alias(seats, "cur");

/**
 * The seats asked for, read plainly: one statement that settles most requests of a rush (the
 * seats are already gone) without a transaction. The hold itself checks everything again.
 */
const READ_SEATS = compileOnce(sql`select id::int as id, label, status, expires_at, starts_at, holder_id, booking_id
  from ${seats} where show_id = ${P.show} and id = any(${P.seats}::bigint[]) order by id`);

/** The caller's own live hold, when it is exactly the seats asked for again. */
const ownHold = alias(bookings, "b");
const OWN_LIVE_HOLD = compileOnce(sql`select to_jsonb(b) as booking from ${bookings} b
  where b.id = ${P.booking} and b.user_id = ${P.buyer} and ${holdIsLive(now, ownHold)} and b.seat_count = ${P.count}`);

/**
 * The hold in one statement, after BEGIN and the buyer's advisory lock on the show (so the
 * per-buyer sum below sees every hold that committed before it). It reads the seats with their
 * versions (`cur`; on the fallback path FOR UPDATE, in id order), decides (`verdict`), and only
 * when everything is in order inserts the booking and compare-and-swaps each seat: `locked` takes
 * the seats still at the version read (re-checked by PostgreSQL on the newest row version), in id
 * order, skipping any another transaction is changing; `swapped` changes them. If fewer seats
 * swapped than were read, holdfast_abort undoes the whole statement: all or nothing.
 */
const holdStatement = (lockSeats: boolean) =>
  compileOnce(sql`
with show as (
  select kind, currency, cancelled_at, max_seats_per_customer from ${shows} where id = ${P.show}
), buyer as (
  select name, email from ${users} where id = ${P.buyer}
), cur as (
  select s.id, s.label, s.status, s.expires_at, s.starts_at, s.version, z.price_cents
  from ${seats} s join ${priceZones} z on z.id = s.zone_id
  where s.show_id = ${P.show} and s.id = any(${P.seats}::bigint[])
  order by s.id${sql.raw(lockSeats ? " for update of s" : "")}
), held as (
  -- In the order of bookings_user_show_held_idx, so that the planner takes that index whatever it
  -- knows of bookings: on a table never analysed every index looked as cheap, and it summed this
  -- from the show's index, reading every held booking of the show per hold. A buyer holds at most
  -- max_seats seats of a show, so never more bookings than the limit reads.
  select coalesce(sum(seat_count), 0)::int as n from (
    select seat_count from ${bookings}
    where user_id = ${P.buyer} and show_id = ${P.show} and ${holdIsLive(now)}
    order by user_id, show_id, expires_at limit 1000
  ) mine
), from_address as (
  select coalesce(sum(seat_count), 0)::int as n from ${bookings}
  where show_id = ${P.show} and client_address = ${P.address} and ${holdIsLive(now)} and ${P.addressLimit}::int > 0
), verdict as (
  select
    (select kind from show) as kind,
    (select cancelled_at is not null from show) as cancelled,
    exists (select 1 from buyer) as buyer_ok,
    (select count(*) from cur)::int as found,
    coalesce((select array_agg(label order by id) from cur where ${seatHasStarted(now, cur)}), '{}') as started,
    coalesce((select array_agg(label order by id) from cur where status = 'BLOCKED'), '{}') as blocked,
    coalesce((select array_agg(label order by id) from cur where not ${seatIsFree(now, cur)}), '{}') as taken,
    (select n from held) as already,
    coalesce((select max_seats_per_customer from show), ${P.limit}) as max_seats,
    (select n from from_address) as from_address
), booking as (
  insert into ${bookings} (reference, user_id, show_id, status, expires_at, seat_count, amount_cents, currency, created_at, updated_at, client_address)
  select ${P.reference}, ${P.buyer}, ${P.show}, 'HELD', ${P.until}::timestamptz, v.found, (select sum(price_cents) from cur), s.currency, ${now}, ${now}, ${P.address}
  from verdict v, show s
  where v.buyer_ok and not v.cancelled and v.found = cardinality(${P.seats}::bigint[]) and cardinality(v.started) = 0
    and cardinality(v.taken) = 0 and v.already + v.found <= v.max_seats
    and (${P.addressLimit}::int = 0 or ${P.address}::text is null or v.from_address + v.found <= ${P.addressLimit}::int)
  returning *
), locked as (
  -- Each seat's newest version, locked in id order. SKIP LOCKED makes a seat another hold is in
  -- the middle of swapping count as lost at once, instead of queueing behind it (a flash sale's
  -- hot seats would otherwise gather waiting transactions).
  select s.id, s.version from ${seats} s
  where s.id in (select id from cur) and exists (select 1 from booking)
  order by s.id
  for update of s${sql.raw(lockSeats ? "" : " skip locked")}
), swapped as (
  -- The compare-and-swap: only seats still at the version read.
  update ${seats} s set status = 'PENDING', holder_id = ${P.buyer}, booking_id = b.id, expires_at = ${P.until}::timestamptz, version = s.version + 1
  from booking b, locked l join cur c on c.id = l.id
  where s.id = l.id and l.version = c.version
  returning s.id
), linked as (
  insert into ${bookingSeats} (booking_id, seat_id, price_cents) select b.id, cur.id, cur.price_cents from booking b, cur
), audited as (
  insert into ${auditLog} (at, show_id, actor_id, actor_name, actor_email, action, seat_ids, seat_labels, booking_id, booking_reference)
  select ${now}, ${P.show}, ${P.buyer}, (select name from buyer), (select email from buyer), 'hold',
    (select array_agg(id order by id) from cur), (select array_agg(label order by id) from cur), b.id, b.reference
  from booking b
)
select v.kind, v.cancelled, v.buyer_ok, v.found, v.started, v.blocked, v.taken, v.already, v.max_seats, v.from_address,
  (select coalesce(json_agg(json_build_object('id', id, 'label', label) order by id), '[]') from cur) as seats,
  to_jsonb(b) as booking,
  case when b.id is not null and (select count(*) from swapped) <> v.found
    then holdfast_abort(${sql.raw(`'${LOST_RACE}'`)}, 'a seat changed while it was being held') end as aborted
from verdict v left join booking b on true`);

const HOLD_CAS = holdStatement(false);
const HOLD_LOCKED = holdStatement(true);
/**
 * Holds share the show's lock (an admin's reset or cancellation takes it alone, so it never runs
 * in the middle of a hold), then take the buyer's own lock on the show (one buyer's holds take
 * turns, so the per-buyer limit cannot be raced), then the lock of the address they come from
 * (the same for the per-address limit; the buyer's key again when there is none). Always in that
 * order: no cycle, no deadlock. The hold statement after it runs on its generic plan (GENERIC_PLANS).
 */
const LOCK_BUYER_ON_SHOW =
  compileOnce(sql`select ${sql.raw(GENERIC_PLANS)}, pg_advisory_xact_lock_shared(hashtextextended('show:' || ${P.show}, 0)),
  pg_advisory_xact_lock(hashtextextended(${P.buyerKey}, 0)), pg_advisory_xact_lock(hashtextextended(${P.addressKey}, 0))`);

type SeatRow = {
  id: number;
  label: string;
  status: StoredSeatStatus;
  expires_at: string | null;
  starts_at: string;
  holder_id: string | null;
  booking_id: string | null;
};
const seatState = (r: SeatRow) => ({
  status: r.status,
  expiresAt: r.expires_at ? new Date(r.expires_at) : null,
  startsAt: new Date(r.starts_at),
});

type HoldRequest = { userId: string; showId: string; ids: number[]; address: string | null; claim?: () => boolean };

/**
 * Holds seats for a user, all or nothing.
 *
 * Invariants: a seat is held by at most one live hold and sold at most once; a user holds at most
 * `maxSeatsPerHold` seats of one show at a time; a seat whose time has come cannot be held; a
 * hold that has ended frees its seats at once (expiry never waits for the sweeper). Proven in
 * tests/integration/holds.test.ts, concurrency.test.ts, seat-state.test.ts and model.test.ts.
 *
 * One round trip for a conflict (the plain read), two for a hold: the read, then BEGIN, the
 * buyer's lock, the hold statement and COMMIT written together (see oneTripTransaction). Losing a
 * compare-and-swap on a seat that is still free tries again; after `casAttempts` the same
 * statement runs with the seats locked FOR UPDATE. A seat that is really taken fails at once,
 * naming it, and nothing is held.
 */
export async function placeHold(
  db: Db,
  input: HoldInput,
  now: Date = new Date(),
  settings: BookingSettings = DEFAULT_BOOKING_SETTINGS,
): Promise<HoldResult> {
  const showId = requireId(input.showId, "show");
  const { seatIds } = parseOrThrow(holdRequestSchema, { seatIds: input.seatIds });
  const ids = [...new Set(seatIds)].sort((a, b) => a - b);
  if (ids.length !== seatIds.length) throw new ValidationFailed({ seatIds: "Each seat can be picked once" });
  const request = {
    userId: input.userId,
    showId,
    ids,
    address: input.clientAddress ? addressKey(input.clientAddress) : null,
    claim: input.claim,
  };
  // In a rush most requests want seats that are already gone: one plain read answers them
  // without a transaction. The hold statement checks again; this is only a shortcut.
  const existing = await failIfTaken(db, request, now);
  if (existing) return existing;
  try {
    return await holdChecked(db, request, now, settings);
  } catch (error) {
    // Taken between the read and the hold: perhaps by the caller (the same form sent twice,
    // decided in one group or one after the other). The plain read says so as it would have
    // before: the caller's own seats named as theirs, and their one live hold of exactly these
    // seats given back, never "just taken".
    if (error instanceof SeatsUnavailable && error.yours.length === 0) {
      const own = await failIfTaken(db, request, now);
      if (own) return own;
    }
    throw error;
  }
}

/** The hold after the plain read found the seats free: grouped, then alone with retries, then locked. */
async function holdChecked(db: Db, request: HoldRequest, now: Date, settings: BookingSettings): Promise<HoldResult> {
  if (settings.holdStrategy === "cas") {
    if (settings.holdBatch > 1) {
      const held = await holdTogether(db, request, now, settings);
      if (held) {
        holdStats.held++;
        return { ...held, path: "cas", attempts: 1 };
      }
      // The group's transaction was undone (a seat changed under it, or a statement failed):
      // this hold goes on by itself, as if it had lost a compare-and-swap.
      holdStats.casRetries++;
      const again = await failIfTaken(db, request, now);
      if (again) return again;
    }
    for (let attempt = 1; attempt <= settings.casAttempts; attempt++) {
      const held = await retryTransient(() => hold(db, request, now, settings, false));
      if (held) {
        holdStats.held++;
        return { ...held, path: "cas", attempts: attempt };
      }
      holdStats.casRetries++;
      // Lost a race: give the winner a moment to commit. If a seat is really gone now, say so at
      // once; if all are still free, go again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
      const again = await failIfTaken(db, request, now);
      if (again) return again;
    }
  }
  const held = await retryTransient(() => hold(db, request, now, settings, true));
  if (!held) throw new Error("A hold lost a compare-and-swap while its seats were locked");
  holdStats.held++;
  if (settings.holdStrategy === "cas") holdStats.lockFallbacks++;
  return { ...held, path: "lock", attempts: settings.holdStrategy === "cas" ? settings.casAttempts + 1 : 1 };
}

/**
 * Reads the seats plainly and fails with SeatsUnavailable if any is taken; everything else is left
 * to the hold. Seats the caller holds are named as theirs, never as "just taken"; when they are
 * exactly the caller's one live hold (the same form sent twice), that hold is the answer.
 */
async function failIfTaken(db: Db, req: HoldRequest, now: Date): Promise<HoldResult | undefined> {
  const rows = (await preparedQuery(
    db.$client,
    { text: READ_SEATS.text, params: READ_SEATS.params({ show: req.showId, seats: `{${req.ids.join(",")}}` }) },
    db.$stats,
  )) as unknown as SeatRow[];
  // Unknown show, foreign, blocked and past seats get their own answers from the hold.
  if (rows.length !== req.ids.length || rows.some((r) => r.status === "BLOCKED" || hasStarted(seatState(r), now))) return;
  const taken = rows.filter((r) => !isSeatFree(seatState(r), now));
  if (taken.length === 0) return;
  const yours = taken.filter((r) => r.status === "PENDING" && r.holder_id === req.userId);
  if (yours.length === rows.length && new Set(yours.map((r) => r.booking_id)).size === 1) {
    const [own] = (await preparedQuery(
      db.$client,
      {
        text: OWN_LIVE_HOLD.text,
        params: OWN_LIVE_HOLD.params({ booking: yours[0].booking_id, buyer: req.userId, now: now.toISOString(), count: rows.length }),
      },
      db.$stats,
    )) as unknown as Array<{ booking: Record<string, unknown> }>;
    if (own)
      return {
        booking: bookingFromRow(own.booking),
        seats: rows.map((r) => ({ id: r.id, label: r.label })),
        path: "existing",
        attempts: 0,
      };
  }
  throw new SeatsUnavailable(
    taken.map((r) => r.label),
    yours.map((r) => r.label),
  );
}

/**
 * Group commit. Holds of one show that arrive while another group of that show is on its way to
 * the database wait, and go together in the next: one round trip and one commit for up to
 * `holdBatch` holds — BEGIN, one statement taking every member's locks, each member's own hold
 * statement (the same compare-and-swap as alone), COMMIT. Each member is still all or nothing:
 * its statement either stores its whole hold or stores nothing and says why (a refusal is a
 * verdict, not an error, so it does not undo the others), and each sees the members before it,
 * so two members wanting one seat are decided in arrival order. If the transaction fails as a
 * whole (a seat changed under a compare-and-swap, a deadlock, a lost connection), nothing of it
 * was stored and every member goes on by itself (placeHold). With nothing else on its way, a
 * hold goes at once, in a group of one. One group per show and pool at a time: the pool's other
 * connections serve other shows, pages and the conflicts' plain reads.
 */
interface Member {
  req: HoldRequest;
  now: Date;
  settings: BookingSettings;
  done: (held: Held | null) => void;
  fail: (error: unknown) => void;
  /** Refuses the member if it is still waiting after DB_ACQUIRE_TIMEOUT_MS (nothing was sent). */
  timer?: NodeJS.Timeout;
}
type Held = { booking: Booking; seats: Array<{ id: number; label: string }> };
interface Lane {
  waiting: Member[];
  sending: boolean;
}
const lanes = new WeakMap<Db, Map<string, Lane>>();

/**
 * Every member's locks, in the order a hold by itself takes them (LOCK_BUYER_ON_SHOW): the
 * show's, shared; then the buyers' and then the addresses', each group in one order (sorted), so
 * two groups, or a group and a hold by itself, never wait on each other in a cycle. Advisory
 * locks are re-entrant: a buyer twice in a group is one lock.
 */
const LOCK_GROUP_ON_SHOW =
  compileOnce(sql`select ${sql.raw(GENERIC_PLANS)}, pg_advisory_xact_lock_shared(hashtextextended('show:' || ${P.show}, 0)),
  (select count(pg_advisory_xact_lock(hashtextextended(k, 0))) from (select distinct k from unnest(${P.buyerKeys}::text[]) k order by k) buyers),
  (select count(pg_advisory_xact_lock(hashtextextended(k, 0))) from (select distinct k from unnest(${P.addressKeys}::text[]) k order by k) addresses)`);

function holdTogether(db: Db, req: HoldRequest, now: Date, settings: BookingSettings): Promise<Held | null> {
  let shows = lanes.get(db);
  if (!shows) {
    shows = new Map();
    lanes.set(db, shows);
  }
  let lane = shows.get(req.showId);
  if (!lane) {
    lane = { waiting: [], sending: false };
    shows.set(req.showId, lane);
  }
  const joined = lane;
  const held = new Promise<Held | null>((done, fail) => {
    const member: Member = { req, now, settings, done, fail };
    joined.waiting.push(member);
    // Waiting behind the group on its way is waiting for the database: bounded like the wait for
    // a connection, and refused the same way (503), nothing sent.
    const limit = db.$acquireTimeoutMs;
    if (limit) {
      member.timer = setTimeout(() => {
        const at = joined.waiting.indexOf(member);
        if (at < 0) return;
        joined.waiting.splice(at, 1);
        fail(new DatabaseBusy(`the hold waited more than ${limit} ms behind the holds ahead of it`));
      }, limit);
      member.timer.unref();
    }
  });
  if (!lane.sending) void sendGroups(db, req.showId, lane, shows);
  return held;
}

async function sendGroups(db: Db, showId: string, lane: Lane, shows: Map<string, Lane>) {
  lane.sending = true;
  try {
    while (lane.waiting.length > 0) {
      const group = lane.waiting.splice(0, lane.waiting[0].settings.holdBatch);
      for (const m of group) clearTimeout(m.timer);
      await sendGroup(db, group);
    }
  } finally {
    lane.sending = false;
    if (shows.get(showId) === lane) shows.delete(showId);
  }
}

async function sendGroup(db: Db, waiting: Member[]) {
  let members = waiting;
  let result: postgres.RowList<postgres.Row[]>[];
  try {
    result = await oneTripTransaction(
      db.$client,
      () => [
        {
          text: LOCK_GROUP_ON_SHOW.text,
          params: LOCK_GROUP_ON_SHOW.params({
            show: members[0].req.showId,
            buyerKeys: textArray(members.map((m) => buyerKey(m.req))),
            addressKeys: textArray(members.map((m) => addressLockKey(m.req, m.settings))),
          }),
        },
        ...members.map((m) => holdStep(m.req, m.now, m.settings, false)),
      ],
      db.$stats,
      {
        acquireTimeoutMs: db.$acquireTimeoutMs,
        // A member whose request was answered already (or whose client left) drops out, told so.
        claim: () => {
          members = members.filter((m) => {
            if (!m.req.claim || m.req.claim()) return true;
            m.fail(new DatabaseBusy("the request was answered before its change was sent"));
            return false;
          });
          return members.length > 0;
        },
      },
    );
  } catch (error) {
    // Nothing of the group was stored. Refused for want of a connection: each member is told so
    // (nothing was sent). Otherwise each tries again by itself.
    for (const m of members) {
      if (error instanceof DatabaseBusy) m.fail(error);
      else m.done(null);
    }
    return;
  }
  members.forEach((m, i) => {
    try {
      m.done(heldOrRefused(result[i + 1][0] as unknown as Verdict, m.req, m.settings));
    } catch (error) {
      // Its refusal, or whatever else reading its verdict threw: every member is answered.
      m.fail(error);
    }
  });
}

interface Verdict {
  kind: string | null;
  cancelled: boolean;
  buyer_ok: boolean;
  found: number;
  started: string[];
  blocked: string[];
  taken: string[];
  already: number;
  max_seats: number;
  from_address: number;
  seats: Array<{ id: number; label: string }>;
  booking: Record<string, unknown> | null;
}

/** A text[] literal: each value quoted, its quotes and backslashes escaped. */
const textArray = (values: string[]) => `{${values.map((v) => `"${v.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;

const buyerKey = (req: HoldRequest) => `${req.userId}:${req.showId}`;
/**
 * Only while the per-address brake is on is the address locked: this lock makes every hold from
 * one address take turns (with the brake off it would serialise a load test's loopback for
 * nothing), so otherwise the buyer's key stands in.
 */
const addressLockKey = (req: HoldRequest, settings: BookingSettings) =>
  req.address && settings.maxHeldSeatsPerAddress > 0 ? `addr:${req.address}:${req.showId}` : buyerKey(req);

/** The hold statement with one request's values. */
function holdStep(req: HoldRequest, now: Date, settings: BookingSettings, lockSeats: boolean): Step {
  const expiresAt = new Date(now.getTime() + settings.holdTtlSeconds * 1000);
  const statement = lockSeats ? HOLD_LOCKED : HOLD_CAS;
  return {
    text: statement.text,
    params: statement.params({
      buyer: req.userId,
      show: req.showId,
      seats: `{${req.ids.join(",")}}`,
      now: now.toISOString(),
      until: expiresAt.toISOString(),
      limit: settings.maxSeatsPerHold,
      reference: newReference(),
      address: req.address,
      addressLimit: settings.maxHeldSeatsPerAddress,
    }),
  };
}

/** One attempt: the held booking, null when a compare-and-swap lost, or the error the verdict calls for. */
async function hold(db: Db, req: HoldRequest, now: Date, settings: BookingSettings, lockSeats: boolean) {
  let result: postgres.RowList<postgres.Row[]>[];
  try {
    result = await oneTripTransaction(
      db.$client,
      [
        {
          text: LOCK_BUYER_ON_SHOW.text,
          params: LOCK_BUYER_ON_SHOW.params({ show: req.showId, buyerKey: buyerKey(req), addressKey: addressLockKey(req, settings) }),
        },
        holdStep(req, now, settings, lockSeats),
      ],
      db.$stats,
      { acquireTimeoutMs: db.$acquireTimeoutMs, claim: req.claim },
    );
  } catch (error) {
    if (sqlStateOf(error) === LOST_RACE) return null;
    throw error;
  }
  return heldOrRefused(result[1][0] as unknown as Verdict, req, settings);
}

/** A hold statement's verdict: the hold it stored, or the refusal it calls for (thrown). */
function heldOrRefused(verdict: Verdict, req: HoldRequest, settings: BookingSettings): Held {
  if (verdict.booking) return { booking: bookingFromRow(verdict.booking), seats: verdict.seats };
  throw refusal(verdict, req, settings);
}

/** Why a hold was refused, in the order a buyer should hear it. */
function refusal(v: Verdict, req: HoldRequest, settings: BookingSettings): Error {
  if (v.kind === null) return new NotFound("There is no such show");
  if (!v.buyer_ok) return new NotFound("There is no such user");
  if (v.cancelled) return new Conflict("This show was cancelled; its seats can no longer be held");
  if (v.found !== req.ids.length) return new ValidationFailed({ seatIds: "Some of these seats are not part of this show" });
  if (req.ids.length > v.max_seats) return new ValidationFailed({ seatIds: `You can hold at most ${v.max_seats} seats at a time` });
  if (v.started.length > 0) {
    if (v.kind !== "DOCTOR") return new Conflict("This show has already started; its seats can no longer be held");
    return new Conflict(`${listLabels(v.started)} ${plural(v.started.length, "has", "have")} already passed and can no longer be booked`);
  }
  if (v.blocked.length > 0) return new Conflict(`${listLabels(v.blocked)} ${plural(v.blocked.length, "is", "are")} not for sale`);
  if (v.taken.length > 0) return new SeatsUnavailable(v.taken);
  if (v.already + v.found <= v.max_seats) {
    return new Conflict(
      `Too many seats of this show are held from your network (${settings.maxHeldSeatsPerAddress} at most at a time, ` +
        `${v.from_address} held now). Pay for or release some, or try again when those holds end.`,
    );
  }
  return new Conflict(
    `You can hold at most ${v.max_seats} seats of a show at a time; you already hold ${v.already}. Pay for or release them first.`,
  );
}
