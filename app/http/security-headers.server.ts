import { randomBytes } from "node:crypto";

/**
 * The headers every answer carries, and the page's Content-Security-Policy. One place, so that
 * pages, the API, static files and the API reference page cannot drift apart.
 */
export function baseSecurityHeaders(isProduction: boolean): Record<string, string> {
  return {
    "X-Content-Type-Options": "nosniff",
    // Other sites learn our origin at most, never a path (which may hold a booking id).
    "Referrer-Policy": "strict-origin-when-cross-origin",
    // Older browsers' frame-ancestors: no page of ours may be framed (clickjacking the Pay button).
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    // Production runs behind TLS; the first HTTPS answer pins it for a year.
    ...(isProduction ? { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" } : {}),
  };
}

/**
 * A page's policy: scripts only from here and the inline ones Remix writes with this request's
 * nonce; styles from here (and style attributes, which the occupancy bars use); nothing framed,
 * no plugins, forms post only here.
 */
export function pagePolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join("; ");
}

/** The API reference page (Swagger UI): its scripts are files here; it sets styles inline. */
export const API_DOCS_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join("; ");

// Drawn 4 KB at a time (as crypto.randomUUID does): one system call per 256 pages.
let entropy = Buffer.alloc(0);
let used = 0;
/** A fresh nonce: 128 random bits, base64. */
export function newNonce(): string {
  if (used + 16 > entropy.length) {
    entropy = randomBytes(4096);
    used = 0;
  }
  used += 16;
  return entropy.toString("base64", used - 16, used);
}
