// The machine topology the scaling notes rest on (bench/scaling/topology.ts), read from synthetic
// sysfs/procfs trees: SMT siblings, sockets, NUMA nodes, the governor, cgroup v1 and v2 quotas,
// and 'unknown' for every fact that cannot be read.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { describeTopology, parseCpuList, readCpuQuota, readTopology } from '#internal/bench/scaling/topology';

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function tree(files: Record<string, string>): { sys: string; proc: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gil-lab-topology-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    const full = path.join(root, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, `${text}\n`);
  }
  return { sys: path.join(root, 'sys'), proc: path.join(root, 'proc') };
}

/** 2 sockets × 2 cores × 2 hardware threads: cpu n is socket n>>2, core (n>>1)&1, sibling of n^1. */
function smtMachine(extra: Record<string, string> = {}): Record<string, string> {
  const files: Record<string, string> = {
    'sys/devices/system/node/node0/cpulist': '0-3',
    'sys/devices/system/node/node1/cpulist': '4-7',
  };
  for (let cpu = 0; cpu < 8; cpu++) {
    const base = `sys/devices/system/cpu/cpu${cpu}`;
    files[`${base}/topology/physical_package_id`] = String(cpu >> 2);
    files[`${base}/topology/core_id`] = String((cpu >> 1) & 1);
    files[`${base}/topology/thread_siblings_list`] = `${cpu & ~1}-${cpu | 1}`;
    files[`${base}/cpufreq/scaling_governor`] = cpu < 4 ? 'performance' : 'powersave';
  }
  return { ...files, ...extra };
}

test('parseCpuList reads sysfs lists and rejects malformed ones', () => {
  assert.deepEqual(parseCpuList('0-3,8,10-11'), [0, 1, 2, 3, 8, 10, 11]);
  assert.deepEqual(parseCpuList(''), []);
  assert.equal(parseCpuList('3-1'), null);
  assert.equal(parseCpuList('a'), null);
  assert.throws(() => parseCpuList(3 as unknown as string), /text must be a string/);
});

test('sockets, cores, hardware threads per core, NUMA nodes and governors from sysfs', () => {
  const topology = readTopology(tree(smtMachine({ 'proc/self/cgroup': '0::/' })));
  assert.equal(topology.hardwareThreads, 8);
  assert.equal(topology.sockets, 2);
  assert.equal(topology.physicalCores, 4);
  assert.equal(topology.threadsPerCore, 2);
  assert.equal(topology.numaNodes, 2);
  assert.equal(topology.governor, 'performance, powersave');
  // cgroup v2 with no cpu.max anywhere readable: unknown, not "no quota".
  assert.equal(topology.cpuQuota, 'unknown');
  assert.match(
    describeTopology(topology),
    /^2 sockets, 4 cores × 2 hardware threads each, 2 NUMA nodes, governor performance, powersave, cgroup CPU quota unknown$/,
  );
});

test('every fact that cannot be read is unknown', () => {
  const topology = readTopology(tree({ 'empty/file': '' }));
  assert.deepEqual(topology, {
    hardwareThreads: 'unknown',
    sockets: 'unknown',
    physicalCores: 'unknown',
    threadsPerCore: 'unknown',
    numaNodes: 'unknown',
    governor: 'unknown',
    cpuQuota: 'unknown',
  });
});

test('cgroup v2: the tightest cpu.max of the cgroup and its ancestors', () => {
  const roots = tree({
    'proc/self/cgroup': '0::/outer/inner',
    'sys/fs/cgroup/cpu.max': 'max 100000',
    'sys/fs/cgroup/outer/cpu.max': '400000 100000',
    'sys/fs/cgroup/outer/inner/cpu.max': '150000 100000',
  });
  const quota = readCpuQuota(roots);
  assert.ok(typeof quota === 'object');
  assert.equal(quota.cpus, 1.5);
  assert.equal(quota.quotaUs, 150000);
  assert.ok(quota.file.endsWith(path.join('outer', 'inner', 'cpu.max')));
  // Only "max" everywhere: readable, and no quota applies.
  const none = tree({ 'proc/self/cgroup': '0::/a', 'sys/fs/cgroup/a/cpu.max': 'max 100000' });
  assert.equal(readCpuQuota(none), 'none');
});

test('cgroup v1: cfs_quota_us over cfs_period_us, -1 meaning none', () => {
  const limited = tree({
    'proc/self/cgroup': '4:memory:/x\n2:cpu,cpuacct:/docker/abc\n0::/',
    'sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '200000',
    'sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000',
    'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '-1',
    'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000',
  });
  const quota = readCpuQuota(limited);
  assert.ok(typeof quota === 'object');
  assert.equal(quota.cpus, 2);
  const unlimited = tree({
    'proc/self/cgroup': '1:cpu:/\n0::/',
    'sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1',
    'sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000',
  });
  assert.equal(readCpuQuota(unlimited), 'none');
});

test('this machine: every field is a fact or unknown, never a wrong type', () => {
  const topology = readTopology();
  for (const key of ['hardwareThreads', 'sockets', 'physicalCores', 'threadsPerCore', 'numaNodes'] as const) {
    const value = topology[key];
    assert.ok(value === 'unknown' || (Number.isInteger(value) && value >= 1), `${key}: ${String(value)}`);
  }
  assert.ok(
    topology.cpuQuota === 'none' || topology.cpuQuota === 'unknown' || topology.cpuQuota.cpus > 0,
    JSON.stringify(topology.cpuQuota),
  );
});
