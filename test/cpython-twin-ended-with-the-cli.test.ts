// A signal to `gil-lab run ... --against-cpython` while the CPython twin runs used to end the CLI
// alone: the twin (and the processes it had started, e.g. a ProcessPoolExecutor's workers) went on
// running as orphans. Ctrl-C from a terminal reaches the whole process group, but `kill -INT <pid>`,
// `timeout` or a supervisor's SIGTERM reaches only the CLI. The twin must end with it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const scratch = mkdtempSync(path.join(os.tmpdir(), 'gil-lab-twin-signal-'));
const started: number[] = [];
after(() => {
  // Whatever the CLI left behind, this test started: end it by pid.
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

/** Whether `pid` is a live process (a zombie nobody has reaped yet counts as ended). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * A fake Python that answers the version probe, then, as the twin, starts a grandchild that ignores
 * SIGINT (as a shell's background job does) and waits for it: neither ends unless someone ends them.
 */
function stubbornPython(dir: string): string {
  const file = path.join(dir, 'python');
  const probe = '{"major": 3, "minor": 12, "version": "3.12.0", "implementation": "CPython"}';
  writeFileSync(
    file,
    `#!/bin/sh\nif [ "$1" = "-c" ]; then echo '${probe}'; exit 0; fi\n` +
      `sleep 1000 &\necho "$$ $!" > "${dir}/pids.tmp"\nmv "${dir}/pids.tmp" "${dir}/pids"\nwait\n`,
  );
  chmodSync(file, 0o755);
  return file;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} to the CLI while the CPython twin runs ends the twin and its children too`, async () => {
    const dir = mkdtempSync(path.join(scratch, `${signal}-`));
    const python = stubbornPython(dir);
    const child = spawn(process.execPath, [cli, 'run', 'kill', '--size', 'tiny', '--against-cpython', python], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.resume();
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, sig) => resolve({ code, signal: sig })),
    );

    const pidsFile = path.join(dir, 'pids');
    const deadline = Date.now() + 120_000;
    while (!existsSync(pidsFile) && child.exitCode === null && Date.now() < deadline) await sleep(50);
    assert.ok(existsSync(pidsFile), `the twin never started; the CLI said: ${stderr}`);
    const pids = readFileSync(pidsFile, 'utf8').trim().split(/\s+/).map(Number);
    started.push(...pids);
    assert.equal(pids.length, 2);
    assert.ok(pids.every(alive), 'the twin and its child run before the signal');

    child.kill(signal);
    const outcome = await Promise.race([ended, sleep(10_000).then(() => 'still running' as const)]);
    assert.notEqual(outcome, 'still running', `the CLI did not end within 10 s of ${signal}`);
    // The CLI still dies of the signal (exit status 128 + n in a shell), not a clean exit.
    assert.deepEqual(outcome, { code: null, signal });

    const gone = Date.now() + 5_000;
    while (pids.some(alive) && Date.now() < gone) await sleep(50);
    assert.deepEqual(
      pids.filter(alive),
      [],
      `left running after the CLI ended: ${pids.filter(alive).join(', ')} (twin ${pids[0]}, its child ${pids[1]})`,
    );
  });
}
