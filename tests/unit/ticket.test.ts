import QRCode from "qrcode";
import { describe, expect, it } from "vitest";
import { bookingCalendar } from "~/domain/calendar.server";
import { qrPath } from "~/http/qr.server";

const booking = {
  id: "0b9e5a4c-1d2e-4f00-8a00-000000000001",
  reference: "4872GV5TLP",
  startsAt: new Date("2030-03-04T10:45:00Z"),
  seats: [{ id: 1, label: "10:45" }],
  updatedAt: new Date("2030-02-01T09:00:00Z"),
  show: { name: "Dr Okafor, general practice; walk-ins", venue: "Riverside Clinic, room 3", city: "London" },
};

describe("the ticket's calendar entry", () => {
  it("starts at the booking's own time, lasts a clinic's slot, and escapes what the format needs escaped", () => {
    const ics = bookingCalendar(booking, { kind: "DOCTOR", start: "09:00", end: "12:00", everyMinutes: 15 }, "Ann Example", "http://x/b/1");
    const unfolded = ics.replace(/\r\n[ \t]/g, "");
    expect(unfolded).toContain("BEGIN:VEVENT");
    expect(unfolded).toContain(`UID:${booking.id}@holdfast`);
    expect(unfolded).toContain("DTSTART:20300304T104500Z");
    expect(unfolded).toContain("DURATION:PT15M");
    expect(unfolded).toContain("SUMMARY:Dr Okafor\\, general practice\\; walk-ins");
    expect(unfolded).toContain("LOCATION:Riverside Clinic\\, room 3\\, London");
    expect(unfolded).toContain("DESCRIPTION:Appointment at 10:45 for Ann Example. Reference 4872GV5TLP.");
    for (const line of ics.split("\r\n")) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  });

  it("is a later revision (a higher SEQUENCE) of the same entry after the booking changed: a calendar updates it", () => {
    const sequence = (updatedAt: Date) =>
      Number(
        /SEQUENCE:(\d+)/.exec(
          bookingCalendar({ ...booking, updatedAt }, { kind: "THEATRE", rows: 1, seatsPerRow: 1, aisleAfter: [] }, "A", "http://x/b/1"),
        )?.[1],
      );
    expect(sequence(new Date("2030-02-02T09:00:00Z"))).toBeGreaterThan(sequence(booking.updatedAt));
  });

  it("marks only the start of a show, whose length is not known", () => {
    const ics = bookingCalendar(
      {
        ...booking,
        seats: [
          { id: 1, label: "A1" },
          { id: 2, label: "A2" },
        ],
      },
      { kind: "THEATRE", rows: 2, seatsPerRow: 5, aisleAfter: [] },
      "Ann",
      "http://x",
    ).replace(/\r\n[ \t]/g, "");
    expect(ics).toContain("DTSTART:20300304T104500Z");
    expect(ics).toContain("DTEND:20300304T104500Z");
    expect(ics).not.toContain("DURATION");
    expect(ics).toContain("Seats A1 and A2 for Ann");
  });
});

describe("the ticket's QR code", () => {
  it("draws every dark module of the reference's code once, in a square of its size", () => {
    const { size, d } = qrPath("4872GV5TLP");
    const { modules } = QRCode.create("4872GV5TLP", { errorCorrectionLevel: "M" });
    expect(size).toBe(modules.size);
    let dark = 0;
    for (let i = 0; i < modules.size * modules.size; i++) dark += modules.data[i] ? 1 : 0;
    expect(d.match(/M/g)).toHaveLength(dark);
    expect(d).toMatch(/^M0 0h1v1h-1z/); // the finder pattern's corner
  });
});
