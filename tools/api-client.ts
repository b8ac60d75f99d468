import { writeFile } from "node:fs/promises";
import path from "node:path";
import { PROJECT_ROOT } from "~/config.server";
import { API_CLIENT_TYPES, renderApiClientTypes } from "./api-client-types";

/**
 * `npm run api:client`: writes the TypeScript types of the JSON API (paths, bodies, answers) from
 * the OpenAPI document, for openapi-fetch or any typed client. tests/integration/api-client.test.ts
 * fails when the checked-in file is older than the document.
 */
const target = path.join(PROJECT_ROOT, API_CLIENT_TYPES);
await writeFile(target, await renderApiClientTypes());
console.log(`Wrote ${path.relative(process.cwd(), target)}`);
