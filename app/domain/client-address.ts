/**
 * The "where from" of a hold, for the per-address brake on hoarding: an IPv4 address as it is
 * (one home or office, often one NAT), an IPv6 address by its /64 (one network hands a single
 * customer a whole /64, so a hoarder could otherwise rotate through 2^64 addresses).
 * IPv4-mapped IPv6 (::ffff:192.0.2.1) is the IPv4 address. Anything unreadable is kept whole.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(":")) return address;
  const zoneless = address.split("%")[0].toLowerCase();
  const [head, tail] = zoneless.split("::");
  const left = head ? head.split(":") : [];
  const right = tail === undefined ? [] : tail ? tail.split(":") : [];
  if (tail === undefined && left.length !== 8) return zoneless;
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return zoneless;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
