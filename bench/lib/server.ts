/**
 * The production server in its own process, as `npm start` runs it, so that its CPU time can be
 * read from /proc apart from the load generator's.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const PROJECT = path.resolve(import.meta.dirname, "../..");

const OUTPUT_TAIL_CHARS = 256 * 1024;

export interface ServerProcess {
  pid: number;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * A folder for a benchmark's e-mails (the server writes one per payment, as in production, but
 * never into the project's .data): removed by `removeBenchMail`.
 */
export const benchMailDir = () => mkdtempSync(path.join(os.tmpdir(), "holdfast-bench-mail-"));
export const removeBenchMail = (dir: string) => rmSync(dir, { recursive: true, force: true });

export async function startServerProcess(env: Record<string, string>, nodeFlags: string[] = []): Promise<ServerProcess> {
  const mailDir = env.MAIL_DIR ? undefined : benchMailDir();
  // What `npm start` runs: the compiled server (`npm run bench` builds it first).
  const server = await spawnServer([...nodeFlags, ...(process.env.BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? []), "build/server.js"], {
    LOG_LEVEL: "info",
    PUBLIC_URL: "http://127.0.0.1",
    ...(mailDir ? { MAIL_DIR: mailDir } : {}),
    ...env,
  });
  return {
    ...server,
    async stop() {
      await server.stop();
      if (mailDir) removeBenchMail(mailDir);
    },
  };
}

/**
 * A node process that prints `listening on http://…` once it serves (Holdfast's server, or the
 * naive reference): its own process, so its CPU can be read from /proc apart from the bench's.
 */
export async function spawnServer(nodeArgs: string[], env: Record<string, string>): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, nodeArgs, {
    cwd: PROJECT,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The server's last lines, for a failure's message: with a line per request, a long run writes
  // hundreds of megabytes, so only the tail is kept.
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk;
    if (output.length > 2 * OUTPUT_TAIL_CHARS) output = output.slice(-OUTPUT_TAIL_CHARS);
  };
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      keep(chunk);
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", keep);
    child.on("exit", (code) => reject(new Error(`${nodeArgs.at(-1)} exited with ${code} before listening:\n${output}`)));
  });
  return {
    pid: child.pid ?? 0,
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.on("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}
