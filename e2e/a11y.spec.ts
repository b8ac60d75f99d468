import { randomUUID } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import type { BrowserContext, Page } from "@playwright/test";
import { DEMO_LAYOUTS } from "~/domain/layouts";
import { TEST_CARDS } from "~/domain/payments";
import { expect, interactive, paidBooking, test } from "./support/fixtures";

// axe (axe-core, through @axe-core/playwright) on every page a buyer or an admin sees, against
// WCAG 2.2 A and AA, in every project: with and without JavaScript, at desktop and phone size.

const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

/**
 * axe runs in the page, so without JavaScript it is given a page of its own: the same browser
 * state (cookies, viewport), script allowed for axe, but the app's scripts refused, so that what
 * it checks is the server's HTML as a browser without JavaScript shows it (never hydrated).
 */
const scriptlessPages = new WeakMap<Page, Page>();
const opened: BrowserContext[] = [];

// Closed by the test that made them, before Playwright tears the test down.
test.afterEach(async () => {
  for (const context of opened.splice(0)) await context.close();
});

async function axePage(page: Page): Promise<Page> {
  if (test.info().project.use.javaScriptEnabled !== false) return page;
  let scriptless = scriptlessPages.get(page);
  if (!scriptless) {
    const context = await page
      .context()
      .browser()!
      .newContext({ ...test.info().project.use, javaScriptEnabled: true });
    await context.route(/\/build\/.*\.js$/, (route) => route.abort());
    scriptless = await context.newPage();
    // The app's inline scripts (the hydration data, the nonce'd bootstrap) are left out too.
    await scriptless.addInitScript(() => {
      new MutationObserver((records) => {
        for (const r of records) for (const node of r.addedNodes) if (node instanceof HTMLScriptElement && !node.src) node.remove();
      }).observe(document, { childList: true, subtree: true });
    });
    scriptlessPages.set(page, scriptless);
  }
  // The same session as the test's own page, whatever it is now.
  await scriptless.context().clearCookies();
  await scriptless.context().addCookies(await page.context().cookies());
  return scriptless;
}

async function expectNoViolations(page: Page, path: string) {
  const target = await axePage(page);
  const response = await target.goto(path);
  // An error page is the error boundary's, which does not mark the page hydrated.
  if (response?.ok() && target === page) await interactive(page);
  const { violations } = await new AxeBuilder({ page: target }).withTags(WCAG).analyze();
  const found = violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => n.target.join(" "))
        .slice(0, 3)
        .join(", ")}`,
  );
  expect(found, `axe on ${path}`).toEqual([]);
}

const ARENA_ZONES = [
  { name: "Premium", priceCents: 9000 },
  { name: "Standard", priceCents: 6000 },
  { name: "Value", priceCents: 3500 },
];

// In three tests, so that the two workers share them (axe takes seconds over a big page).
test("axe finds no violation on a visitor's pages: shows, log-in, sign-up, 404, a theatre's map @phone @axe", async ({
  page,
  createShow,
}) => {
  const theatre = await createShow({ priceCents: 2500 });
  for (const path of ["/", "/?kind=SHOW", "/login", "/signup", "/no-such-page", `/shows/${theatre.id}`])
    await expectNoViolations(page, path);
});

test("axe finds no violation on every other kind of map: a coach, a clinic, the arena's plan and a section @phone @axe", async ({
  page,
  createUser,
  loginAs,
  createShow,
}) => {
  test.setTimeout(120_000);
  const coach = await createShow({ layout: DEMO_LAYOUTS.bus, priceCents: 1200 });
  const clinic = await createShow({ layout: DEMO_LAYOUTS.clinic });
  const arena = await createShow({ name: `Arena ${randomUUID().slice(0, 6)}`, layout: DEMO_LAYOUTS.arena, priceZones: ARENA_ZONES });
  await loginAs(await createUser());
  for (const path of [
    `/shows/${coach.id}`,
    `/shows/${clinic.id}`,
    `/shows/${arena.id}`,
    // A section with the best seats proposed and ticked (axe takes seconds over its 500 seats: once is enough).
    `/shows/${arena.id}?together=4&zone=Value`,
  ])
    await expectNoViolations(page, path);
});

test("axe finds no violation on a buyer's holds, bookings, tickets and account @phone @axe", async ({
  page,
  createUser,
  loginAs,
  createShow,
}) => {
  test.setTimeout(120_000);
  const theatre = await createShow({ priceCents: 2500 });
  const coach = await createShow({ layout: DEMO_LAYOUTS.bus, priceCents: 1200 });
  await loginAs(await createUser());
  // A live hold (its page, and the banner on another), then a paid ticket and its cancel question.
  await page.goto(`/shows/${theatre.id}`);
  await interactive(page);
  await page.getByRole("checkbox", { name: "A1", exact: true }).check();
  await page.getByRole("button", { name: "Hold seats" }).click();
  await expect(page).toHaveURL(/\/bookings\/[0-9a-f-]{36}$/);
  const booking = new URL(page.url()).pathname;
  await expectNoViolations(page, booking);
  await expectNoViolations(page, `/shows/${coach.id}`);
  await expectNoViolations(page, "/bookings");
  await page.goto(booking);
  await interactive(page);
  await page.getByLabel("Card number").fill(TEST_CARDS.approve);
  await page.getByRole("button", { name: /^Pay/ }).click();
  await expect(page.getByRole("heading", { name: "Ticket" })).toBeVisible();
  for (const path of [booking, `${booking}?cancel`, "/bookings", "/account"]) await expectNoViolations(page, path);
});

test("axe finds no violation on an admin's pages @phone @axe", async ({ page, createUser, loginAs, createShow }) => {
  test.setTimeout(120_000);
  const show = await createShow({ priceCents: 2500 });
  const booking = await paidBooking((await createUser()).id, show.id, ["A1", "A2"]);
  await loginAs(await createUser({ role: "ADMIN" }));
  for (const path of [
    "/admin",
    "/admin/shows",
    "/admin/shows/new",
    `/admin/shows/${show.id}`,
    `/admin/shows/${show.id}/edit`,
    `/admin/shows/${show.id}/webhooks`,
    "/admin/users",
    `/admin/bookings?showId=${show.id}`,
    `/admin/bookings/${booking.id}`,
    "/door",
    `/door/${show.id}?door=North&ref=${booking.reference}`,
    `/door/${show.id}/list`,
  ])
    await expectNoViolations(page, path);
});
