/** Simulated card payments. No card data is stored beyond the last four digits. */
export const TEST_CARDS = {
  /** Always approved. */
  approve: "4242 4242 4242 4242",
  /** Always declined: the hold stays until it ends. */
  decline: "4000 0000 0000 0002",
} as const;

export const normaliseCard = (card: string) => card.replace(/[\s-]/g, "");

/** Luhn check: catches most typos before anything is "charged". */
export function isValidCardNumber(card: string): boolean {
  const digits = normaliseCard(card);
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function simulateCharge(card: string): "SUCCEEDED" | "DECLINED" {
  return normaliseCard(card) === normaliseCard(TEST_CARDS.decline) ? "DECLINED" : "SUCCEEDED";
}
