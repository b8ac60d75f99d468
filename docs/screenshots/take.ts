/**
 * The README's screenshots, from a running Holdfast with the demo data:
 *
 *   npm start &                               (the demo shows and accounts are made on first start)
 *   npx tsx docs/screenshots/take.ts [http://localhost:3000]
 *
 * Writes arena-plan.png, arena-section.png, arena-section-phone.png, clinic-day.png, ticket.png,
 * admin-bookings.png, admin-booking.png and door.png here. The ticket is a real booking of the demo
 * buyer (seats of The Tempest); the operator's pages find it, and the door checks it in.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";

const base = process.argv[2] ?? "http://localhost:3000";
const out = (name: string) => path.join(import.meta.dirname, name);
const executablePath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync);
const browser = await chromium.launch({ executablePath });

async function showPath(page: Page, name: RegExp) {
  await page.goto(`${base}/`);
  const href = await page.getByRole("link", { name }).getAttribute("href");
  if (!href) throw new Error(`No show called ${name} in the list: is the demo data there?`);
  return href;
}

try {
  const desktop = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const arena = await showPath(desktop, /Flash Sale Live/);
  await desktop.goto(`${base}${arena}`);
  await desktop.screenshot({ path: out("arena-plan.png"), fullPage: true });
  // The proposal's page lands at the seats (#seats); rows out of sight are drawn a frame later.
  await desktop.goto(`${base}${arena}?together=4&zone=Standard#seats`);
  await desktop.waitForTimeout(300);
  await desktop.screenshot({ path: out("arena-section.png") });
  await desktop.goto(`${base}${await showPath(desktop, /Dr Okafor/)}`);
  await desktop.screenshot({ path: out("clinic-day.png"), fullPage: true });

  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await phone.goto(`${base}${arena}?section=${encodeURIComponent("Block 104")}#seats`);
  await phone.waitForTimeout(300);
  await phone.screenshot({ path: out("arena-section-phone.png") });

  // A ticket: the demo buyer holds a free seat of the theatre and pays with the test card.
  await desktop.goto(`${base}/login`);
  await desktop.getByLabel("Email").fill("demo@holdfast.test");
  await desktop.getByLabel("Password").fill("holdfast-demo");
  await desktop.getByRole("button", { name: "Log in" }).click();
  await desktop.waitForURL(`${base}/`);
  await desktop.goto(`${base}${await showPath(desktop, /The Tempest/)}?together=2`);
  await desktop.getByRole("button", { name: "Hold seats" }).click();
  await desktop.waitForURL(/\/bookings\//);
  await desktop.getByLabel("Card number").fill("4242 4242 4242 4242");
  await desktop.getByRole("button", { name: /^Pay/ }).click();
  await desktop.getByRole("heading", { name: "Ticket" }).waitFor();
  await desktop.getByRole("article", { name: "Ticket" }).screenshot({ path: out("ticket.png") });
  const reference =
    (
      await desktop
        .getByText(/^[2-9A-HJ-NP-Z]{10}$/)
        .first()
        .textContent()
    )?.trim() ?? "";

  // The operator's side: the bookings list, that booking, and the door checking it in.
  const admin = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await admin.goto(`${base}/login`);
  await admin.getByLabel("Email").fill("admin@holdfast.test");
  await admin.getByLabel("Password").fill("holdfast-admin");
  await admin.getByRole("button", { name: "Log in" }).click();
  await admin.waitForURL((url) => !url.pathname.startsWith("/login"));
  await admin.goto(`${base}/admin/bookings`);
  await admin.screenshot({ path: out("admin-bookings.png") });
  await admin.getByLabel("Reference, name, e-mail or seat").fill(reference);
  await admin.getByRole("button", { name: "Search" }).click();
  await admin.getByRole("link", { name: reference }).click();
  await admin.getByRole("heading", { name: `Booking ${reference}` }).waitFor();
  await admin.screenshot({ path: out("admin-booking.png"), fullPage: true });
  const door = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await door.context().addCookies(await admin.context().cookies());
  await door.goto(`${base}/door`);
  const tempest = await door.locator("#show option", { hasText: "The Tempest" }).first().getAttribute("value");
  await door.getByLabel("Show").selectOption(tempest ?? "");
  await door.getByLabel("This door").fill("Stalls door");
  await door.getByRole("button", { name: "Open the door" }).click();
  await door.getByLabel("Ticket reference").fill(reference);
  await door.getByRole("button", { name: "Check in" }).click();
  await door.getByRole("status").waitFor();
  await door.screenshot({ path: out("door.png") });
  console.log(`Screenshots written to ${import.meta.dirname}`);
} finally {
  await browser.close();
}
