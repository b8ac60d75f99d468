import { json, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { getOptionalUser, safeRedirect } from "~/auth/guards.server";
import { listLabels } from "~/domain/errors";
import { describeSelection } from "~/domain/shows.server";

/**
 * The log-in and sign-up pages' loader: someone signed in goes on to where they were going; a
 * visitor sent here by the seat map is told why, naming the seats that wait for them.
 */
export async function accountPageLoader({ request, context }: LoaderFunctionArgs, verb: "Log in" | "Create an account") {
  const redirectTo = new URL(request.url).searchParams.get("redirectTo");
  if (await getOptionalUser(request, context)) throw redirect(safeRedirect(redirectTo));
  const seats = await describeSelection(context.db, safeRedirect(redirectTo, ""));
  const reason = seats ? `${verb} to hold ${listLabels(seats.labels)} for ${seats.showName}: they stay ticked for you.` : null;
  return json({ reason });
}
