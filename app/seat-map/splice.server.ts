import { type ServerOnly, ServerOnlyKey } from "~/components/server-only";
import type { Segment } from "~/seat-map/deflate-stitch.server";

/**
 * Parts of a page that a loader prepared as bytes (the seat map, whose rows are kept encoded and
 * compressed between requests) instead of as a string for React. The component renders a marker;
 * entry.server.tsx puts the bytes where the marker is.
 */
export const SPLICES = new ServerOnlyKey<Splice[]>("splices");
export interface Splice {
  marker: string;
  parts: Segment[];
}

/** A page's bytes: plain parts (encoded per request) and segments (encoded and compressed once). */
export type DocumentParts = Array<Buffer | Segment>;

/** Asks for `parts` to stand where `marker` is in this request's page. */
export function spliceLater(serverOnly: ServerOnly, marker: string, parts: Segment[]) {
  const splices = serverOnly.get(SPLICES) ?? [];
  splices.push({ marker, parts });
  serverOnly.set(SPLICES, splices);
}

export function spliceDocument(html: string, serverOnly: ServerOnly | undefined): DocumentParts {
  const splices = serverOnly?.get(SPLICES) ?? [];
  const out: DocumentParts = [];
  let rest = html;
  for (const { marker, parts } of splices) {
    const at = rest.indexOf(marker);
    if (at < 0) continue;
    out.push(Buffer.from(rest.slice(0, at)), ...parts);
    rest = rest.slice(at + marker.length);
  }
  out.push(Buffer.from(rest));
  return out;
}
