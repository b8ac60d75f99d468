import { request as httpRequest } from "node:http";

export interface TestResponse {
  status: number;
  headers: Headers;
  text(): Promise<string>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the server sent, and assert on it
  json(): Promise<any>;
}

/**
 * A tiny cookie-keeping HTTP client for driving a running Holdfast like a browser without JS.
 * `localAddress` picks the loopback address it speaks from, so tests can be different clients.
 */
export class TestClient {
  private cookies = new Map<string, string>();
  constructor(
    readonly baseUrl: string,
    private readonly options: { localAddress?: string; headers?: Record<string, string>; cookies?: string } = {},
  ) {
    this.remember(new Headers(options.cookies ? [["set-cookie", options.cookies]] : []));
  }

  get cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private remember(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  request(path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<TestResponse> {
    const url = new URL(path, this.baseUrl);
    const headers: Record<string, string> = { ...this.options.headers, ...init.headers };
    if (this.cookies.size) headers.Cookie = this.cookieHeader;
    if (init.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(init.body));
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: init.method ?? "GET",
          headers,
          localAddress: this.options.localAddress,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const out = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              for (const item of Array.isArray(v) ? v : v === undefined ? [] : [v]) out.append(k, item);
            }
            this.remember(out);
            const body = Buffer.concat(chunks).toString("utf8");
            resolve({ status: res.statusCode ?? 0, headers: out, text: async () => body, json: async () => JSON.parse(body) });
          });
        },
      );
      req.on("error", reject);
      req.end(init.body);
    });
  }

  get(path: string, headers: Record<string, string> = {}) {
    return this.request(path, { headers });
  }

  post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.request(path, {
      method: "POST",
      body: new URLSearchParams(fields).toString(),
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    });
  }
}

/** The text of the page, without tags, for asserting on what a person would read. */
export function textOf(html: string) {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}
