/**
 * A closed-loop load generator: `clients` connections, each sending its next request as soon as
 * the previous answer arrived, for `seconds`. Every answer goes to `onAnswer`, so a scenario can
 * keep the history it needs to check invariants afterwards.
 */
import { Agent, request } from "node:http";

export interface BenchRequest {
  method: "GET" | "POST" | "DELETE";
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface BenchAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ms: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  latencies: number[];
  statuses: Record<number, number>;
  errors: string[];
}

function send(base: URL, agent: Agent, req: BenchRequest): Promise<BenchAnswer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(req.body));
    const r = request({ host: base.hostname, port: base.port, path: req.path, method: req.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started }),
      );
    });
    r.on("error", reject);
    r.end(req.body);
  });
}

export async function runLoad(options: {
  baseUrl: string;
  clients: number;
  seconds: number;
  next: (client: number, sequence: number) => BenchRequest;
  onAnswer?: (client: number, request: BenchRequest, answer: BenchAnswer) => void;
}): Promise<LoadResult> {
  const base = new URL(options.baseUrl);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const errors: string[] = [];
  const started = performance.now();
  const until = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.clients }, async (_, client) => {
      // One keep-alive connection per client, as a browser tab or an API client would have.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (let sequence = 0; performance.now() < until; sequence++) {
        const req = options.next(client, sequence);
        try {
          const answer = await send(base, agent, req);
          latencies.push(answer.ms);
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          options.onAnswer?.(client, req, answer);
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
          if (errors.length > 100) throw new Error(`load: too many network errors, first: ${errors[0]}`);
        }
      }
      agent.destroy();
    }),
  );
  return { requests: latencies.length, seconds: (performance.now() - started) / 1000, latencies, statuses, errors };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
