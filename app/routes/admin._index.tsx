import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/auth/guards.server";
import { pageLoader } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "Admin · Holdfast" }];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, context }) => {
    const admin = await requireAdmin(request, context);
    return json({ adminName: admin.name });
  });

export default function AdminHome() {
  const { adminName } = useLoaderData<typeof loader>();
  return (
    <div>
      <h1 className="text-2xl font-bold">Admin</h1>
      <p className="mt-2 text-slate-700">Signed in as {adminName}. Show management and live sales arrive with the admin tools.</p>
    </div>
  );
}
