import type { Page } from "@playwright/test";
import { TEST_CARDS } from "~/domain/payments";
import { expect, interactive, sessionCookieFor, test } from "./support/fixtures";

// Runs twice, like every flow: with JavaScript and without.

const suffix = () => Math.random().toString(36).slice(2, 7);

async function fillCommon(page: Page, name: string) {
  await interactive(page);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Venue", { exact: true }).fill("Playwright Hall");
  await page.getByLabel("City", { exact: true }).fill("Testville");
}

async function create(page: Page) {
  await page.getByRole("button", { name: "Create show" }).click();
  await expect(page).toHaveURL(/\/admin\/shows\/[0-9a-f-]{36}$/);
  await expect(page.getByText(/is on sale: \d+ seats/)).toBeVisible();
  return page.url().split("/").pop()!;
}

test("an admin creates a show of each kind, sees the buyer's hold and sale, blocks, releases, resets, and reads it all in the audit", async ({
  page,
  browser,
  baseURL,
  createUser,
  loginAs,
  javaScriptEnabled,
}) => {
  test.setTimeout(60_000);
  const admin = await createUser({ role: "ADMIN" });
  await loginAs(admin);
  const tag = suffix();

  // A coach.
  await page.goto("/admin/shows/new?kind=BUS");
  await fillCommon(page, `Coach ${tag}`);
  await page.getByLabel("Starts at (venue's time)").fill("2031-04-01T08:15");
  await page.getByLabel("Zone 1 name").fill("Standard");
  await page.getByLabel("Zone 1 price").fill("12");
  await page.getByLabel("Seats per row").fill("2+1");
  await page.getByLabel("Lower deck seats").fill("9");
  await page.getByLabel("Upper deck seats").fill("0");
  await create(page);

  // A clinic day.
  await page.goto("/admin/shows/new?kind=DOCTOR");
  await fillCommon(page, `Clinic ${tag}`);
  await page.getByLabel("Date", { exact: true }).fill("2031-04-02");
  await page.getByLabel("Zone 1 name").fill("Consultation");
  await page.getByLabel("Zone 1 price").fill("25");
  await page.getByLabel("First slot").fill("09:00");
  await page.getByLabel("Day ends").fill("11:00");
  await page.getByLabel("Minutes per slot").fill("20");
  await create(page);

  // A theatre with two sections in two zones; the preview first.
  await page.goto("/admin/shows/new");
  await fillCommon(page, `Theatre ${tag}`);
  await page.getByLabel("Starts at (venue's time)").fill("2031-04-03T19:30");
  await page.getByLabel("Zone 1 name").fill("Premium");
  await page.getByLabel("Zone 1 price").fill("60");
  await page.getByRole("button", { name: "Add a price zone" }).click();
  await page.getByLabel("Zone 2 name").fill("Standard");
  await page.getByLabel("Zone 2 price").fill("35");
  await page.getByLabel("Section 1").fill("Stalls");
  await page.getByLabel("Rows", { exact: true }).first().fill("2");
  await page.getByLabel("Seats per row", { exact: true }).first().fill("4");
  await page.getByLabel("Price zone", { exact: true }).first().fill("Premium");
  await page.getByRole("button", { name: "Add a section" }).click();
  await page.getByLabel("Section 2").fill("Circle");
  await page.getByLabel("Rows", { exact: true }).nth(1).fill("1");
  await page.getByLabel("Seats per row", { exact: true }).nth(1).fill("6");
  await page.getByLabel("Price zone", { exact: true }).nth(1).fill("Standard");
  await page.getByRole("button", { name: "Preview", exact: true }).click();
  await expect(page.getByText("14 seats", { exact: true })).toBeVisible();
  const showId = await create(page);

  await page.goto("/");
  for (const name of [`Coach ${tag}`, `Clinic ${tag}`, `Theatre ${tag}`]) await expect(page.getByRole("link", { name })).toBeVisible();

  // A buyer pays for two Stalls seats and holds a third.
  const buyer = await createUser();
  const context = await browser.newContext({
    baseURL,
    javaScriptEnabled,
    extraHTTPHeaders: { "X-Forwarded-For": `10.77.${tag.length}.${Math.floor(Math.random() * 250)}` },
  });
  await context.addCookies([await sessionCookieFor(buyer.id, baseURL!)]);
  const shopper = await context.newPage();
  const seat = (p: Page, label: string) => p.getByRole("checkbox", { name: new RegExp(`^${label}\\b`) });
  await shopper.goto(`/shows/${showId}`);
  await seat(shopper, "Stalls A1").check();
  await seat(shopper, "Stalls A2").check();
  if (javaScriptEnabled) await expect(shopper.getByTestId("selection-summary")).toHaveText("2 seats selected · total £120.00");
  await shopper.getByRole("button", { name: "Hold seats" }).click();
  await shopper.getByLabel("Card number").fill(TEST_CARDS.approve);
  await shopper.getByRole("button", { name: /^Pay/ }).click();
  await expect(shopper.getByRole("heading", { name: "Ticket" })).toBeVisible();
  await shopper.goto(`/shows/${showId}`);
  await seat(shopper, "Circle A1").check();
  await shopper.getByRole("button", { name: "Hold seats" }).click();
  await expect(shopper.getByText(/Your seats? (?:is|are) held until/)).toBeVisible();

  // The admin sees who has which seat.
  await page.goto(`/admin/shows/${showId}`);
  await expect(seat(page, "Stalls A1")).toHaveAccessibleName(new RegExp(`sold to ${buyer.name}`));
  await expect(seat(page, "Circle A1")).toHaveAccessibleName(new RegExp(`held by ${buyer.name}`));
  // And the sale in its minute (from the booking events; a reload if they had not arrived yet).
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("table", { name: /Seats sold and takings/ }).getByRole("row")).toHaveCount(2, { timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await expect(page.getByTestId("sales-minute").first()).toContainText("2");
  await expect(page.getByTestId("sales-minute").first()).toContainText("£120.00");

  // Blocks a seat: the buyer cannot hold it.
  await seat(page, "Stalls B1").check();
  await page.getByRole("button", { name: "Block (not for sale)" }).click();
  await expect(page.getByText("1 seat blocked")).toBeVisible();
  await shopper.goto(`/shows/${showId}`);
  await expect(shopper.getByRole("checkbox", { name: "Stalls B1 (not for sale)" })).toBeDisabled();

  // Releases the buyer's hold.
  await seat(page, "Circle A1").check();
  await page.getByRole("button", { name: "Release holds" }).click();
  await expect(page.getByText("1 hold released (1 seat)")).toBeVisible();

  // Resets the show, after saying what it will do.
  await page.getByRole("link", { name: "Reset…" }).click();
  await expect(page.getByText(/2 sold seats go back on sale; sales are refunded \(£120\.00\)/)).toBeVisible();
  await page.getByRole("button", { name: "Yes, reset every seat" }).click();
  await expect(page.getByText(/Reset: 2 seats back on sale/)).toBeVisible();

  // The audit list tells the story, newest first; and a seat's own history.
  // The reset and the sale it cancelled (each buyer's booking is recorded, so each buyer is told) share
  // one moment: first, in either order.
  const entries = page.getByTestId("audit-entry");
  const first = [await entries.nth(0).textContent(), await entries.nth(1).textContent()].join(" | ");
  expect(first).toContain(`${admin.name} reset the show`);
  expect(first).toContain(`${admin.name} cancelled Stalls A1, Stalls A2`);
  expect(first).toContain("as the show was reset");
  await expect(entries.nth(2)).toContainText(`${admin.name} released (admin) Circle A1`);
  await expect(entries.nth(3)).toContainText(`${admin.name} blocked Stalls B1`);
  await expect(page.getByTestId("audit-entry").filter({ hasText: `${buyer.name} paid for Stalls A1, Stalls A2` })).toHaveCount(1);
  await page.getByLabel("Seat", { exact: true }).fill("Stalls A1");
  await page.getByRole("button", { name: "Show its history" }).click();
  await expect(entries).toHaveCount(3);
  await expect(entries.nth(0)).toContainText("cancelled");
  await expect(entries.nth(1)).toContainText("paid for");
  await expect(entries.nth(2)).toContainText("held");
  await context.close();
});

test("the dashboard shows totals and each show's sales, and fits a phone", async ({ page, createUser, loginAs, createShow }) => {
  const admin = await createUser({ role: "ADMIN" });
  await loginAs(admin);
  const show = await createShow();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Upcoming shows" })).toBeVisible();
  await expect(page.getByRole("link", { name: show.name })).toBeVisible();
  // Nothing wider than the screen.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
