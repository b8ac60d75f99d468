import { sql } from "drizzle-orm";
import { pgEnum, pgTable, text, timestamp, uniqueIndex, uuid, check } from "drizzle-orm/pg-core";

/** Every table Holdfast stores, in one module. Columns are snake_case in SQL. */

export const userRole = pgEnum("user_role", ["USER", "ADMIN"]);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: userRole("role").notNull().default("USER"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One account per address, whatever the case it was typed in.
    uniqueIndex("users_email_lower_key").on(sql`lower(${t.email})`),
    check("users_name_length", sql`char_length(${t.name}) between 1 and 100`),
    check("users_email_length", sql`char_length(${t.email}) between 3 and 254`),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Role = User["role"];
