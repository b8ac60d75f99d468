import { useEffect, useId, useRef } from "react";
import { useBusy } from "./use-busy";

export function FormField(props: {
  label: string;
  name: string;
  type?: string;
  defaultValue?: string;
  error?: string;
  autoComplete?: string;
  inputMode?: React.HTMLAttributes<HTMLInputElement>["inputMode"];
  hint?: string;
  /** When this changes (a new answer from the server), the field is emptied: used for passwords. */
  clearOn?: unknown;
  /** A text area, for paragraphs. */
  multiline?: boolean;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (props.clearOn !== undefined && input.current) input.current.value = "";
  }, [props.clearOn]);
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [props.error ? errorId : null, props.hint ? hintId : null].filter(Boolean).join(" ");
  const common = {
    id,
    name: props.name,
    defaultValue: props.defaultValue,
    "aria-invalid": props.error ? true : undefined,
    "aria-describedby": describedBy || undefined,
    className: `block w-full rounded border px-3 py-2 shadow-sm focus:outline-2 focus:outline-brand-600 ${props.error ? "border-red-500" : "border-slate-300"}`,
  };
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {props.label}
      </label>
      {props.multiline ? (
        <textarea {...common} rows={4} />
      ) : (
        <input ref={input} {...common} type={props.type ?? "text"} autoComplete={props.autoComplete} inputMode={props.inputMode} />
      )}
      {props.hint ? (
        <p id={hintId} className="text-xs text-slate-500">
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p id={errorId} className="text-sm text-red-700">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div role="alert" className="rounded border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900">
      {message}
    </div>
  );
}

const BUTTON = "rounded px-4 py-2 font-semibold disabled:opacity-60";
export const BUTTON_STYLES = {
  primary: `${BUTTON} bg-brand-600 text-white hover:bg-brand-700`,
  secondary: `${BUTTON} border border-slate-300 bg-white text-slate-800 hover:bg-slate-100`,
  danger: `${BUTTON} bg-red-700 text-white hover:bg-red-800`,
} as const;

/**
 * A form's submit button that knows when its own post is on its way: disabled and relabelled
 * (`busyLabel`) until the answer comes. With `intent`, it sends `intent=<value>` and only that
 * post makes it busy.
 */
export function SubmitButton(props: {
  children: React.ReactNode;
  busyLabel?: string;
  intent?: string;
  variant?: keyof typeof BUTTON_STYLES;
  className?: string;
  disabled?: boolean;
}) {
  const busy = useBusy(props.intent);
  return (
    <button
      type="submit"
      name={props.intent ? "intent" : undefined}
      value={props.intent}
      disabled={busy || props.disabled}
      aria-busy={busy || undefined}
      className={`${BUTTON_STYLES[props.variant ?? "primary"]} ${props.className ?? ""}`}
    >
      {busy && props.busyLabel ? props.busyLabel : props.children}
    </button>
  );
}
