/**
 * CPU time from /proc, in milliseconds: what a process (the server) or a set of processes (the
 * bench's PostgreSQL) has spent, user + system. Differences over a measured window give
 * CPU per request without timing anything in the load generator.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** The fields after the command name (the name may contain spaces): fields[0] is field 3, `state`. */
const fieldsOf = (stat: string) => stat.slice(stat.lastIndexOf(")") + 2).split(" ");
const commandOf = (stat: string) => stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));

function ticksOf(stat: string): number {
  const fields = fieldsOf(stat);
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

export function processCpuMs(pid: number): number {
  return (ticksOf(readFileSync(`/proc/${pid}/stat`, "utf8")) * 1000) / TICKS_PER_SECOND;
}

/** The postmaster whose processes postgresCpuMs counts; unset: every `postgres` on the machine. */
let postmaster: string | undefined;

/**
 * Count only the PostgreSQL this backend belongs to (its postmaster and the postmaster's
 * children), not the other clusters on a shared machine. False when that backend is not a
 * process of this machine (a remote DATABASE_URL): every `postgres` is counted then.
 */
export function countPostgresOf(backendPid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${backendPid}/stat`, "utf8");
    if (commandOf(stat) !== "postgres") return false;
    postmaster = fieldsOf(stat)[1]; // ppid
    return true;
  } catch {
    return false;
  }
}

/**
 * Ticks last seen per PostgreSQL process (by pid and start time): a backend that exits between two
 * readings (a pool closing an idle connection) keeps what it had spent, instead of taking its
 * whole life's CPU out of the difference.
 */
const spent = new Map<string, number>();

/** CPU of the PostgreSQL processes (see countPostgresOf), including those that have exited since the first reading. */
export function postgresCpuMs(): number {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (commandOf(stat) !== "postgres") continue;
      const fields = fieldsOf(stat);
      if (postmaster !== undefined && entry !== postmaster && fields[1] !== postmaster) continue;
      spent.set(`${entry}:${fields[19]}`, ticksOf(stat)); // field 22: start time
    } catch {
      // the process ended while we looked
    }
  }
  let ticks = 0;
  for (const t of spent.values()) ticks += t;
  return (ticks * 1000) / TICKS_PER_SECOND;
}

export function machineDescription(): string {
  const cpus = readFileSync("/proc/cpuinfo", "utf8");
  const model = /model name\s*:\s*(.+)/.exec(cpus)?.[1]?.trim() ?? "unknown CPU";
  const cores = (cpus.match(/^processor\s*:/gm) ?? []).length;
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0);
  return `${cores} × ${model}, ${(memKb / 1024 / 1024).toFixed(0)} GiB, Node ${process.version}`;
}
