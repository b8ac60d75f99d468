/**
 * GET /ping — Remix's own floor: a resource route that does nothing. The benchmark measures it
 * as the cost every Remix request pays before any work; an operator can use it to see that the
 * app build (not only the process, /healthz) answers.
 */
export const loader = () => new Response("pong", { headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
