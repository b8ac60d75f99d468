import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/auth/guards.server";
import { AdminNav } from "~/components/admin/occupancy";
import { FormError, SubmitButton } from "~/components/form-field";
import { listUsers, setUserRole } from "~/domain/accounts.server";
import { pageAction, pageLoader, redirectWithFlash, textField } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "Users · Admin · Holdfast" }];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, context }) => {
    const admin = await requireAdmin(request, context);
    const search = new URL(request.url).searchParams.get("q") ?? "";
    const users = await listUsers(context.db, { search });
    return json({ me: admin.id, search, users: users.map((u) => ({ ...u, since: u.createdAt.toISOString().slice(0, 10) })) });
  });

export const action = (args: ActionFunctionArgs) =>
  pageAction(args, { guard: requireAdmin }, async (post) => {
    const { form, user, context } = post;
    const changed = await setUserRole(context.db, user, { userId: textField(form, "userId"), role: form.get("role") });
    return redirectWithFlash(post, "/admin/users", `${changed.name} is now ${changed.role === "ADMIN" ? "an administrator" : "a user"}`);
  });

export default function AdminUsers() {
  const { me, search, users } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="space-y-6">
      <div className="space-y-3">
        <h1 className="text-2xl font-bold">Users</h1>
        <AdminNav />
      </div>
      <Form method="get" className="flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor="q" className="block text-sm font-medium">
            Name or email
          </label>
          <input id="q" name="q" defaultValue={search} className="rounded border border-slate-300 px-3 py-2" />
        </div>
        <button type="submit" className="rounded border border-slate-300 bg-white px-3 py-2">
          Search
        </button>
      </Form>
      <FormError message={result?.formError} />
      <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
        {users.map((u) => (
          <li key={u.id} className="flex flex-wrap items-center justify-between gap-3 p-3">
            <div className="min-w-0">
              <p className="font-medium">
                {u.name} {u.id === me ? <span className="text-sm text-slate-500">(you)</span> : null}
              </p>
              <p className="break-all text-sm text-slate-600">
                {u.email} · since {u.since}
              </p>
            </div>
            <Form method="post" className="flex items-center gap-2">
              <span
                className={`rounded-full px-2 py-0.5 text-xs font-semibold ${u.role === "ADMIN" ? "bg-brand-50 text-brand-700" : "bg-slate-100 text-slate-700"}`}
              >
                {u.role === "ADMIN" ? "Admin" : "User"}
              </span>
              <input type="hidden" name="userId" value={u.id} />
              <input type="hidden" name="role" value={u.role === "ADMIN" ? "USER" : "ADMIN"} />
              <SubmitButton variant="secondary" busyLabel="Saving…">
                {u.role === "ADMIN" ? "Make user" : "Make admin"}
              </SubmitButton>
            </Form>
          </li>
        ))}
      </ul>
    </div>
  );
}
