/**
 * CPU time from /proc, in milliseconds: what a process (the server) or a set of processes (every
 * `postgres` on the machine) has spent, user + system. Differences over a measured window give
 * CPU per request without timing anything in the load generator.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function ticksOf(stat: string): number {
  // The command name may contain spaces: fields start after the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

export function processCpuMs(pid: number): number {
  return (ticksOf(readFileSync(`/proc/${pid}/stat`, "utf8")) * 1000) / TICKS_PER_SECOND;
}

/** CPU of every process whose name is `postgres` (the embedded cluster's, or a local server's). */
export function postgresCpuMs(): number {
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) === "postgres") ticks += ticksOf(stat);
    } catch {
      // the process ended while we looked
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

export function machineDescription(): string {
  const cpus = readFileSync("/proc/cpuinfo", "utf8");
  const model = /model name\s*:\s*(.+)/.exec(cpus)?.[1]?.trim() ?? "unknown CPU";
  const cores = (cpus.match(/^processor\s*:/gm) ?? []).length;
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0);
  return `${cores} × ${model}, ${(memKb / 1024 / 1024).toFixed(0)} GiB, Node ${process.version}`;
}
