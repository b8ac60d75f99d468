import { expect, interactive, sessionCookieFor, test } from "./support/fixtures";

// The e2e launcher runs two instances on one database (e2e/support/serve.ts): the watcher's map
// is open on the second, and another buyer holds a seat through the first, in a browser of their own.

test("a seat held through one instance shows as held on a map open on another within a second (with JavaScript), or on reload (without)", async ({
  page,
  browser,
  baseURL,
  createUser,
  createShow,
  shortTtlBaseURL,
  javaScriptEnabled,
}) => {
  const show = await createShow();
  const streamOpen = javaScriptEnabled ? page.waitForResponse((r) => r.url().endsWith(`/shows/${show.id}/events`)) : null;
  await page.goto(`${shortTtlBaseURL}/shows/${show.id}`);
  await interactive(page);
  expect((await streamOpen)?.headers()["content-type"] ?? "text/event-stream").toMatch(/^text\/event-stream/);
  await expect(page.getByRole("checkbox", { name: "A4", exact: true })).toBeEnabled();

  const buyer = await createUser();
  const other = await browser.newContext({ javaScriptEnabled });
  try {
    await other.addCookies([await sessionCookieFor(buyer.id, baseURL!)]);
    const theirs = await other.newPage();
    await theirs.goto(`${baseURL}/shows/${show.id}`);
    await interactive(theirs);
    await theirs.getByRole("checkbox", { name: "A4", exact: true }).check();
    await theirs.getByRole("button", { name: "Hold seats" }).click();
    await expect(theirs).toHaveURL(/\/bookings\/[0-9a-f-]{36}$/);
    const held = Date.now();
    if (javaScriptEnabled) {
      // Well inside the page's 5-second poll: only the live stream can have said it in time.
      await expect(page.getByRole("checkbox", { name: "A4 (held)" })).toBeDisabled({ timeout: 1_000 });
      expect(Date.now() - held).toBeLessThan(1_000);
    } else {
      await page.reload();
      await expect(page.getByRole("checkbox", { name: "A4 (held)" })).toBeDisabled();
    }
  } finally {
    await other.close();
  }
});
