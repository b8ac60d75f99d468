import { describe, expect, it } from "vitest";
import { clockIn, dateIn, formatShowTime, zonedTimeToInstant } from "~/domain/time";

describe("the process time zone", () => {
  it("is the one this project run asked for (UTC or Asia/Kolkata)", () => {
    const offset = new Date("2026-06-01T00:00:00Z").getTimezoneOffset();
    expect(process.env.TZ).toMatch(/^(UTC|Asia\/Kolkata)$/);
    expect(offset).toBe(process.env.TZ === "Asia/Kolkata" ? -330 : 0);
  });
});

describe("wall-clock times in a venue's zone", () => {
  it("turns a local date and time into the right instant, across DST", () => {
    expect(zonedTimeToInstant("2026-07-01", "19:30", "Europe/London").toISOString()).toBe("2026-07-01T18:30:00.000Z");
    expect(zonedTimeToInstant("2026-12-01", "19:30", "Europe/London").toISOString()).toBe("2026-12-01T19:30:00.000Z");
    expect(zonedTimeToInstant("2026-12-01", "09:00", "Asia/Kolkata").toISOString()).toBe("2026-12-01T03:30:00.000Z");
    expect(zonedTimeToInstant("2026-03-29", "03:00", "Europe/London").toISOString()).toBe("2026-03-29T02:00:00.000Z");
  });

  it("reads an instant back as the venue's date and clock, whatever the process zone", () => {
    const instant = new Date("2026-12-31T23:45:00Z");
    expect(dateIn(instant, "Europe/London")).toBe("2026-12-31");
    expect(clockIn(instant, "Europe/London")).toBe("23:45");
    expect(dateIn(instant, "Asia/Kolkata")).toBe("2027-01-01");
    expect(clockIn(instant, "Asia/Kolkata")).toBe("05:15");
    expect(formatShowTime(instant, "Europe/London")).toBe("Thu, 31 Dec 2026, 23:45");
  });
});
