import type { Flash } from "~/auth/cookie.server";

const styles: Record<Flash["kind"], string> = {
  success: "border-green-300 bg-green-50 text-green-900",
  error: "border-red-300 bg-red-50 text-red-900",
  info: "border-sky-300 bg-sky-50 text-sky-900",
};

export function FlashMessage({ flash }: { flash: Flash }) {
  return (
    <div role="status" className={`mb-6 rounded border print:hidden px-4 py-3 text-sm ${styles[flash.kind]}`}>
      {flash.message}
    </div>
  );
}
