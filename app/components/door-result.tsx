/** The door's answer, large and unmistakable: colour, a word, and what to do. */
export interface DoorAnswer {
  verdict: "valid" | "already" | "ready" | "other_show" | "cancelled" | "not_paid" | "unknown";
  reference: string;
  name?: string;
  seat?: string;
  inCount?: number;
  total?: number;
  earlier?: string;
  otherShow?: string;
}

const LOOK: Record<DoorAnswer["verdict"], { word: string; tone: string }> = {
  valid: { word: "Valid", tone: "border-green-700 bg-green-50 text-green-900" },
  already: { word: "Already checked in", tone: "border-amber-600 bg-amber-50 text-amber-900" },
  ready: { word: "Not checked in yet", tone: "border-slate-400 bg-white text-slate-900" },
  other_show: { word: "Another show's ticket", tone: "border-red-700 bg-red-50 text-red-900" },
  cancelled: { word: "Cancelled and refunded", tone: "border-red-700 bg-red-50 text-red-900" },
  not_paid: { word: "Not paid for", tone: "border-red-700 bg-red-50 text-red-900" },
  unknown: { word: "Unknown ticket", tone: "border-red-700 bg-red-50 text-red-900" },
};

export function DoorResult({ answer }: { answer: DoorAnswer }) {
  const look = LOOK[answer.verdict];
  return (
    <div role="status" aria-live="assertive" className={`rounded-xl border-4 p-5 ${look.tone}`} data-verdict={answer.verdict}>
      <p className="text-4xl font-black uppercase tracking-wide">{look.word}</p>
      <p className="mt-2 text-lg">
        <span className="font-mono">{answer.reference}</span>
        {answer.name ? ` · ${answer.name}` : ""}
      </p>
      {answer.verdict === "valid" ? (
        <p className="mt-1 text-2xl font-bold">
          Let in: {answer.seat} · {answer.inCount} of {answer.total} in
        </p>
      ) : null}
      {answer.verdict === "already" ? (
        <p className="mt-1 text-xl font-semibold">
          {answer.seat} came in {answer.earlier} · {answer.inCount} of {answer.total} in
        </p>
      ) : null}
      {answer.verdict === "ready" ? <p className="mt-1 text-xl">Next in: {answer.seat}</p> : null}
      {answer.verdict === "other_show" ? <p className="mt-1 text-xl font-semibold">This ticket is for {answer.otherShow}.</p> : null}
      {answer.verdict === "cancelled" ? <p className="mt-1 text-xl font-semibold">This booking was cancelled: do not let in.</p> : null}
      {answer.verdict === "not_paid" ? <p className="mt-1 text-xl font-semibold">This is a hold that was never paid for.</p> : null}
      {answer.verdict === "unknown" ? (
        <p className="mt-1 text-xl font-semibold">No booking has this reference. Check it was typed right.</p>
      ) : null}
    </div>
  );
}
