import { describe, expect, it } from "vitest";
import { countedNoun, wordsFor } from "~/domain/kind-words";

describe("each kind in its own words", () => {
  it("never speaks of seats or shows to a clinic's patients", () => {
    expect(Object.values(wordsFor("DOCTOR")).join(" ")).not.toMatch(/\b(seat|seats|show|shows)\b/i);
    expect(countedNoun("DOCTOR", 1)).toBe("Appointment");
    expect(countedNoun("DOCTOR", 2)).toBe("Appointments");
  });

  it("keeps seats for theatres and coaches, and names a coach's event a trip", () => {
    expect(countedNoun("SHOW", 1)).toBe("Seat");
    expect(countedNoun("BUS", 3)).toBe("Seats");
    expect(wordsFor("BUS").event).toBe("Trip");
    expect(wordsFor("SHOW").hold).toBe("Hold seats");
  });
});
