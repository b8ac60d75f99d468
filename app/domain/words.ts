/**
 * Counted words, by the language's plural rules (Intl.PluralRules, built into every runtime: no
 * hand-written `s`). "1 seat", "2 seats", "1 booking refunded", "3 bookings refunded".
 */
const rules = new Intl.PluralRules("en-GB");

export function plural(count: number, one: string, other: string): string {
  return rules.select(count) === "one" ? one : other;
}

/** "1 seat", "4 seats": the count and its noun. */
export function counted(count: number, one: string, other: string): string {
  return `${count.toLocaleString("en-GB")} ${plural(count, one, other)}`;
}
