/**
 * CPU time of processes from /proc (Linux): which process spent the machine's two cores during a
 * phase. Servers are found by a piece of their command line (their temporary config path).
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process in seconds, or undefined when it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Pids of the direct children of `parent` whose command name is `comm` (e.g. influxd, mosquitto). */
export function childrenNamed(parent: number, comm: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (name === comm && ppid === parent) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
export function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { busy: total - idle, total };
}

export interface CpuMeter {
  /** CPU seconds per named process since start, and the machine's busy share. */
  stop(): { perProcess: Record<string, number>; machineBusyShare: number; wallSeconds: number };
}

/** Starts measuring; `pids` maps a name to the pids counted under it (children included by the caller). */
export function startCpuMeter(pids: Record<string, readonly number[]>): CpuMeter {
  const sum = (list: readonly number[]): number => list.reduce((a, p) => a + (cpuSeconds(p) ?? 0), 0);
  const start = Object.fromEntries(Object.entries(pids).map(([k, list]) => [k, sum(list)]));
  const m0 = machineTicks();
  const t0 = Date.now();
  return {
    stop: () => {
      const m1 = machineTicks();
      const perProcess = Object.fromEntries(Object.entries(pids).map(([k, list]) => [k, sum(list) - (start[k] ?? 0)]));
      return { perProcess, machineBusyShare: (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total), wallSeconds: (Date.now() - t0) / 1000 };
    },
  };
}
