import type { HeadersFunction } from "@remix-run/node";

/** Route `headers` export for forms that may answer 429: the browser learns when to try again. */
export const passRetryAfter: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  const headers = new Headers();
  if (retryAfter) headers.set("Retry-After", retryAfter);
  return headers;
};
