/**
 * Several Holdfast instances on this machine behind nginx: `npm run cluster`, the tests that run
 * instances behind nginx, and the benchmark's cluster cell. Each instance is the production
 * server (`node build/server.js`) on its own loopback port; nginx (the system's, from Debian's
 * package) balances between them. Needs `npm run build` first.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { nginxConfig } from "./nginx-config";

export interface ClusterOptions {
  instances: number;
  /** nginx's port; the instances take the ports after it. */
  port: number;
  /** The project (its build/server.js is started). */
  projectRoot: string;
  /** For every instance: DATABASE_URL and SESSION_SECRET at least (all instances share them). */
  env: Record<string, string>;
  /** nginx's files (config, pid, logs); made if missing. */
  prefix: string;
  /** Where the instances' and nginx's output goes; by default, this process's. */
  output?: "inherit" | "ignore";
}

export interface Cluster {
  /** nginx's address: what a buyer uses. */
  url: string;
  instances: Array<{ port: number; url: string; process: ChildProcess }>;
  nginx: ChildProcess;
  stop(): Promise<void>;
}

/** The nginx binary: NGINX_PATH, then Debian's place, then the PATH; null when there is none. */
export function findNginx(): string | null {
  const candidates = [process.env.NGINX_PATH, "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"];
  return candidates.find((p): p is string => Boolean(p && existsSync(p))) ?? null;
}

async function waitForUrl(url: string, child: ChildProcess, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (code ${child.exitCode}) before it answered at ${url}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not answer at ${url} within ${timeoutMs / 1000} s`);
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const nginxBinary = findNginx();
  if (!nginxBinary) throw new Error("nginx is not installed (Debian: apt-get install nginx; or set NGINX_PATH)");
  const stdio = options.output ?? "inherit";
  const instances: Cluster["instances"] = [];
  const started: ChildProcess[] = [];
  const stopAll = async () => {
    await Promise.all(started.map((child) => stopChild(child, child === nginx ? "SIGQUIT" : "SIGTERM")));
  };
  let nginx: ChildProcess | undefined;
  const startInstance = async (i: number) => {
    const port = options.port + 1 + i;
    const child = spawn(process.execPath, [path.join(options.projectRoot, "build", "server.js")], {
      cwd: options.projectRoot,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        NODE_ENV: process.env.NODE_ENV ?? "production",
        ...options.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        // nginx, on loopback, says who the buyer is.
        TRUST_PROXY: "loopback",
      },
      stdio: ["ignore", stdio, stdio],
    });
    started.push(child);
    const url = `http://127.0.0.1:${port}`;
    await waitForUrl(`${url}/readyz`, child, `instance ${i + 1}`);
    instances.push({ port, url, process: child });
  };
  try {
    // The first instance migrates the database; the rest start once it is ready.
    await startInstance(0);
    await Promise.all(Array.from({ length: options.instances - 1 }, (_, i) => startInstance(i + 1)));
    instances.sort((a, b) => a.port - b.port);
    await mkdir(options.prefix, { recursive: true });
    const config = path.join(options.prefix, "nginx.conf");
    await writeFile(config, nginxConfig({ listenPort: options.port, upstreamPorts: instances.map((i) => i.port), prefix: options.prefix }));
    nginx = spawn(nginxBinary, ["-p", options.prefix, "-c", config, "-g", "daemon off;"], { stdio: ["ignore", stdio, stdio] });
    started.push(nginx);
    const url = `http://127.0.0.1:${options.port}`;
    await waitForUrl(`${url}/healthz`, nginx, "nginx", 15_000);
    let stopping: Promise<void> | undefined;
    return { url, instances, nginx, stop: () => (stopping ??= stopAll()) };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
