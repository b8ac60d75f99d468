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

test("through nginx: a hold taken by one instance reaches the map another instance streams within a second (with JavaScript), or a reload (without)", async ({
  page,
  playwright,
  nginxBaseURL,
  createUser,
  createShow,
  javaScriptEnabled,
}) => {
  test.skip(!nginxBaseURL, "nginx is not installed (Debian: apt-get install nginx; .ci/run installs it)");
  const show = await createShow({ layout: { kind: "THEATRE", rows: 1, seatsPerRow: 8, aisleAfter: [] } });
  const user = await createUser({ withPassword: true });
  const api = await playwright.request.newContext({ baseURL: nginxBaseURL! });
  try {
    const { token } = (await (await api.post("/api/v1/auth/token", { data: { email: user.email, password: user.password } })).json()) as {
      token: string;
    };
    const auth = { Authorization: `Bearer ${token}` };
    const { seats } = (await (await api.get(`/api/v1/shows/${show.id}`)).json()) as { seats: Array<{ id: number; label: string }> };

    const stream = javaScriptEnabled ? page.waitForResponse((r) => r.url().endsWith(`/shows/${show.id}/events`)) : null;
    await page.goto(`${nginxBaseURL}/shows/${show.id}`);
    await interactive(page);
    const streaming = (await stream)?.headers()["x-holdfast-instance"];

    // nginx takes turns: hold seat after seat until an instance other than the map's takes one.
    expect(javaScriptEnabled ? streaming : "no stream").toBeTruthy();
    let crossed = false;
    for (const seat of seats) {
      const held = await api.post(`/api/v1/shows/${show.id}/holds`, { headers: auth, data: { seatIds: [seat.id] } });
      expect(held.status()).toBe(201);
      // Taken by the map's own instance: try the next seat (nginx's next turn is the other's).
      if (javaScriptEnabled && held.headers()["x-holdfast-instance"] === streaming) continue;
      const started = Date.now();
      if (javaScriptEnabled) {
        await expect(page.getByRole("checkbox", { name: `${seat.label} (held)` })).toBeDisabled({ timeout: 1_000 });
        expect(Date.now() - started).toBeLessThan(1_000);
      } else {
        await page.reload();
        await expect(page.getByRole("checkbox", { name: `${seat.label} (held)` })).toBeDisabled();
      }
      crossed = true;
      break;
    }
    expect(crossed, "a hold was taken by the other instance").toBe(true);
  } finally {
    await api.dispose();
  }
});
