/**
 * Resident memory from /proc (Linux) of a server and the processes it started (the secondaries of the
 * `processes` setting), and a sampler that keeps the peak over a stretch of load.
 */
import { readFileSync, readdirSync } from 'node:fs';

function ownRssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
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

/** The server's RSS plus its child processes', in MiB. */
export function rssMiB(pid: number): number {
  return ownRssMiB(pid) + childrenOf(pid).reduce((sum, child) => sum + ownRssMiB(child), 0);
}

export function sampleRss(pid: number, everyMs = 500): { stop(): number } {
  let peak = rssMiB(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMiB(pid));
    },
  };
}
