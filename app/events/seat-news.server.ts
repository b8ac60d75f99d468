import type { Db } from "~/db/client.server";
import { preparedQuery } from "~/db/one-trip.server";

/** The channel live maps listen on (app/server/seat-events.server.ts). */
export const SEAT_CHANNEL = "holdfast_seats";
/** One announcer at a time across instances (a transaction-scoped advisory lock). */
export const ANNOUNCER_LOCK = 4_815_162_344;
/** News rows taken per turn; a full turn is followed by another at once. */
export const NEWS_BATCH = 2000;
/** A NOTIFY's payload must stay under 8,000 bytes: past this a show's news says "reload it all". */
const MAX_PAYLOAD = 7800;

/**
 * One turn of the announcer, in one statement (its own transaction): if no other instance is
 * announcing, it deletes the oldest news rows the seats trigger wrote (drizzle/0014), merges
 * them per show (a seat changed twice says only its newest state), and NOTIFYs each show's news
 * once on SEAT_CHANNEL. It also says whether the outbox has events waiting, so one cheap
 * statement per turn both announces and tells the relay whether to run.
 *
 * Why not a NOTIFY in the changing transaction: NOTIFY takes PostgreSQL's one notify lock at
 * commit and keeps it through the commit's WAL flush, so every hold waited for the one before it.
 * Here one commit a turn takes it, and that commit writes no WAL (seat_news is UNLOGGED, so
 * PostgreSQL does not wait for a flush): it is held for microseconds.
 *
 * Order: a seat's changes queue on its row lock, so its news rows' ids follow its commits; one
 * announcer at a time sends them in id order, and a row committed after the turn's snapshot is
 * taken at the next turn. News is a seat's new state, never a delta: sending one twice is harmless.
 */
const ANNOUNCE = `
with turn as (
  select pg_try_advisory_xact_lock(${ANNOUNCER_LOCK}) as mine
), gone as (
  delete from seat_news where id in (
    select id from seat_news where (select mine from turn) order by id limit $1
  ) returning id, show_id, payload::jsonb as news
), merged as (
  select g.show_id, bool_or(g.news ? 'all') as everything,
    jsonb_object_agg(c.seat, c.code order by g.id) filter (where c.seat is not null) as changes
  from gone g left join lateral jsonb_each(g.news -> 'c') as c(seat, code) on true
  group by g.show_id
), sent as (
  select pg_notify('${SEAT_CHANNEL}', case
      when m.everything or octet_length(m.changes::text) > ${MAX_PAYLOAD} then '{"s":"' || m.show_id || '","all":true}'
      else '{"s":"' || m.show_id || '","c":' || m.changes::text || '}' end)
  from merged m
)
select (select mine from turn) as mine,
  (select count(*) from gone)::int as rows,
  (select count(*) from sent)::int as notified,
  exists (select 1 from outbox where published_at is null) as events_waiting`;

export interface AnnounceResult {
  /** Another instance is announcing: this one should look again shortly. */
  busy: boolean;
  /** News rows announced (a full batch means more may be waiting). */
  rows: number;
  /** NOTIFYs sent (one per show with news). */
  notified: number;
  /** The outbox has events the relay has not published yet. */
  eventsWaiting: boolean;
}

export async function announceSeatNews(db: Db, limit = NEWS_BATCH): Promise<AnnounceResult> {
  const [row] = (await preparedQuery(db.$client, { text: ANNOUNCE, params: [limit] }, db.$stats)) as unknown as Array<{
    mine: boolean;
    rows: number;
    notified: number;
    events_waiting: boolean;
  }>;
  return { busy: !row.mine, rows: row.rows, notified: row.notified, eventsWaiting: row.events_waiting };
}
