import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { cancelBooking, confirmBooking, getBookingForUser, listBookingsForUser, releaseHold } from "~/domain/bookings.server";
import { Conflict, HoldExpired, IdempotencyMismatch, NotFound, PaymentDeclined, ValidationFailed } from "~/domain/errors";
import { placeHold } from "~/domain/holds.server";
import { TEST_CARDS } from "~/domain/payments";
import { DEFAULT_BOOKING_SETTINGS } from "~/domain/settings";
import { makeShow, makeUsers, NOW, seatIdsByLabel, seatRows } from "../support/factories";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const TTL = DEFAULT_BOOKING_SETTINGS.holdTtlSeconds;

async function holdTwo() {
  const [user, other] = await makeUsers(t.db, 2);
  const show = await makeShow(t.db);
  const ids = await seatIdsByLabel(t.db, show.id);
  const { booking } = await placeHold(t.db, { userId: user, showId: show.id, seatIds: [ids.A1, ids.A2] }, NOW);
  return { user, other, show, ids, booking };
}

async function paymentsOf(bookingId: string) {
  return t.db.execute<{ status: string; card_last4: string; idempotency_key: string }>(
    sql`select status, card_last4, idempotency_key from payments where booking_id = ${bookingId} order by created_at`,
  );
}

describe("confirmBooking", () => {
  it("confirms a live hold: CONFIRMED, seats BOOKED, charged once, only the last four digits kept", async () => {
    const { user, show, booking } = await holdTwo();
    const { booking: paid, charged } = await confirmBooking(
      t.db,
      { userId: user, bookingId: booking.id, idempotencyKey: "key-000001", card: TEST_CARDS.approve },
      later(10),
    );
    expect(charged).toBe(true);
    expect(paid).toMatchObject({ status: "CONFIRMED", idempotencyKey: "key-000001" });
    const rows = (await seatRows(t.db, show.id)).filter((r) => r.booking_id === booking.id);
    expect(rows.map((r) => [r.label, r.status, r.expires_at])).toEqual([
      ["A1", "BOOKED", null],
      ["A2", "BOOKED", null],
    ]);
    expect(await paymentsOf(booking.id)).toEqual([{ status: "SUCCEEDED", card_last4: "4242", idempotency_key: "key-000001" }]);
  });

  it("answers the same idempotency key with the same result and charges once, even when retried at once", async () => {
    const { user, booking } = await holdTwo();
    const input = { userId: user, bookingId: booking.id, idempotencyKey: "same-key-123", card: TEST_CARDS.approve };
    const results = await Promise.all([1, 2, 3, 4].map(() => confirmBooking(t.db, input, later(10))));
    expect(results.filter((r) => r.charged)).toHaveLength(1);
    for (const r of results) expect(r.booking).toMatchObject({ id: booking.id, status: "CONFIRMED" });
    expect(await paymentsOf(booking.id)).toHaveLength(1);
    // A new key on a paid booking does not charge again.
    await expect(confirmBooking(t.db, { ...input, idempotencyKey: "another-key" }, later(11))).rejects.toThrow("already paid");
    expect(await paymentsOf(booking.id)).toHaveLength(1);
  });

  it("declines the documented test card, keeps the hold, and answers that key the same way again (another card with it: a mismatch)", async () => {
    const { user, show, booking } = await holdTwo();
    const declined = { userId: user, bookingId: booking.id, idempotencyKey: "decline-key-1", card: TEST_CARDS.decline };
    await expect(confirmBooking(t.db, declined, later(5))).rejects.toBeInstanceOf(PaymentDeclined);
    await expect(confirmBooking(t.db, declined, later(6))).rejects.toBeInstanceOf(PaymentDeclined);
    await expect(confirmBooking(t.db, { ...declined, card: TEST_CARDS.approve }, later(6))).rejects.toBeInstanceOf(IdempotencyMismatch);
    expect((await seatRows(t.db, show.id)).filter((r) => r.booking_id === booking.id).every((r) => r.status === "PENDING")).toBe(true);
    const { booking: paid } = await confirmBooking(
      t.db,
      { ...declined, idempotencyKey: "retry-key-2", card: TEST_CARDS.approve },
      later(7),
    );
    expect(paid.status).toBe("CONFIRMED");
    expect((await paymentsOf(booking.id)).map((p) => p.status)).toEqual(["DECLINED", "SUCCEEDED"]);
  });

  it("fails with HoldExpired once the hold has ended, and changes nothing", async () => {
    const { user, show, booking } = await holdTwo();
    const error = await confirmBooking(
      t.db,
      { userId: user, bookingId: booking.id, idempotencyKey: "late-key-01", card: TEST_CARDS.approve },
      later(TTL),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(HoldExpired);
    expect(await paymentsOf(booking.id)).toHaveLength(0);
    expect((await seatRows(t.db, show.id)).filter((r) => r.status === "BOOKED")).toHaveLength(0);
  });

  it("fails with HoldExpired when an ended hold's seat was taken by someone else, and never half-books", async () => {
    const { user, other, show, ids, booking } = await holdTwo();
    await placeHold(t.db, { userId: other, showId: show.id, seatIds: [ids.A2] }, later(TTL + 1));
    await expect(
      confirmBooking(
        t.db,
        { userId: user, bookingId: booking.id, idempotencyKey: "late-key-02", card: TEST_CARDS.approve },
        later(TTL + 2),
      ),
    ).rejects.toBeInstanceOf(HoldExpired);
    const rows = await seatRows(t.db, show.id);
    expect(rows.find((r) => r.label === "A2")).toMatchObject({ status: "PENDING", holder_id: other });
    expect(rows.filter((r) => r.status === "BOOKED")).toHaveLength(0);
  });

  it("refuses to take payment once the show has started", async () => {
    const [user] = await makeUsers(t.db, 1);
    const show = await makeShow(t.db, { startsAt: later(60) });
    const ids = await seatIdsByLabel(t.db, show.id);
    const { booking } = await placeHold(t.db, { userId: user, showId: show.id, seatIds: [ids.A1] }, NOW);
    await expect(
      confirmBooking(t.db, { userId: user, bookingId: booking.id, idempotencyKey: "too-late-1", card: TEST_CARDS.approve }, later(60)),
    ).rejects.toThrow("The show has started");
    expect(await paymentsOf(booking.id)).toHaveLength(0);
  });

  it("lets only the holder pay; anybody else gets NotFound", async () => {
    const { other, booking } = await holdTwo();
    await expect(
      confirmBooking(t.db, { userId: other, bookingId: booking.id, idempotencyKey: "stranger-1", card: TEST_CARDS.approve }, later(1)),
    ).rejects.toBeInstanceOf(NotFound);
    await expect(getBookingForUser(t.db, other, booking.id, later(1))).rejects.toBeInstanceOf(NotFound);
    await expect(getBookingForUser(t.db, other, "not-a-uuid", later(1))).rejects.toBeInstanceOf(NotFound);
  });

  it.each([
    [{ card: "1234" }, "card", "Card number is not valid"],
    [{ card: "4242 4242 4242 4241" }, "card", "Card number is not valid"],
    [{ card: "" }, "card", "Card number is required"],
    [{ idempotencyKey: "x" }, "idempotencyKey", "The payment key must be 8 to 100 letters, digits, - or _"],
  ])("rejects %j with a message on %s and charges nothing", async (patch, field, message) => {
    const { user, booking } = await holdTwo();
    const error = await confirmBooking(
      t.db,
      { userId: user, bookingId: booking.id, idempotencyKey: "valid-key-1", card: TEST_CARDS.approve, ...patch },
      later(1),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(error.fieldErrors[field]).toBe(message);
    expect(await paymentsOf(booking.id)).toHaveLength(0);
  });
});

describe("releaseHold", () => {
  it("gives the seats back at once: RELEASED, seats AVAILABLE, versions + 1; releasing twice is harmless", async () => {
    const { user, other, show, ids, booking } = await holdTwo();
    const released = await releaseHold(t.db, { userId: user, bookingId: booking.id }, later(5));
    expect(released.status).toBe("RELEASED");
    const rows = (await seatRows(t.db, show.id)).filter((r) => r.label === "A1" || r.label === "A2");
    for (const r of rows) expect(r).toMatchObject({ status: "AVAILABLE", holder_id: null, booking_id: null, version: 2 });
    expect((await releaseHold(t.db, { userId: user, bookingId: booking.id }, later(6))).status).toBe("RELEASED");
    await expect(placeHold(t.db, { userId: other, showId: show.id, seatIds: [ids.A1, ids.A2] }, later(7))).resolves.toBeTruthy();
    await expect(
      confirmBooking(t.db, { userId: user, bookingId: booking.id, idempotencyKey: "after-release", card: TEST_CARDS.approve }, later(8)),
    ).rejects.toBeInstanceOf(Conflict);
  });

  it("is only for the holder, and not for a paid booking", async () => {
    const { user, other, booking } = await holdTwo();
    await expect(releaseHold(t.db, { userId: other, bookingId: booking.id }, later(1))).rejects.toBeInstanceOf(NotFound);
    await confirmBooking(t.db, { userId: user, bookingId: booking.id, idempotencyKey: "paid-key-01", card: TEST_CARDS.approve }, later(2));
    await expect(releaseHold(t.db, { userId: user, bookingId: booking.id }, later(3))).rejects.toThrow("cancel it instead");
  });
});

describe("cancelBooking", () => {
  it("cancels a paid booking before the show: CANCELLED, refund recorded, seats AVAILABLE", async () => {
    const { user, other, show, ids, booking } = await holdTwo();
    await confirmBooking(t.db, { userId: user, bookingId: booking.id, idempotencyKey: "cancel-key-1", card: TEST_CARDS.approve }, later(2));
    const cancelled = await cancelBooking(t.db, { userId: user, bookingId: booking.id }, later(3));
    expect(cancelled.status).toBe("CANCELLED");
    expect((await paymentsOf(booking.id)).map((p) => p.status)).toEqual(["REFUNDED"]);
    expect((await seatRows(t.db, show.id)).every((r) => r.status === "AVAILABLE")).toBe(true);
    await expect(placeHold(t.db, { userId: other, showId: show.id, seatIds: [ids.A1] }, later(4))).resolves.toBeTruthy();
    // The cancelled booking still lists its seats, for the record.
    const view = await getBookingForUser(t.db, user, booking.id, later(5));
    expect(view.seats.map((s) => s.label)).toEqual(["A1", "A2"]);
    expect(view.effectiveStatus).toBe("CANCELLED");
  });

  it("refuses once the show has started, and refuses holds and other people's bookings", async () => {
    const { user, other, show, booking } = await holdTwo();
    await expect(cancelBooking(t.db, { userId: user, bookingId: booking.id }, later(1))).rejects.toThrow(
      "Only a paid booking can be cancelled",
    );
    await confirmBooking(t.db, { userId: user, bookingId: booking.id, idempotencyKey: "cancel-key-2", card: TEST_CARDS.approve }, later(2));
    await expect(cancelBooking(t.db, { userId: other, bookingId: booking.id }, later(3))).rejects.toBeInstanceOf(NotFound);
    await expect(cancelBooking(t.db, { userId: user, bookingId: booking.id }, show.startsAt)).rejects.toThrow("The show has started");
    expect((await seatRows(t.db, show.id)).filter((r) => r.status === "BOOKED")).toHaveLength(2);
  });
});

describe("listBookingsForUser", () => {
  it("lists a user's bookings newest first, with their seats and what a person should see as status", async () => {
    const { user, show, ids, booking } = await holdTwo();
    const second = await placeHold(t.db, { userId: user, showId: show.id, seatIds: [ids.B1] }, later(1));
    const list = await listBookingsForUser(t.db, user, later(TTL + 5));
    expect(list.map((b) => b.id)).toEqual([second.booking.id, booking.id]);
    expect(list.map((b) => b.effectiveStatus)).toEqual(["EXPIRED", "EXPIRED"]);
    expect(list[1].seats.map((s) => s.label)).toEqual(["A1", "A2"]);
    expect(list[0].show.name).toBe(show.name);
    // Asked again while it is live, the same seats give back the same hold (a double submit).
    const again = await placeHold(t.db, { userId: user, showId: show.id, seatIds: [ids.B1] }, later(2));
    expect(again).toMatchObject({ path: "existing", booking: { id: second.booking.id } });
  });
});
