/** Isomorphic: the admin form's live preview builds the same object in the browser. */
/**
 * A form whose inputs are named by dotted paths ("priceZones.0.name", "layout.sections.1.rows")
 * as one nested object, for the schema to parse; numeric segments make lists. Only names under
 * `prefixes` are kept (never the intent or other controls). Values stay text: the schema parses.
 */
export function formToObject(form: FormData, prefixes: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of form) {
    // An empty field is a field left out: optional ones stay unset, required ones say so.
    if (typeof value !== "string" || value === "" || !prefixes.some((p) => name === p || name.startsWith(`${p}.`))) continue;
    const path = name.split(".");
    if (path.some((part) => part === "__proto__" || part === "constructor" || part === "prototype")) continue;
    let node: Record<string, unknown> | unknown[] = out;
    for (let i = 0; i < path.length; i++) {
      const key = /^\d+$/.test(path[i]) ? Number(path[i]) : path[i];
      if (typeof key === "number" && key > 200) break;
      const last = i === path.length - 1;
      const next = /^\d+$/.test(path[i + 1] ?? "") ? [] : {};
      const container = node as Record<string | number, unknown>;
      if (last) {
        container[key] = value;
      } else {
        if (container[key] === undefined) container[key] = next;
        node = container[key] as Record<string, unknown> | unknown[];
      }
    }
  }
  // Lists built from sparse indexes ("sections.0", "sections.3") lose their holes.
  return compact(out) as Record<string, unknown>;
}

function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compact);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
  return value;
}
