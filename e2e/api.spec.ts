import { expect, test } from "./support/fixtures";

// An integrator's flow through the JSON API (Playwright's request client), seen by a buyer in the
// browser; and the API reference page, read offline.

test("token → shows → hold → confirm through the API; the buyer's page shows the ticket and the sold seat", async ({
  page,
  request,
  createUser,
  createShow,
  loginAs,
}) => {
  const user = await createUser();
  const show = await createShow({ priceCents: 1500 });

  const token = await request.post("/api/v1/auth/token", { data: { email: user.email, password: user.password } });
  expect(token.status()).toBe(200);
  const auth = { Authorization: `Bearer ${(await token.json()).token}` };

  const listed = await request.get("/api/v1/shows?limit=100");
  expect((await listed.json()).shows.map((s: { id: string }) => s.id)).toContain(show.id);
  const detail = await (await request.get(`/api/v1/shows/${show.id}`)).json();
  const a3 = detail.seats.find((s: { label: string }) => s.label === "A3");

  const held = await request.post(`/api/v1/shows/${show.id}/holds`, { headers: auth, data: { seatIds: [a3.id] } });
  expect(held.status()).toBe(201);
  const { booking } = await held.json();
  expect(booking).toMatchObject({ status: "HELD", amountCents: 1500 });

  const paid = await request.post(`/api/v1/bookings/${booking.id}/confirm`, {
    headers: { ...auth, "Idempotency-Key": `e2e-${booking.id}` },
    data: { card: "4242 4242 4242 4242" },
  });
  expect(paid.status()).toBe(200);
  expect((await paid.json()).booking.status).toBe("CONFIRMED");

  // The same person in the browser: the booking is there, and the seat is sold on the map.
  await loginAs(user);
  await page.goto("/bookings");
  await expect(page.getByText(show.name)).toBeVisible();
  await page.goto(`/shows/${show.id}`);
  await expect(page.getByRole("checkbox", { name: /^A3\b/ })).toBeDisabled();
});

test("the API reference page: every endpoint with JavaScript, from local files only; the raw document without", async ({
  page,
  javaScriptEnabled,
}) => {
  const outside: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith("http://localhost")) outside.push(r.url());
  });
  await page.goto("/api/docs");
  if (javaScriptEnabled) {
    await expect(page.getByRole("heading", { name: /Holdfast API/ })).toBeVisible();
    await expect(page.getByText("/api/v1/shows/{showId}/holds")).toBeVisible();
    await expect(page.getByText("/api/v1/admin/stats")).toBeVisible();
  } else {
    // Swagger UI is a JavaScript application: without it the page says so and links the document.
    await page.getByRole("link", { name: "/api/v1/openapi.json" }).click();
    await expect(page.locator("body")).toContainText('"openapi":"3.1.0"');
  }
  expect(outside).toEqual([]);
});
