/**
 * The one adapter between JSON API routes and the domain: one error shape,
 * `{ "error": { "code", "message", "details"? } }`, with the status from the one table.
 */
import { json, type LoaderFunctionArgs, type TypedResponse } from "@remix-run/node";
import { DomainError, type ErrorCode } from "~/domain/errors";
import { headersOf, statusOf } from "./errors.server";

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function apiErrorBody(code: string, message: string, details?: unknown): ApiErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

export function apiErrorOf(error: DomainError): TypedResponse<ApiErrorBody> {
  return json(apiErrorBody(error.code, error.message, error.details), { status: statusOf(error), headers: headersOf(error) });
}

/** For answers that are not domain errors (a body too large, not JSON): same shape, any code. */
export function apiError(status: number, code: ErrorCode | string, message: string, details?: unknown): TypedResponse<ApiErrorBody> {
  return json(apiErrorBody(code, message, details), { status });
}

/** Runs an API loader: a DomainError becomes the one error shape; anything else stays a 500. */
export async function apiLoader<T>(
  args: LoaderFunctionArgs,
  load: (args: LoaderFunctionArgs) => Promise<TypedResponse<T>>,
): Promise<TypedResponse<T> | TypedResponse<ApiErrorBody>> {
  try {
    return await load(args);
  } catch (error) {
    if (error instanceof DomainError) return apiErrorOf(error);
    throw error;
  }
}
