import { randomUUID } from "node:crypto";
import { DEMO_LAYOUTS } from "~/domain/layouts";
import { expect, interactive, sellSection, test } from "./support/fixtures";

const ARENA_ZONES = [
  { name: "Premium", priceCents: 9000 },
  { name: "Standard", priceCents: 6000 },
  { name: "Value", priceCents: 3500 },
];
/** The admin's page of a big venue stays under this, whatever one section holds. */
const PAGE_BUDGET = 300 * 1024;

test("the arena's admin page opens by section: the plan with each section's seats by state, one section's seats at a time, each page under 300 KB @phone", async ({
  page,
  createUser,
  createShow,
  loginAs,
}) => {
  test.setTimeout(90_000);
  const admin = await createUser({ role: "ADMIN" });
  const buyer = await createUser();
  const arena = await createShow({ name: `Arena ${randomUUID().slice(0, 6)}`, layout: DEMO_LAYOUTS.arena, priceZones: ARENA_ZONES });
  // The worst case for size: a section sold out, every seat named with who has it.
  await sellSection(buyer.id, arena.id, "Block 104");
  await loginAs(admin);

  const plan = await page.goto(`/admin/shows/${arena.id}`);
  expect((await plan!.body()).length).toBeLessThan(PAGE_BUDGET);
  const section = page.getByRole("navigation", { name: "Venue plan" }).getByRole("link", { name: /^Block 104,/ });
  await expect(section).toHaveAccessibleName(/Block 104, .*: 0 free, 0 held, 500 sold, 0 blocked/);
  await expect(page.getByRole("checkbox")).toHaveCount(0);

  const [opened] = await Promise.all([page.waitForResponse((r) => r.url().includes("section=Block")), section.click()]);
  expect((await opened.body()).length).toBeLessThan(PAGE_BUDGET);
  await expect(page.getByRole("heading", { name: "Seats of Block 104" })).toBeVisible();
  await expect(page.getByRole("checkbox", { name: new RegExp(`sold to ${buyer.name}`) })).toHaveCount(500);

  // Another section: block every free seat of it at once, then one seat back on sale.
  await page.goto(`/admin/shows/${arena.id}?section=${encodeURIComponent("Block 105")}`);
  await interactive(page);
  await page.getByRole("button", { name: "Block every free seat of Block 105" }).click();
  await expect(page.getByText(/seats blocked in Block 105/)).toBeVisible();
  await expect(page.getByRole("link", { name: /^Block 105,/ })).toHaveAccessibleName(/0 free, 0 held, 0 sold, \d+ blocked/);
  await interactive(page);
  const first = page.locator("#admin-map-grid input[type=checkbox]").first();
  await first.check();
  await page.getByRole("button", { name: "Unblock", exact: true }).click();
  await expect(page.getByText("1 seat back on sale")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Seats of Block 105" })).toBeVisible();
});
