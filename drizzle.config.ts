import { defineConfig } from "drizzle-kit";

// Only `drizzle-kit generate` is used (it needs no database); migrations apply at start
// and with `npm run db:migrate`, through drizzle-orm's migrator.
export default defineConfig({
  dialect: "postgresql",
  schema: "./app/db/schema.ts",
  out: "./drizzle",
  casing: "snake_case",
});
