/**
 * The JSON API's endpoints (http/contract.ts), one file per resource, each handler a few lines:
 * take the caller from the token, call the same domain function as the page, shape the answer.
 * Authentication, bodies, parsing and errors are the router's (http/api.server.ts). A handler
 * missing from this object fails the typecheck (ApiHandlers names every endpoint of the contract).
 */
import type { ApiHandlers } from "~/http/api.server";
import { adminHandlers } from "./admin.server";
import { authHandlers } from "./auth.server";
import { bookingHandlers } from "./bookings.server";
import { operatorHandlers } from "./operators.server";
import { showHandlers } from "./shows.server";

export const v1Handlers: ApiHandlers = { ...authHandlers, ...showHandlers, ...bookingHandlers, ...adminHandlers, ...operatorHandlers };
