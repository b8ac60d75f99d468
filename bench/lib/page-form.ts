/**
 * Where a browser without JavaScript posts the seat map's hold form: the form's action as the
 * page renders it (for a big venue's open section it keeps the page's `?section=`, so a refused
 * hold re-renders that section, not the whole venue).
 */
const ENTITIES: Record<string, string> = { "&amp;": "&", "&quot;": '"', "&#39;": "'", "&#x27;": "'", "&lt;": "<", "&gt;": ">" };

export async function holdFormAction(baseUrl: string, pagePath: string, cookie: string): Promise<string> {
  const page = new URL(pagePath, baseUrl);
  const response = await fetch(page, { headers: { Cookie: cookie } });
  const html = await response.text();
  if (!response.ok) throw new Error(`GET ${pagePath} answered ${response.status}`);
  const form = [...html.matchAll(/<form\b[^>]*>/g)].map((m) => m[0]).find((tag) => tag.includes("seat-map-heading"));
  if (!form) throw new Error(`GET ${pagePath}: the page has no seat map form`);
  const action = /\saction="([^"]*)"/.exec(form)?.[1]?.replace(/&(amp|quot|#39|#x27|lt|gt);/g, (e) => ENTITIES[e]);
  // A form without an action posts to the page's own address.
  const target = new URL(action ?? page.href, page);
  return `${target.pathname}${target.search}`;
}
