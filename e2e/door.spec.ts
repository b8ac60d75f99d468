import { writeFileSync } from "node:fs";
import { chromium } from "@playwright/test";
import QRCode from "qrcode";
import { expect, interactive, paidBooking, sessionCookieFor, test } from "./support/fixtures";

test("door staff type a ticket's reference: valid, then already checked in; a refunded ticket is refused @phone", async ({
  page,
  createUser,
  createShow,
  loginAs,
}) => {
  const door = await createUser({ role: "DOOR" });
  const admin = await createUser({ role: "ADMIN" });
  const buyer = await createUser();
  const show = await createShow();
  const ticket = await paidBooking(buyer.id, show.id, ["A1"]);
  const refunded = await paidBooking(buyer.id, show.id, ["A2"]);
  await loginAs(door);

  // The door list and the door are the door staff's; the admin side is not.
  await page.goto("/door");
  await page.getByLabel("Show").selectOption(show.id);
  await page.getByLabel("This door").fill("North door");
  await page.getByRole("button", { name: "Open the door" }).click();
  await expect(page.getByRole("heading", { name: show.name })).toBeVisible();
  await expect(page.getByTestId("door-counts")).toHaveText("0 of 2 in");

  const typeIn = async (reference: string) => {
    await interactive(page);
    await page.getByLabel("Ticket reference").fill(reference);
    await page.getByRole("button", { name: "Check in" }).click();
  };
  await typeIn(ticket.reference.toLowerCase());
  const answer = page.getByRole("status");
  await expect(answer).toHaveAttribute("data-verdict", "valid");
  await expect(answer).toContainText("Valid");
  await expect(answer).toContainText("Let in: A1 · 1 of 1 in");
  await expect(page.getByTestId("door-counts")).toHaveText("1 of 2 in");
  // A reload shows that scan's answer again, and lets nobody else in.
  await page.reload();
  await expect(answer).toHaveAttribute("data-verdict", "valid");
  await expect(page.getByTestId("door-counts")).toHaveText("1 of 2 in");

  await typeIn(ticket.reference);
  await expect(answer).toHaveAttribute("data-verdict", "already");
  await expect(answer).toContainText(/A1 came in at \d\d:\d\d, North door, by Tester/);

  // The venue refunds the other ticket; the door refuses it.
  const { cancelBookingSeats } = await import("~/domain/booking-changes.server");
  const { connectDatabase } = await import("~/db/client.server");
  const { readFileSync } = await import("node:fs");
  const state = JSON.parse(readFileSync(process.env.HOLDFAST_E2E_STATE!, "utf8"));
  const database = connectDatabase(state.databaseUrl, { max: 1 });
  try {
    const [row] = await database.sql`select id::int as id from seats where show_id = ${show.id} and label = 'A2'`;
    await cancelBookingSeats(
      database.db,
      { id: admin.id, role: "ADMIN", name: admin.name, email: admin.email },
      { bookingId: refunded.id, seatIds: [row.id], requestKey: `e2e-${refunded.id}` },
    );
  } finally {
    await database.close();
  }
  await typeIn(refunded.reference);
  await expect(answer).toHaveAttribute("data-verdict", "cancelled");
  await expect(answer).toContainText("Cancelled and refunded");

  await typeIn("NOSUCHREF0");
  await expect(answer).toHaveAttribute("data-verdict", "unknown");

  await page.getByRole("link", { name: "Door list" }).click();
  await expect(page.getByRole("row", { name: new RegExp(`A1 .* ${ticket.reference} .*North door`) })).toBeVisible();
  expect((await page.request.get("/admin")).status()).toBe(403);
});

/**
 * A camera that shows the ticket: Chromium's fake capture device, fed a Y4M video of the ticket's
 * QR code (drawn from the `qrcode` library's modules: black on white, 8 pixels a module).
 */
function ticketVideo(file: string, text: string) {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const scale = 8;
  const quiet = 4;
  const side = (modules.size + 2 * quiet) * scale;
  const size = side + (side % 16 === 0 ? 0 : 16 - (side % 16));
  const y = Buffer.alloc(size * size, 255);
  for (let row = 0; row < modules.size; row++)
    for (let col = 0; col < modules.size; col++)
      if (modules.get(row, col))
        for (let dy = 0; dy < scale; dy++)
          y.fill(
            0,
            ((quiet + row) * scale + dy) * size + (quiet + col) * scale,
            ((quiet + row) * scale + dy) * size + (quiet + col + 1) * scale,
          );
  const chroma = Buffer.alloc((size / 2) * (size / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), y, chroma]);
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${size} H${size} F10:1 Ip A1:1 C420jpeg\n`), frame, frame, frame]));
}

test("door staff scan a ticket's QR code with the camera: valid, then (scanned again) already checked in", async ({
  baseURL,
  createUser,
  createShow,
}, testInfo) => {
  test.skip(testInfo.project.name !== "js", "the camera is JavaScript's, and one browser with a fake camera is enough");
  const door = await createUser({ role: "DOOR" });
  const buyer = await createUser();
  const show = await createShow();
  const ticket = await paidBooking(buyer.id, show.id, ["B2"]);
  const video = testInfo.outputPath("ticket.y4m");
  ticketVideo(video, ticket.reference);
  const camera = await chromium.launch({
    executablePath: testInfo.project.use.launchOptions?.executablePath,
    args: [
      ...(testInfo.project.use.launchOptions?.args ?? []),
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  try {
    const context = await camera.newContext({ baseURL, permissions: ["camera"] });
    await context.addCookies([await sessionCookieFor(door.id, baseURL!)]);
    const page = await context.newPage();
    await page.goto(`/door/${show.id}?door=Camera%20door`);
    await interactive(page);
    await page.getByRole("button", { name: "Start the camera" }).click();
    const answer = page.getByRole("status");
    await expect(answer).toHaveAttribute("data-verdict", "valid", { timeout: 15_000 });
    await expect(answer).toContainText(`${ticket.reference}`);
    await expect(answer).toContainText("Let in: B2 · 1 of 1 in");
    // Held up to the camera, the ticket is read once; "Scan the same again" reads it afresh.
    await page.waitForTimeout(1000);
    await expect(answer).toHaveAttribute("data-verdict", "valid");
    await page.getByRole("button", { name: "Scan the same again" }).click();
    await expect(answer).toHaveAttribute("data-verdict", "already", { timeout: 15_000 });
    await expect(answer).toContainText("B2 came in at");
    await expect(answer).toContainText("Camera door");
  } finally {
    await camera.close();
  }
});
