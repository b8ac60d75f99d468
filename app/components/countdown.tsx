import { useRevalidator } from "@remix-run/react";
import { useEffect, useMemo, useRef, useState } from "react";

const AGAIN_AFTER_MS = 2_000;

/** "4:59 left" from milliseconds. */
export function formatLeft(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")} left`;
}

/**
 * Time left on a hold, ticking every second. It runs on the server's clock (the browser's clock
 * plus the offset seen when the data arrived), so a skewed client clock does not matter. At zero
 * it reloads the page's data, which then shows the hold as ended.
 */
/** Under this much time left, a countdown with `warn` turns red and says so once to screen readers. */
export const WARN_MS = 60_000;

export function Countdown({ expiresAt, serverNow, warn = false }: { expiresAt: string; serverNow: number; warn?: boolean }) {
  const expires = Date.parse(expiresAt);
  const offset = useMemo(() => (typeof window === "undefined" ? 0 : serverNow - Date.now()), [serverNow]);
  const [now, setNow] = useState(serverNow);
  const revalidator = useRevalidator();
  const reload = useRef({ revalidator, lastAt: 0 });
  reload.current.revalidator = revalidator;

  useEffect(() => {
    const tick = () => {
      const serverTime = Date.now() + offset;
      setNow(serverTime);
      const state = reload.current;
      // The server may still see a second or two left: ask again until it agrees.
      if (serverTime >= expires && state.revalidator.state === "idle" && Date.now() - state.lastAt > AGAIN_AFTER_MS) {
        state.lastAt = Date.now();
        state.revalidator.revalidate();
      }
    };
    tick();
    const timer = window.setInterval(tick, 1000);
    return () => window.clearInterval(timer);
  }, [expires, offset]);

  const warning = warn && expires - now < WARN_MS && expires > now;
  return (
    <>
      <span role="timer" className={`font-mono tabular-nums${warning ? " font-bold text-red-700" : ""}`} suppressHydrationWarning>
        {formatLeft(expires - now)}
      </span>
      {warn ? (
        <span aria-live="assertive" className={warning ? "ml-1 font-semibold text-red-700" : "sr-only"}>
          {warning ? "Less than a minute left!" : ""}
        </span>
      ) : null}
    </>
  );
}
