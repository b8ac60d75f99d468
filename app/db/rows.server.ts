import { getTableColumns, type InferSelectModel, type Table } from "drizzle-orm";

/**
 * A table's row as a raw statement returns it (`to_jsonb(t)`: the database's column names, times
 * as text) in the shape Drizzle gives everywhere else, derived from the table's own columns: a
 * column added to the schema is mapped with no code of its own.
 */
export function rowMapper<T extends Table>(table: T): (row: Record<string, unknown>) => InferSelectModel<T> {
  const columns = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const read: (value: unknown) => unknown =
      column.dataType === "date" ? (v) => new Date(String(v)) : column.dataType === "number" ? (v) => Number(v) : (v) => v;
    return { key, name: column.name, read };
  });
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const { key, name, read } of columns) {
      const value = row[name];
      out[key] = value === null || value === undefined ? null : read(value);
    }
    return out as InferSelectModel<T>;
  };
}
