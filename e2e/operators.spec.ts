import { parse } from "csv-parse/sync";
import { formatShowTime, zonedTimeToInstant } from "~/domain/time";
import { attendeesInDatabase, expect, interactive, paidBooking, sessionCookieFor, test } from "./support/fixtures";

// Runs in all four projects: with JavaScript and without, at desktop and at phone size.

test("an operator finds a booking by reference and by e-mail, cancels one of its seats, moves the other, resends the ticket, and exports the attendees @phone", async ({
  page,
  browser,
  baseURL,
  createUser,
  createShow,
  loginAs,
  findMail,
}) => {
  test.setTimeout(60_000);
  const admin = await createUser({ role: "ADMIN" });
  const buyer = await createUser();
  const show = await createShow();
  const booking = await paidBooking(buyer.id, show.id, ["A1", "A2"]);
  await loginAs(admin);

  // Found by its reference, typed the way a caller reads it out (lower case, with a space).
  await page.goto("/admin/bookings");
  await interactive(page);
  const search = page.getByLabel("Reference, name, e-mail or seat");
  await search.fill(`${booking.reference.slice(0, 5)} ${booking.reference.slice(5)}`.toLowerCase());
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("booking-row")).toHaveCount(1);
  await expect(page.getByTestId("booking-row")).toContainText(buyer.email);
  // …and by the buyer's e-mail, part of it.
  await search.fill(buyer.email.slice(0, 20).toUpperCase());
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("booking-row")).toHaveCount(1);
  await page.getByRole("link", { name: booking.reference }).click();
  await expect(page.getByRole("heading", { name: `Booking ${booking.reference}` })).toBeVisible();
  await interactive(page);

  // One of its two seats cancelled and refunded.
  const seatsBox = page.getByRole("region", { name: "Seats", exact: true });
  await seatsBox.getByRole("checkbox", { name: "A2" }).check();
  await page.getByLabel("Reason (for the record, optional)").fill("Called: one of them cannot come");
  await page.getByRole("button", { name: "Cancel and refund the ticked seats" }).click();
  await expect(page.getByText("1 seat cancelled (A2): £25.00 refunded")).toBeVisible();
  await expect(page.getByRole("region", { name: "Refunds and moves" })).toContainText("cancelled A2 and refunded £25.00");
  const letter = await findMail((m) => m.includes(`A2 cancelled from ${booking.reference}`) && m.includes(buyer.email));
  expect(letter).toContain("The venue cancelled A2 from your booking");
  expect(letter).toContain("You still have 1 seat");

  // The buyer sees one seat left.
  const buyerContext = await browser.newContext({ baseURL });
  const buyerPage = await buyerContext.newPage();
  await buyerContext.addCookies([await sessionCookieFor(buyer.id, baseURL!)]);
  await buyerPage.goto(`/bookings/${booking.id}`);
  // A description list: "Seat" (one now), "A1".
  await expect(buyerPage.getByRole("term").filter({ hasText: /^Seat$/ })).toBeVisible();
  await expect(buyerPage.getByRole("definition").filter({ hasText: /^A1$/ })).toBeVisible();
  await expect(buyerPage.getByText("A2")).toHaveCount(0);
  await buyerContext.close();

  // The other seat moved to B3.
  await interactive(page);
  await page.getByRole("region", { name: "Move to other seats" }).getByRole("checkbox", { name: "A1" }).check();
  await page.getByLabel("New seats (e.g. D5, D6)").fill("b3");
  await page.getByRole("button", { name: "Move", exact: true }).click();
  await expect(page.getByText("Moved A1 to B3")).toBeVisible();
  await expect(page.getByRole("region", { name: "Seats", exact: true })).toContainText("B3");
  await findMail((m) => m.includes(`New seats for ${show.name}`) && m.includes("A1 → B3"));

  // The ticket again.
  await interactive(page);
  await page.getByRole("button", { name: "Send the ticket again" }).click();
  await expect(page.getByText(`The ticket for ${booking.reference} is on its way to the buyer again`)).toBeVisible();
  await findMail((m) => m.includes("here is your ticket for") && m.includes(booking.reference) && m.includes(buyer.email));
  await expect(page.getByRole("region", { name: "E-mails" })).toContainText("“Your ticket for");

  // The attendees' CSV says what the database says, line for line.
  const other = await createUser();
  await paidBooking(other.id, show.id, ["B1"]);
  const csv = await page.request.get(`/admin/shows/${show.id}/attendees.csv`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const rows = parse(await csv.text(), { columns: true }) as Array<Record<string, string>>;
  const expected = await attendeesInDatabase(show.id);
  expect(rows.map((r) => [r.seat, r.reference, r.name, r.email, r.price])).toEqual(
    expected.map((e) => [e.seat, e.reference, e.name, e.email, (e.price_cents / 100).toFixed(2)]),
  );
  expect(rows.map((r) => r.seat)).toEqual(["B1", "B3"]);
});

test("an operator changes a sold show's time: the buyer's ticket, e-mail and calendar file show the new time @phone", async ({
  page,
  browser,
  baseURL,
  createUser,
  createShow,
  loginAs,
  findMail,
}) => {
  const admin = await createUser({ role: "ADMIN" });
  const buyer = await createUser();
  const show = await createShow();
  const booking = await paidBooking(buyer.id, show.id, ["B2"]);
  await loginAs(admin);
  await page.goto(`/admin/shows/${show.id}/edit`);
  await interactive(page);
  const startsAt = page.getByLabel("Starts at (Europe/London)");
  const day = (await startsAt.inputValue()).slice(0, 10);
  await startsAt.fill(`${day}T20:15`);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved: 1 ticket holder is e-mailed the new time")).toBeVisible();

  const when = zonedTimeToInstant(day, "20:15", "Europe/London");
  const shown = formatShowTime(when, "Europe/London");
  await findMail((m) => m.includes(`New time for ${show.name}`) && m.includes(buyer.email) && m.includes(shown));

  const buyerContext = await browser.newContext({ baseURL });
  await buyerContext.addCookies([await sessionCookieFor(buyer.id, baseURL!)]);
  const buyerPage = await buyerContext.newPage();
  await buyerPage.goto(`/bookings/${booking.id}`);
  await expect(buyerPage.getByText(shown).first()).toBeVisible();
  const calendar = await buyerPage.request.get(`/bookings/${booking.id}/calendar.ics`);
  const ics = (await calendar.text()).replace(/\r\n[ \t]/g, "");
  expect(ics).toContain(`DTSTART:${when.toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`);
  await buyerContext.close();
});
