import { sql } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { shows } from "~/db/schema";
import type { Logger } from "~/logger.server";
import { createUser, findUserByEmail } from "./accounts.server";
import { DEMO_LAYOUTS } from "./layouts";
import type { ShowInput } from "./schemas";
import { createShow } from "./shows.server";
import { dateIn, zonedTimeToInstant } from "./time";

/** Demo logins, printed at start and shown in README. Only ever seeded on the embedded default. */
export const DEMO_ACCOUNTS = {
  admin: { name: "Ada Admin", email: "admin@holdfast.test", password: "holdfast-admin" },
  user: { name: "Dana Demo", email: "demo@holdfast.test", password: "holdfast-demo" },
} as const;

const ZONE = "Europe/London";
/** A wall-clock time `days` days from now in the demo venues' zone. */
function daysFromNow(days: number, time: string, now: Date) {
  return zonedTimeToInstant(dateIn(new Date(now.getTime() + days * 86_400_000), ZONE), time, ZONE);
}

/** One show of each kind, plus a 20,000-seat arena for performance work. */
export function demoShows(now: Date): ShowInput[] {
  const base = { city: "London", timeZone: ZONE, currency: "GBP" };
  return [
    {
      ...base,
      name: "The Tempest",
      venue: "Globe Hall",
      startsAt: daysFromNow(7, "19:30", now),
      priceCents: 3500,
      layout: DEMO_LAYOUTS.theatre,
    },
    {
      ...base,
      name: "London → Oxford coach",
      venue: "Victoria Coach Station, bay 12",
      startsAt: daysFromNow(1, "08:15", now),
      priceCents: 1200,
      layout: DEMO_LAYOUTS.bus,
    },
    {
      ...base,
      name: "Dr Okafor · general practice",
      venue: "Riverside Clinic, room 3",
      startsAt: daysFromNow(2, DEMO_LAYOUTS.clinic.start, now),
      priceCents: 2500,
      // One appointment per patient.
      maxSeatsPerCustomer: 1,
      layout: DEMO_LAYOUTS.clinic,
    },
    {
      ...base,
      name: "Flash Sale Live",
      venue: "Docklands Arena",
      startsAt: daysFromNow(30, "20:00", now),
      priceZones: [
        { name: "Premium", priceCents: 9000 },
        { name: "Standard", priceCents: 6000 },
        { name: "Value", priceCents: 3500 },
      ],
      layout: DEMO_LAYOUTS.arena,
    },
  ];
}

/**
 * Idempotent: safe on every start; only what is missing is created. The process entry calls it
 * through the app build (entry.server.tsx), so the domain's classes exist once per process.
 */
export async function seedDemo(db: Db, log: Logger, now: Date = new Date()) {
  for (const [kind, account] of Object.entries(DEMO_ACCOUNTS)) {
    if (!(await findUserByEmail(db, account.email))) {
      await createUser(db, account, { role: kind === "admin" ? "ADMIN" : "USER" });
    }
  }
  const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(shows);
  if (n === 0) {
    for (const show of demoShows(now)) await createShow(db, show);
    log.info("Demo shows created: a theatre, a coach, a clinic day and a 20,000-seat arena");
  }
  // No password in a log, not even a demo's: README.md ("Run it") has them.
  log.info(
    `Demo logins: admin ${DEMO_ACCOUNTS.admin.email}, buyer ${DEMO_ACCOUNTS.user.email} (their passwords are in README.md, "Run it")`,
  );
}
