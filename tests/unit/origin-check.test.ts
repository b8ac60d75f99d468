import { describe, expect, it } from "vitest";
import { isCrossSiteWrite } from "~/server/http.server";

type Req = Parameters<typeof isCrossSiteWrite>[0];
const req = (method: string, headers: Record<string, string>, hostname = headers.host?.split(":")[0] ?? ""): Req =>
  ({ method, hostname, get: (name: string) => headers[name.toLowerCase()] }) as unknown as Req;

describe("isCrossSiteWrite", () => {
  it("lets reads and requests without Origin through", () => {
    expect(isCrossSiteWrite(req("GET", { origin: "https://evil.example", host: "holdfast.test" }), false)).toBe(false);
    expect(isCrossSiteWrite(req("POST", { host: "holdfast.test" }), false)).toBe(false);
  });

  it("accepts a post from its own host, whatever the scheme a TLS proxy hid", () => {
    expect(isCrossSiteWrite(req("POST", { origin: "http://localhost:3000", host: "localhost:3000" }), false)).toBe(false);
    expect(isCrossSiteWrite(req("POST", { origin: "https://holdfast.test", host: "holdfast.test" }), false)).toBe(false);
  });

  it("refuses other sites and opaque origins", () => {
    expect(isCrossSiteWrite(req("POST", { origin: "https://evil.example", host: "holdfast.test" }), false)).toBe(true);
    expect(isCrossSiteWrite(req("DELETE", { origin: "null", host: "holdfast.test" }), false)).toBe(true);
    expect(isCrossSiteWrite(req("POST", { origin: "https://holdfast.test.evil.example", host: "holdfast.test" }), false)).toBe(true);
  });

  it("counts the host a trusted proxy forwards, and only then", () => {
    const behindProxy = req("POST", { origin: "https://tickets.example", host: "10.0.0.5:3000" }, "tickets.example");
    expect(isCrossSiteWrite(behindProxy, true)).toBe(false);
    expect(isCrossSiteWrite(behindProxy, false)).toBe(true);
  });
});
