// The machine's load around a measurement: CPU the whole machine spent (from /proc/stat) and CPU the
// benchmark's own process tree spent (this process, its load generators, the targets and the clusters it
// started); the difference is what other work took from the same cores. Shared machines are noisy, so
// every round says how much of the machine it had.
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

/** Clock ticks per second for /proc times; 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

interface ProcessTimes {
  ppid: number;
  name: string;
  /** utime + stime, in ticks. */
  ticks: number;
}

export interface CpuSnapshot {
  at: number;
  /** Busy ticks of all cores together (everything but idle and iowait). */
  machineBusyTicks: number;
  processes: Map<number, ProcessTimes>;
}

export interface MachineLoad {
  /** Cores busy on average with anything (the benchmark included). */
  busyCores: number;
  /** Cores busy on average outside the benchmark's process tree (other users, the kernel's own work). */
  otherCores: number;
  /** The processes outside the benchmark that used the most CPU, in cores. */
  topOthers: { name: string; cores: number }[];
}

function readProcessTimes(pid: number): ProcessTimes | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The name is in parentheses and may contain spaces; the fields after it are fixed.
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" ");
    return { name: stat.slice(stat.indexOf("(") + 1, close), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined; // The process ended between listing and reading.
  }
}

function machineBusyTicks(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  // user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  return user! + nice! + system! + irq! + softirq! + steal!;
}

/** CPU seconds a process has used (user and system); NaN when it cannot be read. */
export function processCpuSeconds(pid: number): number {
  return (readProcessTimes(pid)?.ticks ?? Number.NaN) / TICKS_PER_SECOND;
}

/** A process's children, whichever of its threads started them. */
export function childrenOf(pid: number): number[] {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return threads.flatMap((thread) => {
    try {
      return readFileSync(`/proc/${pid}/task/${thread}/children`, "utf8").split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return []; // The thread ended since it was listed.
    }
  });
}

/** CPU seconds a process and every process under it have used; what has ended since counts no more. */
export function treeCpuSeconds(pid: number): number {
  return childrenOf(pid).reduce((total, child) => total + treeCpuSeconds(child), processCpuSeconds(pid) || 0);
}

/** CPU seconds the whole machine has been busy, all cores together. */
export function machineCpuSeconds(): number {
  return machineBusyTicks() / TICKS_PER_SECOND;
}

export function cpuSnapshot(): CpuSnapshot {
  const processes = new Map<number, ProcessTimes>();
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const times = readProcessTimes(Number(entry));
      if (times) processes.set(Number(entry), times);
    }
    return { at: performance.now(), machineBusyTicks: machineBusyTicks(), processes };
  } catch {
    // Not Linux: no load to report.
    return { at: performance.now(), machineBusyTicks: Number.NaN, processes };
  }
}

/** Pids of this process and every process below it, as the later snapshot sees them. */
function benchTree(snapshot: CpuSnapshot): Set<number> {
  const tree = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, times] of snapshot.processes) {
      if (!tree.has(pid) && tree.has(times.ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return tree;
}

export function machineLoadBetween(before: CpuSnapshot, after: CpuSnapshot): MachineLoad {
  const seconds = (after.at - before.at) / 1000;
  const cores = (ticks: number): number => ticks / TICKS_PER_SECOND / seconds;
  const tree = benchTree(after);
  let benchTicks = 0;
  const others: { name: string; cores: number }[] = [];
  for (const [pid, times] of after.processes) {
    const used = times.ticks - (before.processes.get(pid)?.ticks ?? 0);
    if (tree.has(pid)) benchTicks += used;
    else if (used > 0) others.push({ name: times.name, cores: cores(used) });
  }
  const busy = cores(after.machineBusyTicks - before.machineBusyTicks);
  others.sort((a, b) => b.cores - a.cores);
  return { busyCores: busy, otherCores: Math.max(0, busy - cores(benchTicks)), topOthers: others.slice(0, 3) };
}

/** Runs `measure` and says how busy the machine was meanwhile. */
export async function withMachineLoad<T>(measure: () => Promise<T>): Promise<{ value: T; load: MachineLoad }> {
  const before = cpuSnapshot();
  const value = await measure();
  return { value, load: machineLoadBetween(before, cpuSnapshot()) };
}

/** The machine when a run starts and ends: load averages and core count. */
export function loadAverages(): { oneMinute: number; fiveMinutes: number; cores: number } {
  const [oneMinute, fiveMinutes] = loadavg();
  return { oneMinute: oneMinute!, fiveMinutes: fiveMinutes!, cores: cpus().length };
}
