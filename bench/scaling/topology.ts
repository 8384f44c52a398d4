// The machine's CPU topology as the scaling sweep needs it to explain a curve: sockets, cores,
// hardware threads per core (SMT siblings share a core's execution units), NUMA nodes, the
// frequency governor, and a cgroup CPU quota (a container or VM may show more CPUs than it may
// use). Read from Linux sysfs and procfs; every fact that cannot be read is 'unknown', never a guess.
// The roots are parameters so that tests can point them at a synthetic tree.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type Unknown = 'unknown';

export interface CpuQuota {
  /** quota / period: how many CPUs' worth of time the cgroup may use. */
  cpus: number;
  quotaUs: number;
  periodUs: number;
  /** The file it came from. */
  file: string;
}

export interface Topology {
  /** Online CPUs that sysfs describes (hardware threads). */
  hardwareThreads: number | Unknown;
  sockets: number | Unknown;
  physicalCores: number | Unknown;
  /** From thread_siblings_list; the largest sibling count when cores differ. */
  threadsPerCore: number | Unknown;
  numaNodes: number | Unknown;
  /** scaling_governor of the CPUs (distinct values joined by ', '). */
  governor: string | Unknown;
  /** The tightest CPU quota of this process's cgroup and its ancestors; 'none' when none applies. */
  cpuQuota: CpuQuota | 'none' | Unknown;
}

export interface TopologyRoots {
  /** Where sysfs is mounted ('/sys'). */
  sys: string;
  /** Where procfs is mounted ('/proc'). */
  proc: string;
}

const DEFAULT_ROOTS: TopologyRoots = { sys: '/sys', proc: '/proc' };

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Parses a CPU list as sysfs writes it ("0-3,8,10-11") into its numbers; null if malformed. */
export function parseCpuList(text: string): number[] | null {
  if (typeof text !== 'string') throw new TypeError(`text must be a string, got ${typeof text}`);
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const cpus: number[] = [];
  for (const part of trimmed.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (match === null) return null;
    const lo = Number(match[1]);
    const hi = match[2] === undefined ? lo : Number(match[2]);
    if (hi < lo || hi - lo > 65536) return null;
    for (let cpu = lo; cpu <= hi; cpu++) cpus.push(cpu);
  }
  return cpus;
}

interface CpuFacts {
  package: string;
  core: string;
  siblings: number | null;
  governor: string | null;
}

function cpuFacts(sys: string): CpuFacts[] | null {
  const root = path.join(sys, 'devices/system/cpu');
  let names: string[];
  try {
    names = readdirSync(root).filter((name) => /^cpu\d+$/.test(name));
  } catch {
    return null;
  }
  const facts: CpuFacts[] = [];
  for (const name of names) {
    const topology = path.join(root, name, 'topology');
    if (!existsSync(topology)) continue; // offline CPUs have no topology
    const pkg = readText(path.join(topology, 'physical_package_id'));
    const core = readText(path.join(topology, 'core_id'));
    if (pkg === null || core === null) return null;
    const siblingText = readText(path.join(topology, 'thread_siblings_list'));
    const siblings = siblingText === null ? null : parseCpuList(siblingText);
    facts.push({
      package: pkg,
      core,
      siblings: siblings === null || siblings.length === 0 ? null : siblings.length,
      governor: readText(path.join(root, name, 'cpufreq/scaling_governor')),
    });
  }
  return facts.length > 0 ? facts : null;
}

function numaNodeCount(sys: string): number | Unknown {
  try {
    const nodes = readdirSync(path.join(sys, 'devices/system/node')).filter((n) => /^node\d+$/.test(n));
    return nodes.length > 0 ? nodes.length : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The cgroup paths of this process: the v2 path ("0::/x") and the v1 cpu controller's path, from /proc/self/cgroup. */
function cgroupPaths(proc: string): { v2: string | null; v1Cpu: { controllers: string; path: string } | null } | null {
  const text = readText(path.join(proc, 'self/cgroup'));
  if (text === null) return null;
  let v2: string | null = null;
  let v1Cpu: { controllers: string; path: string } | null = null;
  for (const line of text.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (match === null) continue;
    const [, , controllers, where] = match;
    if (controllers === '') v2 = where!;
    else if (controllers!.split(',').includes('cpu')) v1Cpu = { controllers: controllers!, path: where! };
  }
  return { v2, v1Cpu };
}

/** The directory and its ancestors up to the mount point, innermost first. */
function upToRoot(mount: string, cgroupPath: string): string[] {
  const parts = cgroupPath.split('/').filter((p) => p !== '' && p !== '..');
  const dirs: string[] = [];
  for (let n = parts.length; n >= 0; n--) dirs.push(path.join(mount, ...parts.slice(0, n)));
  return dirs;
}

/**
 * The tightest CPU quota that applies, from cgroup v2 cpu.max ("max 100000" or "200000 100000")
 * or v1 cpu.cfs_quota_us / cpu.cfs_period_us (-1: none), on this process's cgroup and its
 * ancestors. 'none' when some quota file was readable and none limits; 'unknown' when none was.
 */
export function readCpuQuota(roots: TopologyRoots = DEFAULT_ROOTS): CpuQuota | 'none' | Unknown {
  const paths = cgroupPaths(roots.proc);
  if (paths === null) return 'unknown';
  const cgroupRoot = path.join(roots.sys, 'fs/cgroup');
  let readAny = false;
  let tightest: CpuQuota | null = null;
  const consider = (quota: CpuQuota) => {
    if (tightest === null || quota.cpus < tightest.cpus) tightest = quota;
  };
  if (paths.v2 !== null) {
    for (const mount of [cgroupRoot, path.join(cgroupRoot, 'unified')]) {
      for (const dir of upToRoot(mount, paths.v2)) {
        const file = path.join(dir, 'cpu.max');
        const text = readText(file);
        if (text === null) continue;
        const match = /^(max|\d+)\s+(\d+)$/.exec(text);
        if (match === null) continue;
        readAny = true;
        const periodUs = Number(match[2]);
        if (match[1] !== 'max' && periodUs > 0) {
          const quotaUs = Number(match[1]);
          consider({ cpus: quotaUs / periodUs, quotaUs, periodUs, file });
        }
      }
    }
  }
  if (paths.v1Cpu !== null) {
    const mounts = new Set(
      [paths.v1Cpu.controllers, 'cpu', 'cpu,cpuacct', 'cpuacct,cpu'].map((c) => path.join(cgroupRoot, c)),
    );
    for (const mount of mounts) {
      for (const dir of upToRoot(mount, paths.v1Cpu.path)) {
        const quotaText = readText(path.join(dir, 'cpu.cfs_quota_us'));
        const periodText = readText(path.join(dir, 'cpu.cfs_period_us'));
        if (quotaText === null || periodText === null) continue;
        const quotaUs = Number(quotaText);
        const periodUs = Number(periodText);
        if (!Number.isInteger(quotaUs) || !Number.isInteger(periodUs)) continue;
        readAny = true;
        if (quotaUs > 0 && periodUs > 0) {
          consider({ cpus: quotaUs / periodUs, quotaUs, periodUs, file: path.join(dir, 'cpu.cfs_quota_us') });
        }
      }
    }
  }
  if (tightest !== null) return tightest;
  return readAny ? 'none' : 'unknown';
}

export function readTopology(roots: TopologyRoots = DEFAULT_ROOTS): Topology {
  const facts = cpuFacts(roots.sys);
  const unknownCpus = facts === null;
  const siblings = facts?.map((f) => f.siblings) ?? [];
  const governors = [...new Set((facts ?? []).map((f) => f.governor).filter((g): g is string => g !== null))].sort();
  return {
    hardwareThreads: unknownCpus ? 'unknown' : facts.length,
    sockets: unknownCpus ? 'unknown' : new Set(facts.map((f) => f.package)).size,
    physicalCores: unknownCpus ? 'unknown' : new Set(facts.map((f) => `${f.package}:${f.core}`)).size,
    threadsPerCore: unknownCpus || siblings.some((s) => s === null) ? 'unknown' : Math.max(...siblings.map((s) => s!)),
    numaNodes: numaNodeCount(roots.sys),
    governor: governors.length > 0 ? governors.join(', ') : 'unknown',
    cpuQuota: readCpuQuota(roots),
  };
}

/** One line for the notes: "1 socket, 2 cores × 1 hardware thread, 1 NUMA node, governor unknown, no CPU quota". */
export function describeTopology(topology: Topology): string {
  const plural = (n: number | Unknown, word: string) =>
    n === 'unknown' ? `${word}s unknown` : `${n} ${word}${n === 1 ? '' : 's'}`;
  const quota =
    topology.cpuQuota === 'none'
      ? 'no cgroup CPU quota'
      : topology.cpuQuota === 'unknown'
        ? 'cgroup CPU quota unknown'
        : `cgroup CPU quota ${topology.cpuQuota.cpus.toFixed(2)} CPUs (${topology.cpuQuota.file})`;
  return [
    plural(topology.sockets, 'socket'),
    `${plural(topology.physicalCores, 'core')} × ${plural(topology.threadsPerCore, 'hardware thread')} each`,
    plural(topology.numaNodes, 'NUMA node'),
    `governor ${topology.governor}`,
    quota,
  ].join(', ');
}
