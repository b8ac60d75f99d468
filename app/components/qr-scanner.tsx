import { useCallback, useEffect, useRef, useState } from "react";
import { useHydrated } from "./use-hydrated";

/** The browser's own detector, where there is one (Chrome on Android, macOS, ChromeOS). */
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<Array<{ rawValue: string }>>;
}
declare global {
  interface Window {
    BarcodeDetector?: {
      new (options: { formats: string[] }): BarcodeDetectorLike;
      getSupportedFormats(): Promise<string[]>;
    };
  }
}

type Decode = (canvas: HTMLCanvasElement, context: CanvasRenderingContext2D) => Promise<string | null>;

/**
 * Reads QR codes from the device's camera: the browser's BarcodeDetector where it reads QR codes,
 * otherwise jsQR (the well-kept pure-JavaScript decoder, loaded only when the camera starts). A
 * code still in front of the camera is read once: it must leave the frame for 1.5 s (or "Scan the
 * same again" be pressed) before it counts again, so a ticket held up lets one person in, not
 * one per frame. Shown only once JavaScript runs; the typed reference works without it.
 */
export function QrScanner({ onCode }: { onCode: (text: string) => void }) {
  const hydrated = useHydrated();
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const last = useRef<{ code: string; seen: number } | null>(null);
  const [state, setState] = useState<"off" | "starting" | "on">("off");
  const [problem, setProblem] = useState<string | null>(null);
  const onCodeRef = useRef(onCode);
  onCodeRef.current = onCode;

  const stop = useCallback(() => {
    for (const track of stream.current?.getTracks() ?? []) track.stop();
    stream.current = null;
    setState("off");
  }, []);
  useEffect(() => stop, [stop]);

  useEffect(() => {
    if (state !== "on") return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    let decode: Decode | null = null;
    (async () => {
      decode = await decoder();
      const tick = async () => {
        if (cancelled) return;
        const v = video.current;
        if (v && context && decode && v.readyState >= 2 && v.videoWidth > 0) {
          const scale = Math.min(1, 640 / v.videoWidth);
          canvas.width = Math.round(v.videoWidth * scale);
          canvas.height = Math.round(v.videoHeight * scale);
          context.drawImage(v, 0, 0, canvas.width, canvas.height);
          const code = await decode(canvas, context).catch(() => null);
          if (code) {
            const now = Date.now();
            const seenBefore = last.current && last.current.code === code && now - last.current.seen < 1500;
            last.current = { code, seen: now };
            if (!seenBefore) onCodeRef.current(code);
          }
        }
        timer = setTimeout(tick, 150);
      };
      tick();
    })();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [state]);

  async function start() {
    setProblem(null);
    setState("starting");
    try {
      const media = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      stream.current = media;
      if (video.current) {
        video.current.srcObject = media;
        await video.current.play();
      }
      setState("on");
    } catch (error) {
      setState("off");
      setProblem(
        error instanceof DOMException && error.name === "NotAllowedError"
          ? "The camera was not allowed. Allow it in the browser's settings, or type the reference."
          : "No camera could be opened here. Type the reference instead.",
      );
    }
  }

  if (!hydrated) return null;
  return (
    <section aria-labelledby="scan-heading" className="space-y-2">
      <h2 id="scan-heading" className="text-lg font-semibold">
        Scan
      </h2>
      <video ref={video} muted playsInline className={`w-full max-w-md rounded-lg bg-black ${state === "off" ? "hidden" : ""}`} />
      <div className="flex flex-wrap gap-2">
        {state === "off" ? (
          <button type="button" onClick={start} className="rounded bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
            Start the camera
          </button>
        ) : (
          <>
            <button type="button" onClick={() => (last.current = null)} className="rounded border border-slate-300 bg-white px-4 py-2">
              Scan the same again
            </button>
            <button type="button" onClick={stop} className="rounded border border-slate-300 bg-white px-4 py-2">
              Stop the camera
            </button>
          </>
        )}
      </div>
      {state === "starting" ? <p className="text-sm text-slate-600">Opening the camera…</p> : null}
      {problem ? (
        <p role="alert" className="text-sm text-red-800">
          {problem}
        </p>
      ) : null}
    </section>
  );
}

async function decoder(): Promise<Decode> {
  const Native = window.BarcodeDetector;
  const formats: string[] = Native ? await Native.getSupportedFormats().catch(() => []) : [];
  if (Native && formats.includes("qr_code")) {
    const detector = new Native({ formats: ["qr_code"] });
    return async (canvas) => (await detector.detect(canvas))[0]?.rawValue ?? null;
  }
  const { default: jsQR } = await import("jsqr");
  return async (canvas, context) => {
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    return jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" })?.data ?? null;
  };
}
