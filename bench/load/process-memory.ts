/**
 * Resident memory from /proc (Linux) of a server and the processes it started (the secondaries of the
 * `processes` setting), and a sampler that keeps the peak over a stretch of load. Summed RSS counts the pages
 * the processes share (the node binary's, about 55 MiB each) once per process; summed PSS (smaps_rollup)
 * divides each shared page among its sharers, so it is the memory the server holds.
 */
import { readFileSync, readdirSync } from 'node:fs';

function ownRssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

function ownPssMiB(pid: number): number {
  const match = /^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the fourth field, after the command name in parentheses (which may hold spaces).
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return children;
}

export interface Memory {
  readonly rssMiB: number;
  readonly pssMiB: number;
}

/** The server's RSS and PSS plus its child processes', in MiB. */
export function memoryOf(pid: number): Memory {
  const pids = [pid, ...childrenOf(pid)];
  return { rssMiB: pids.reduce((sum, each) => sum + ownRssMiB(each), 0), pssMiB: pids.reduce((sum, each) => sum + ownPssMiB(each), 0) };
}

/** Samples memoryOf() until stopped; the peaks of each. */
export function sampleMemory(pid: number, everyMs = 500): { stop(): Memory } {
  let peak = memoryOf(pid);
  const sample = () => {
    const now = memoryOf(pid);
    peak = { rssMiB: Math.max(peak.rssMiB, now.rssMiB), pssMiB: Math.max(peak.pssMiB, now.pssMiB) };
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
