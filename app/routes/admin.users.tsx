import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/auth/guards.server";
import { AdminNav } from "~/components/admin/occupancy";
import { FormError, SubmitButton } from "~/components/form-field";
import { listUsers, setUserRole } from "~/domain/accounts.server";
import { ROLE_NAMES, ROLES } from "~/domain/roles";
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
    return redirectWithFlash(post, "/admin/users", `${changed.name} is now ${ROLE_NAMES[changed.role].toLowerCase()}`);
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
            <Form method="post" className="flex flex-wrap items-center gap-2">
              <input type="hidden" name="userId" value={u.id} />
              <label htmlFor={`role-${u.id}`} className="sr-only">
                Role of {u.name}
              </label>
              <select id={`role-${u.id}`} name="role" defaultValue={u.role} className="rounded border border-slate-300 px-2 py-2">
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {ROLE_NAMES[r]}
                  </option>
                ))}
              </select>
              <SubmitButton variant="secondary" busyLabel="Saving…">
                Save role
              </SubmitButton>
            </Form>
          </li>
        ))}
      </ul>
    </div>
  );
}
