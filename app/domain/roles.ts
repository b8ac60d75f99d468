/**
 * Who may do what. One list, read by the database's enum, the API's schema and the forms.
 * - USER buys tickets.
 * - DOOR checks tickets in at the door and reads the door list; nothing else of the admin side.
 * - ADMIN runs the house, and may do what DOOR does.
 * Proven in tests/integration/admin-access.test.ts (every admin route, for every role).
 */
export const ROLES = ["USER", "DOOR", "ADMIN"] as const;
export type RoleName = (typeof ROLES)[number];

export const ROLE_NAMES: Record<RoleName, string> = { USER: "User", DOOR: "Door staff", ADMIN: "Administrator" };

export const isAdmin = (role: RoleName | undefined | null) => role === "ADMIN";
export const mayCheckIn = (role: RoleName | undefined | null) => role === "DOOR" || role === "ADMIN";
