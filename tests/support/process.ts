import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";

export const PROJECT = path.resolve(import.meta.dirname, "../..");

/** Where test servers write e-mails unless a test says otherwise (removed by the global teardown): never the project's .data. */
export const TEST_MAIL_DIR = path.join(os.tmpdir(), `holdfast-test-mail-${process.pid}`);

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  port: number;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the exit code (or the signal that ended it). */
  exited: Promise<number | NodeJS.Signals | null>;
}

/** Starts what `npm start` starts (`node build/server.js`, needs `npm run build`) and waits until it listens (it logs at info: the line is the signal). */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["build/server.js"], {
    cwd: PROJECT,
    env: {
      NODE_ENV: "development",
      PATH: process.env.PATH ?? "",
      PORT: "0",
      HOST: "127.0.0.1",
      MAIL_DIR: TEST_MAIL_DIR,
      ...env,
      LOG_LEVEL: "info",
    },
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" after ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const look = () => {
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on("data", look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before listening:\n${output}`));
    });
  });
  return { child, url, port: Number(new URL(url).port), output: () => output, exited };
}

export const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** The embedded PostgreSQL's postmaster PID and port, from its data folder. */
export async function postmasterOf(dataDir: string): Promise<{ pid: number; port: number }> {
  const lines = (await readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8")).split("\n");
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

/** True when something accepts TCP connections on the port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

/** Waits until `check` is true, polling; fails after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 15_000, what = "condition"): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
