import type { MetaFunction } from "@remix-run/node";
import { Link, useRouteLoaderData } from "@remix-run/react";
import type { loader as rootLoader } from "~/root";

export const meta: MetaFunction = () => [{ title: "Holdfast · seats that are never sold twice" }];

export default function Home() {
  const root = useRouteLoaderData<typeof rootLoader>("root");
  return (
    <section className="space-y-4">
      <h1 className="text-3xl font-bold tracking-tight">Pick your seat. Hold it. It is yours.</h1>
      <p className="max-w-2xl text-slate-700">
        Holdfast sells theatre and cinema seats, bus seats and doctor&apos;s appointment slots from a seat map, and never sells
        one seat twice.
      </p>
      {root?.user ? null : (
        <p className="text-slate-700">
          <Link to="/signup" className="text-brand-600 underline">Create an account</Link> or{" "}
          <Link to="/login" className="text-brand-600 underline">log in</Link> to book.
        </p>
      )}
    </section>
  );
}
