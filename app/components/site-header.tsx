import { Form, Link, NavLink } from "@remix-run/react";
import { mayCheckIn, type RoleName } from "~/domain/roles";

export interface HeaderUser {
  id: string;
  name: string;
  role: RoleName;
}

const navClass = ({ isActive }: { isActive: boolean }) =>
  `rounded px-2 py-1 hover:bg-slate-100 ${isActive ? "font-semibold text-brand-700" : "text-slate-700"}`;

export function SiteHeader({ user }: { user: HeaderUser | null }) {
  return (
    <header className="border-b border-slate-200 bg-white print:hidden">
      <div className="mx-auto flex w-full max-w-5xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
        <Link to="/" className="text-lg font-bold tracking-tight text-brand-700">
          Holdfast
        </Link>
        <nav aria-label="Main" className="flex flex-wrap items-center gap-1 text-sm">
          <NavLink to="/" end className={navClass}>
            Shows
          </NavLink>
          <NavLink to="/bookings" className={navClass}>
            My bookings
          </NavLink>
          {user?.role === "ADMIN" ? (
            <NavLink to="/admin" className={navClass}>
              Admin
            </NavLink>
          ) : null}
          {mayCheckIn(user?.role) ? (
            <NavLink to="/door" className={navClass}>
              Door
            </NavLink>
          ) : null}
        </nav>
        <div className="ml-auto flex items-center gap-3 text-sm">
          {user ? (
            <>
              <Link to="/account" className="text-slate-600 underline-offset-2 hover:underline" data-testid="current-user">
                {user.name}
              </Link>
              <Form method="post" action="/logout">
                <button type="submit" className="rounded border border-slate-300 px-3 py-1 hover:bg-slate-100">
                  Log out
                </button>
              </Form>
            </>
          ) : (
            <>
              <Link to="/login" className="rounded px-2 py-1 hover:bg-slate-100">
                Log in
              </Link>
              <Link to="/signup" className="rounded bg-brand-600 px-3 py-1 text-white hover:bg-brand-700">
                Sign up
              </Link>
            </>
          )}
        </div>
      </div>
    </header>
  );
}
