import { readdirSync } from "node:fs";
import path from "node:path";

export const ROUTES = path.resolve(import.meta.dirname, "../../app/routes");

/** Every route module, flat files (`admin.users.tsx`) and folder routes (`admin.users/route.tsx`) alike. */
export const routeModules = (): string[] =>
  readdirSync(ROUTES, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? readdirSync(path.join(ROUTES, entry.name))
          .filter((name) => /^route\.tsx?$/.test(name))
          .map((name) => `${entry.name}/${name}`)
      : /\.tsx?$/.test(entry.name)
        ? [entry.name]
        : [],
  );
