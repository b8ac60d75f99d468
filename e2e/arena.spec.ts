import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { DEMO_LAYOUTS } from "~/domain/layouts";
import { TEST_CARDS } from "~/domain/payments";
import { expect, interactive, test } from "./support/fixtures";

// Runs in every project: with and without JavaScript, at desktop and (tagged @phone) at phone size.

const ARENA_ZONES = [
  { name: "Premium", priceCents: 9000 },
  { name: "Standard", priceCents: 6000 },
  { name: "Value", priceCents: 3500 },
];
const seat = (page: Page, label: string) => page.getByRole("checkbox", { name: label, exact: true });

test("an arena buyer picks a section on the plan, asks for the best 4 seats together, holds them and pays @phone", async ({
  page,
  createUser,
  loginAs,
  createShow,
  javaScriptEnabled,
}) => {
  const user = await createUser();
  await loginAs(user);
  const show = await createShow({ name: `Arena ${randomUUID().slice(0, 6)}`, layout: DEMO_LAYOUTS.arena, priceZones: ARENA_ZONES });

  await page.goto("/");
  await page.getByRole("link", { name: show.name }).click();
  await expect(page.getByRole("heading", { name: "Pick a section" })).toBeVisible();
  await expect(page.getByText("20,000 of 20,000 seats left")).toBeVisible();
  // The plan, and not one seat until a section is open.
  await expect(page.getByRole("checkbox")).toHaveCount(0);
  await interactive(page);
  await page.getByRole("link", { name: "Block 104, Standard £60.00: 500 of 500 seats left" }).click();

  await expect(page.getByRole("group", { name: "Block 104" })).toBeVisible();
  await expect(page.getByRole("checkbox")).toHaveCount(500);
  await expect(page.getByRole("link", { name: /^Block 104,/ })).toHaveAttribute("aria-current", "true");
  const best = page.getByRole("form", { name: "Best seats together" });
  await expect(best.getByLabel("Where")).toHaveValue("Block 104");
  await best.getByLabel("Seats together").fill("4");
  await best.getByRole("button", { name: "Find the best seats" }).click();

  // Block 104 lies left of the centre line: its best seats are the front row's right end.
  await expect(page.getByRole("status")).toHaveText(
    "The best 4 together in Block 104: Block 104 A22, Block 104 A23, Block 104 A24 and Block 104 A25, ticked for you. Press Hold to hold them.",
  );
  for (const n of [22, 23, 24, 25]) await expect(seat(page, `Block 104 A${n}`)).toBeChecked();
  if (javaScriptEnabled) await expect(page.getByTestId("selection-summary")).toHaveText("4 seats selected · total £240.00");
  const hold = page.getByRole("button", { name: "Hold seats" });
  // The summary and "Hold seats" stay on screen however far down the map the buyer goes.
  await seat(page, "Block 104 T1").scrollIntoViewIfNeeded();
  await expect(hold).toBeInViewport();
  await interactive(page);
  await hold.click();

  await expect(page).toHaveURL(/\/bookings\/[0-9a-f-]{36}$/);
  await expect(page.getByText("Block 104 A22, Block 104 A23, Block 104 A24, Block 104 A25")).toBeVisible();
  await page.getByLabel("Card number").fill(TEST_CARDS.approve);
  await page.getByRole("button", { name: /^Pay/ }).click();
  await expect(page.getByRole("heading", { name: "Ticket" })).toBeVisible();
  await expect(page.getByText("£240.00")).toBeVisible();

  await page.goto(`/shows/${show.id}`);
  await expect(page.getByRole("link", { name: "Block 104, Standard £60.00: 496 of 500 seats left" })).toBeVisible();
});

test("the arena's plan and section work from the list below it too, and a section that is not there is said so @phone", async ({
  page,
  createShow,
}) => {
  const show = await createShow({ name: `Arena ${randomUUID().slice(0, 6)}`, layout: DEMO_LAYOUTS.arena, priceZones: ARENA_ZONES });
  await page.goto(`/shows/${show.id}?section=Block%20999`);
  await expect(page.getByRole("status")).toHaveText("There is no section called Block 999 here: pick one from the plan");
  await page.getByLabel("Section", { exact: true }).selectOption({ label: "Floor C, Premium £90.00: 500 of 500 seats left" });
  await page.getByRole("button", { name: "Show its seats" }).click();
  await expect(page.getByRole("group", { name: "Floor C" })).toBeVisible();
  await expect(seat(page, "Floor C T25")).toBeVisible();
});

test("in an arena section, PageDown moves ten rows and the map can be made bigger; without JavaScript it says how to pan", async ({
  page,
  createShow,
  javaScriptEnabled,
}) => {
  const show = await createShow({ name: `Arena ${randomUUID().slice(0, 6)}`, layout: DEMO_LAYOUTS.arena, priceZones: ARENA_ZONES });
  await page.goto(`/shows/${show.id}?section=Block%20110`);
  await expect(page.getByText("The map scrolls: swipe or scroll to see every seat.")).toBeVisible();
  if (!javaScriptEnabled) {
    // Zoom is the browser's own without JavaScript; the buttons would do nothing.
    await expect(page.getByRole("button", { name: "Bigger seats" })).toHaveCount(0);
    return;
  }
  await interactive(page);
  await seat(page, "Block 110 A1").focus();
  await page.keyboard.press("PageDown");
  await expect(seat(page, "Block 110 K1")).toBeFocused();
  await page.keyboard.press("PageUp");
  await expect(seat(page, "Block 110 A1")).toBeFocused();
  const first = page.locator(".seat-map .seat").first();
  const before = (await first.boundingBox())?.width ?? 0;
  await page.getByRole("button", { name: "Bigger seats" }).click();
  await expect.poll(async () => (await first.boundingBox())?.width ?? 0).toBeGreaterThan(before + 4);
});

test("a visitor's ticks in an arena section survive log-in: the section comes back with them ticked", async ({
  page,
  createUser,
  createShow,
}) => {
  const user = await createUser({ withPassword: true });
  const show = await createShow({ name: `Arena ${randomUUID().slice(0, 6)}`, layout: DEMO_LAYOUTS.arena, priceZones: ARENA_ZONES });
  await page.goto(`/shows/${show.id}?section=${encodeURIComponent("Block 212")}`);
  await interactive(page);
  await seat(page, "Block 212 C3").check();
  await seat(page, "Block 212 C4").check();
  await page.getByRole("button", { name: "Hold seats" }).click();

  await expect(page.getByRole("status")).toHaveText(
    `Log in to hold Block 212 C3 and Block 212 C4 for ${show.name}: they stay ticked for you.`,
  );
  await interactive(page);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Log in" }).click();

  // With JavaScript the page comes back by a client-side navigation: the section's seats are
  // fetched (GET /shows/:id/seat-map?section=…) and the carried ones ticked again.
  await expect(page.getByRole("group", { name: "Block 212" })).toBeVisible();
  await expect(seat(page, "Block 212 C3")).toBeChecked();
  await expect(seat(page, "Block 212 C4")).toBeChecked();
  await expect(page.getByRole("checkbox")).toHaveCount(500);
  await interactive(page);
  await page.getByRole("button", { name: "Hold seats" }).click();
  await expect(page).toHaveURL(/\/bookings\/[0-9a-f-]{36}$/);
  await expect(page.getByText("Block 212 C3, Block 212 C4")).toBeVisible();
});
