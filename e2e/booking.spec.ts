import type { Page } from "@playwright/test";
import { TEST_CARDS } from "~/domain/payments";
import { expect, holdAsSomeoneElse, interactive, sessionCookieFor, test } from "./support/fixtures";

// Every test runs twice: in the "js" project and in the "no-js" project (JavaScript off).

const seat = (page: Page, label: string) => page.getByRole("checkbox", { name: label, exact: true });

test("log in, pick seats, hold, pay, get a ticket, and find it in the e-mail", async ({
  page,
  createUser,
  loginAs,
  createShow,
  javaScriptEnabled,
  findMail,
}) => {
  const user = await createUser();
  await loginAs(user);
  const show = await createShow({ priceCents: 2500 });

  await page.goto("/");
  await page.getByRole("link", { name: show.name }).click();
  await expect(page.getByRole("heading", { name: show.name })).toBeVisible();
  await expect(page.getByText("12 of 12 seats left")).toBeVisible();
  await seat(page, "A1").check();
  await seat(page, "A2").check();
  if (javaScriptEnabled) await expect(page.getByTestId("selection-summary")).toHaveText("2 seats selected · total £50.00");
  await page.getByRole("button", { name: "Hold seats" }).click();

  await expect(page).toHaveURL(/\/bookings\/[0-9a-f-]{36}$/);
  await expect(page.getByText(/Your seats? (?:is|are) held until \d\d:\d\d/)).toBeVisible();
  await expect(page.getByText("A1, A2")).toBeVisible();
  await page.getByLabel("Card number").fill(TEST_CARDS.approve);
  await page.getByRole("button", { name: /^Pay/ }).click();

  await expect(page.getByRole("heading", { name: "Ticket" })).toBeVisible();
  const reference = page.getByText(/^[2-9A-HJ-NP-Z]{10}$/);
  await expect(reference).toBeVisible();
  await expect(page.getByText("A1, A2")).toBeVisible();
  await expect(page.getByText("£50.00")).toBeVisible();

  // The confirmation e-mail (the in-process event queue, written to the mail folder): to the
  // buyer, with the same reference and seats, a text and an HTML part and the QR code.
  const ref = (await reference.textContent()) as string;
  const mail = await findMail((text) => text.includes(`Reference: ${ref}`));
  expect(mail).toContain(`To: ${user.email}`);
  expect(mail).toContain(`Subject: Your ticket for ${show.name}: ${ref}`);
  expect(mail).toContain("Seats: A1, A2");
  expect(mail).toContain("You have paid £50.00 for 2 seats");
  expect(mail).toContain("Content-Type: text/html");
  expect(mail).toContain(`filename=${ref}.png`);

  await page.goto(`/shows/${show.id}`);
  await expect(page.getByRole("checkbox", { name: /^A1\b/ })).toBeDisabled();
  await expect(page.getByText("10 of 12 seats left")).toBeVisible();

  await page.goto("/bookings");
  await expect(page.getByRole("link", { name: new RegExp(show.name) }).first()).toBeVisible();
});

test("two buyers race for one seat: one gets the ticket, the other a clear message", async ({
  browser,
  createUser,
  createShow,
  baseURL,
}) => {
  const show = await createShow();
  const pages: Page[] = [];
  for (let i = 0; i < 2; i++) {
    const user = await createUser();
    const context = await browser.newContext({
      baseURL,
      extraHTTPHeaders: { "X-Forwarded-For": `10.99.${i}.${Math.floor(Math.random() * 250)}` },
    });
    await context.addCookies([await sessionCookieFor(user.id, baseURL!)]);
    const page = await context.newPage();
    await page.goto(`/shows/${show.id}`);
    await seat(page, "B3").check();
    pages.push(page);
  }
  await Promise.all(pages.map((p) => p.getByRole("button", { name: "Hold seats" }).click()));
  const outcomes = await Promise.all(
    pages.map(async (p) => {
      const held = p.getByText(/Your seats? (?:is|are) held until/);
      // The loser hears it from the server ("B3 was just taken — nothing was held"), or, with
      // JavaScript, from the live stream first: the map unticks B3 and says "B3 was just taken".
      const taken = p.getByText(/^B3 was just taken/).first();
      await expect(held.or(taken)).toBeVisible();
      return (await held.isVisible()) ? "held" : "taken";
    }),
  );
  expect([...outcomes].sort()).toEqual(["held", "taken"]);
  const winner = pages[outcomes.indexOf("held")];
  await winner.getByLabel("Card number").fill(TEST_CARDS.approve);
  await winner.getByRole("button", { name: /^Pay/ }).click();
  await expect(winner.getByRole("heading", { name: "Ticket" })).toBeVisible();
  for (const p of pages) await p.context().close();
});

test("a visitor's ticked seats survive log-in, and the log-in page says why it appeared @phone", async ({
  page,
  createUser,
  createShow,
}) => {
  const user = await createUser({ withPassword: true });
  const show = await createShow({ priceCents: 2500 });

  await page.goto(`/shows/${show.id}`);
  await interactive(page);
  await seat(page, "A1").check();
  await seat(page, "A2").check();
  await page.getByRole("button", { name: "Hold seats" }).click();

  await expect(page).toHaveURL(/\/login\?redirectTo=/);
  await interactive(page);
  await expect(page.getByRole("status")).toHaveText(`Log in to hold A1 and A2 for ${show.name}: they stay ticked for you.`);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Log in" }).click();

  await expect(page).toHaveURL(new RegExp(`/shows/${show.id}\\?seat=\\d+&seat=\\d+$`));
  await expect(seat(page, "A1")).toBeChecked();
  await expect(seat(page, "A2")).toBeChecked();
  await expect(seat(page, "A3")).not.toBeChecked();
  await interactive(page);
  await page.getByRole("button", { name: "Hold seats" }).click();
  await expect(page).toHaveURL(/\/bookings\/[0-9a-f-]{36}$/);
  await expect(page.getByText("A1, A2")).toBeVisible();
});

test("a live hold follows the buyer to every page, and My bookings groups what is held, coming and done @phone", async ({
  page,
  createUser,
  loginAs,
  createShow,
}) => {
  const user = await createUser();
  await loginAs(user);
  const show = await createShow({ priceCents: 2500 });
  await page.goto(`/shows/${show.id}`);
  await interactive(page);
  await seat(page, "B3").check();
  await page.getByRole("button", { name: "Hold seats" }).click();
  await expect(page).toHaveURL(/\/bookings\/[0-9a-f-]{36}$/);
  const bookingUrl = page.url();
  // Its own page says it all: no banner there.
  await expect(page.getByRole("complementary", { name: "Your hold" })).toHaveCount(0);

  await page.goto("/");
  const banner = page.getByRole("complementary", { name: "Your hold" });
  await expect(banner).toContainText(new RegExp(`You hold B3 for ${show.name} until \\d\\d:\\d\\d \\(\\d:\\d\\d left\\)`));
  await interactive(page);
  await banner.getByRole("link", { name: "Pay now" }).click();
  await expect(page).toHaveURL(bookingUrl);

  await page.goto("/bookings");
  const held = page.getByRole("region", { name: "Held for you: pay to keep them" });
  await expect(held.getByRole("link", { name: show.name })).toBeVisible();
  await expect(held.getByText(/Held until \d\d:\d\d/)).toBeVisible();
  await expect(held.getByText(/Reference [2-9A-HJ-NP-Z]{10}/)).toBeVisible();
  await expect(page.getByRole("region", { name: "Upcoming tickets" })).toContainText("No tickets for what is coming up.");
});

test("the ticket names its holder, carries a QR code and a calendar entry, and cancelling asks first", async ({
  page,
  createUser,
  loginAs,
  createShow,
}) => {
  const user = await createUser();
  await loginAs(user);
  const show = await createShow({ priceCents: 2500 });
  await page.goto(`/shows/${show.id}`);
  await interactive(page);
  await seat(page, "A5").check();
  await page.getByRole("button", { name: "Hold seats" }).click();
  await expect(page).toHaveURL(/\/bookings\/[0-9a-f-]{36}$/);
  await page.getByLabel("Card number").fill(TEST_CARDS.approve);
  await page.getByRole("button", { name: /^Pay/ }).click();

  const ticket = page.getByRole("article", { name: "Ticket" });
  await expect(ticket).toContainText(`Holder${user.name}`);
  const reference = (await ticket.getByText(/^[2-9A-HJ-NP-Z]{10}$/).textContent()) ?? "";
  await expect(ticket.getByRole("img", { name: `QR code of the reference ${reference}` })).toBeVisible();

  const calendar = await page.request.get(`${new URL(page.url()).pathname}/calendar.ics`);
  expect(calendar.status()).toBe(200);
  expect(calendar.headers()["content-type"]).toContain("text/calendar");
  const ics = await calendar.text();
  expect(ics).toContain("BEGIN:VCALENDAR");
  expect(ics).toContain(`SUMMARY:${show.name}`);
  expect(ics).toContain(`Reference ${reference}`);

  await interactive(page);
  await page.getByRole("link", { name: "Cancel booking…" }).click();
  await expect(page.getByRole("heading", { name: "Cancel this booking?" })).toBeVisible();
  await expect(page.getByText("£25.00 will be refunded to your card, and A5 goes back on sale. This cannot be undone.")).toBeVisible();
  await page.getByRole("link", { name: "Keep my ticket" }).click();
  await expect(page.getByRole("heading", { name: "Cancel this booking?" })).toHaveCount(0);
  await expect(ticket).toBeVisible();

  await interactive(page);
  await page.getByRole("link", { name: "Cancel booking…" }).click();
  await page.getByRole("button", { name: "Yes, cancel and refund" }).click();
  await expect(page.getByText("You cancelled this booking. Your refund is on its way.")).toBeVisible();
  expect((await page.request.get(`${new URL(page.url()).pathname}/calendar.ics`)).status()).toBe(404);
});

test("a hold can be made longer once, by the buyer's own press", async ({ page, createUser, loginAs, createShow }) => {
  const user = await createUser();
  await loginAs(user);
  const show = await createShow();
  await page.goto(`/shows/${show.id}`);
  await interactive(page);
  await seat(page, "B6").check();
  await page.getByRole("button", { name: "Hold seats" }).click();
  await expect(page).toHaveURL(/\/bookings\/[0-9a-f-]{36}$/);
  const until = async () => (await page.getByRole("heading", { name: /Your seats? (?:is|are) held until/ }).textContent())?.slice(-5) ?? "";
  const before = await until();
  await interactive(page);
  await page.getByRole("button", { name: "Hold 2 more minutes" }).click();
  await expect(page.getByText("More time: 2 more minutes to pay")).toBeVisible();
  await expect(page.getByRole("button", { name: "Hold 2 more minutes" })).toHaveCount(0);
  const [h0, m0] = before.split(":").map(Number);
  const [h1, m1] = (await until()).split(":").map(Number);
  expect((h1 * 60 + m1 - (h0 * 60 + m0) + 1440) % 1440).toBe(2);
});

test("a clinic patient books a 10:45 appointment, and every page says appointment and 10:45 @phone", async ({
  page,
  createUser,
  loginAs,
  createShow,
}) => {
  const user = await createUser();
  await loginAs(user);
  const show = await createShow({ layout: { kind: "DOCTOR", start: "09:00", end: "12:00", everyMinutes: 15 }, priceCents: 4000 });
  await page.goto(`/shows/${show.id}`);
  await expect(page.getByRole("heading", { name: "Pick a time" })).toBeVisible();
  await expect(page.getByText("12 of 12 times free")).toBeVisible();
  await expect(page.getByText("£40.00 per appointment")).toBeVisible();
  await interactive(page);
  await seat(page, "10:45").check();
  await page.getByRole("button", { name: "Hold appointment" }).click();
  await expect(page.getByRole("heading", { name: /^Your appointment is held until \d\d:\d\d$/ })).toBeVisible();
  await page.getByLabel("Card number").fill(TEST_CARDS.approve);
  await page.getByRole("button", { name: /^Pay/ }).click();

  const ticket = page.getByRole("article", { name: "Appointment" });
  await expect(ticket).toContainText(`Clinic${show.name}`);
  await expect(ticket).toContainText(/Time\w{3}, \d{1,2} \w{3} \d{4}, 10:45/);
  await expect(ticket).toContainText("Appointment10:45");
  await expect(ticket).not.toContainText(/\bSeats?\b/);
  await expect(page.getByText(/\d{4}, 10:45 · /)).toBeVisible(); // the page's own heading line too
});

test("a keyboard-only buyer holds two seats from the first seat in five key presses (with JavaScript), or skips the map (without) @phone", async ({
  page,
  createUser,
  loginAs,
  createShow,
  javaScriptEnabled,
}) => {
  const user = await createUser();
  await loginAs(user);
  const show = await createShow();
  await page.goto(`/shows/${show.id}`);
  await interactive(page);
  await expect(page.getByRole("group", { name: "Row A" })).toBeVisible();
  if (javaScriptEnabled) {
    await seat(page, "A1").focus();
    for (const key of ["Space", "ArrowRight", "Space", "Tab", "Enter"]) await page.keyboard.press(key);
    await expect(page).toHaveURL(/\/bookings\/[0-9a-f-]{36}$/);
    await expect(page.getByText("A1, A2")).toBeVisible();
    // Arrows: down to the row below, End to the last seat; the grid is one tab stop.
    await page.goto(`/shows/${show.id}`);
    await interactive(page);
    await seat(page, "A3").focus();
    await page.keyboard.press("ArrowDown");
    await expect(seat(page, "B3")).toBeFocused();
    await page.keyboard.press("End");
    await expect(seat(page, "B6")).toBeFocused();
    await expect(page.locator('input[name="seat"][tabindex="0"]')).toHaveCount(1);
  } else {
    // Every free seat is a tab stop without JavaScript: the skip link leads past them all.
    await page.getByRole("link", { name: "Skip past the map to your selection and Hold seats" }).focus();
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    await expect(page.getByRole("button", { name: "Hold seats" })).toBeFocused();
  }
});

test("best available: four seats together at the front, stranding no seat, proposed, then held", async ({
  page,
  createUser,
  loginAs,
  createShow,
}) => {
  const user = await createUser();
  await loginAs(user);
  const show = await createShow({ layout: { kind: "THEATRE", rows: 3, seatsPerRow: 8, aisleAfter: [] }, priceCents: 1000 });
  const other = await createUser();
  await holdAsSomeoneElse(other.id, show.id, "A1");
  await page.goto(`/shows/${show.id}`);
  await interactive(page);
  await page.getByLabel("Seats together", { exact: true }).fill("4");
  await page.getByRole("button", { name: "Find the best seats" }).click();
  // Row A has A2–A8 free: A2–A5 strands no seat and is the nearest the middle that does not.
  await expect(page.getByRole("status").filter({ hasText: "The best 4 together" })).toContainText("A2, A3, A4 and A5, ticked for you");
  for (const label of ["A2", "A3", "A4", "A5"]) await expect(seat(page, label)).toBeChecked();
  await expect(seat(page, "A6")).not.toBeChecked();
  await interactive(page);
  await page.getByRole("button", { name: "Hold seats" }).click();
  await expect(page).toHaveURL(/\/bookings\/[0-9a-f-]{36}$/);
  await expect(page.getByText("A2, A3, A4, A5")).toBeVisible();
});

test("a declined card keeps the hold; releasing frees the seats", async ({ page, createUser, loginAs, createShow }) => {
  const user = await createUser();
  await loginAs(user);
  const show = await createShow();
  await page.goto(`/shows/${show.id}`);
  await seat(page, "A4").check();
  await page.getByRole("button", { name: "Hold seats" }).click();
  await page.getByLabel("Card number").fill(TEST_CARDS.decline);
  await page.getByRole("button", { name: /^Pay/ }).click();
  await expect(page.getByRole("alert")).toContainText("Your card was declined");
  await expect(page.getByLabel("Card number")).toHaveValue("");
  await expect(page.getByText(/Your seats? (?:is|are) held until/)).toBeVisible();
  await page.getByRole("button", { name: "Release" }).click();
  await expect(page).toHaveURL(`/shows/${show.id}`);
  await expect(seat(page, "A4")).toBeEnabled();
});

test("after a declined card, another card pays (each attempt is a payment of its own)", async ({
  page,
  createUser,
  loginAs,
  createShow,
}) => {
  const user = await createUser();
  await loginAs(user);
  const show = await createShow();
  await page.goto(`/shows/${show.id}`);
  await seat(page, "B2").check();
  await page.getByRole("button", { name: "Hold seats" }).click();
  await page.getByLabel("Card number").fill(TEST_CARDS.decline);
  await page.getByRole("button", { name: /^Pay/ }).click();
  await expect(page.getByRole("alert")).toContainText("Your card was declined");
  await page.getByLabel("Card number").fill(TEST_CARDS.approve);
  await page.getByRole("button", { name: /^Pay/ }).click();
  await expect(page.getByRole("heading", { name: "Ticket" })).toBeVisible();
});

test("a hold that runs out shows its expired state", async ({
  page,
  createUser,
  loginAs,
  createShow,
  shortTtlBaseURL,
  javaScriptEnabled,
}) => {
  const user = await createUser();
  await loginAs(user);
  const show = await createShow();
  await page.goto(`${shortTtlBaseURL}/shows/${show.id}`);
  await seat(page, "A1").check();
  await page.getByRole("button", { name: "Hold seats" }).click();
  await expect(page.getByText(/Your seats? (?:is|are) held until/)).toBeVisible();
  if (javaScriptEnabled) {
    // Under a minute left: the countdown says so, then runs out and the page turns by itself.
    await expect(page.getByText("Less than a minute left!")).toBeVisible();
    await expect(page.getByText("This hold has ended. The seats were released.")).toBeVisible({ timeout: 15_000 });
  } else {
    await page.waitForTimeout(4_000);
    await page.getByLabel("Card number").fill(TEST_CARDS.approve);
    await page.getByRole("button", { name: /^Pay/ }).click();
    await expect(page.getByRole("alert")).toContainText(/Your hold ended at \d\d:\d\d and the seats were released/);
    await page.reload();
    await expect(page.getByText("This hold has ended. The seats were released.")).toBeVisible();
  }
  const ended = page.url();
  await page.getByRole("link", { name: "Back to the seat map" }).click();
  await expect(seat(page, "A1")).toBeEnabled();
  // The seat is still free: one press on the ended hold's page holds it again.
  await page.goto(ended);
  await interactive(page);
  await page.getByRole("button", { name: "Hold this seat again" }).click();
  await expect(page.getByText(/Your seats? (?:is|are) held until/)).toBeVisible();
  expect(page.url()).not.toBe(ended);
});

test("seat states follow other buyers: by themselves with JavaScript, on reload without", async ({
  page,
  createUser,
  loginAs,
  createShow,
  javaScriptEnabled,
}) => {
  const user = await createUser();
  await loginAs(user);
  const show = await createShow();
  await page.goto(`/shows/${show.id}`);
  await expect(seat(page, "B6")).toBeEnabled();
  const other = await createUser();
  await holdAsSomeoneElse(other.id, show.id, "B6");
  if (!javaScriptEnabled) await page.reload();
  await expect(page.getByRole("checkbox", { name: "B6 (held)" })).toBeDisabled({ timeout: 12_000 });
});

test("a hold is limited to MAX_SEATS_PER_HOLD seats, with a clear message", async ({
  page,
  createUser,
  loginAs,
  createShow,
  javaScriptEnabled,
}) => {
  const user = await createUser();
  await loginAs(user);
  const show = await createShow();
  await page.goto(`/shows/${show.id}`);
  const labels = ["A1", "A2", "A3", "A4", "A5", "A6", "B1", "B2", "B3"];
  for (const label of labels.slice(0, 8)) await seat(page, label).check();
  if (javaScriptEnabled) {
    await expect(page.getByTestId("selection-summary")).toHaveText("8 seats selected · total £200.00");
    await seat(page, "B3").click();
    await expect(seat(page, "B3")).not.toBeChecked();
    await expect(page.getByText("You can hold at most 8 seats at a time")).toBeVisible();
  } else {
    await seat(page, "B3").check();
    await page.getByRole("button", { name: "Hold seats" }).click();
    await expect(page.getByRole("alert")).toContainText("You can hold at most 8 seats at a time");
    await expect(seat(page, "B3")).toBeChecked();
  }
});
