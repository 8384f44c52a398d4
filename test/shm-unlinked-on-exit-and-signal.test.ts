// Segments this process created and has not unlinked are unlinked when it ends: on a normal exit,
// process.exit(), an uncaught exception, and on SIGINT/SIGTERM (Ctrl-C during `gil-lab run ipc` left
// 1–64 MiB gil_lab_* segments in /dev/shm). A signal still ends the process as a signal death, and
// the signal listeners exist only while such segments do, so a program's own handling is unchanged.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SharedMemory } from 'gil-lab';

const root = fileURLToPath(new URL('../..', import.meta.url));

const script = `
import { existsSync } from 'node:fs';
import { SharedMemory } from 'gil-lab';
const [mode, name] = process.argv.slice(1);
const counts = () => ['SIGINT', 'SIGTERM', 'exit'].map((s) => process.listenerCount(s));
if (mode === 'listeners') {
  const before = counts();
  const a = SharedMemory.create(4096, { name });
  const b = SharedMemory.create(4096);
  const during = counts();
  a.close(); a.unlink();
  const oneLeft = counts();
  b.close(); SharedMemory.unlink(b.name);
  console.log(JSON.stringify({ before, during, oneLeft, after: counts() }));
  process.exit(0);
}
if (mode === 'own-handler') {
  process.on('SIGINT', () => {
    console.log(JSON.stringify({ handled: true, segmentDuringHandler: existsSync('/dev/shm/' + name) }));
    setTimeout(() => process.exit(0), 20);
  });
}
const shm = SharedMemory.create(1 << 20, { name, track: mode !== 'untracked' });
shm.view(Uint8Array).fill(1);
if (mode === 'exit') process.exit(3);
if (mode === 'throw') throw new Error('an uncaught error');
if (mode === 'end') { console.log('ending'); } else { console.log('ready'); setInterval(() => {}, 1000); }
`;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the script in a child; sends `signal` once it says ready; resolves when it has ended. */
function runChild(mode: string, name: string, signal?: NodeJS.Signals): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, mode, name], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child (${mode}) did not end within 20 s: ${stdout} ${stderr}`));
    }, 20_000);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (signal && !sent && stdout.includes('ready')) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('exit', (code, sig) => {
      clearTimeout(deadline);
      resolve({ code, signal: sig, stdout, stderr });
    });
  });
}

let counter = 0;
function segmentName(): string {
  return `gil_lab_test_cleanup_${process.pid}_${counter++}`;
}

/** Runs a case, removing a leftover segment whatever happens; returns whether it was left. */
async function leftBehind(name: string, run: () => Promise<Outcome>): Promise<{ outcome: Outcome; left: boolean }> {
  try {
    const outcome = await run();
    return { outcome, left: existsSync(`/dev/shm/${name}`) };
  } finally {
    rmSync(`/dev/shm/${name}`, { force: true });
  }
}

describe('SharedMemory segments are unlinked when the process ends', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`a segment is not left in /dev/shm by ${signal}, and the process dies of ${signal}`, async () => {
      const name = segmentName();
      const { outcome, left } = await leftBehind(name, () => runChild('wait', name, signal));
      assert.equal(outcome.signal, signal, `expected death by ${signal}: ${JSON.stringify(outcome)}`);
      assert.equal(left, false, `${signal} left /dev/shm/${name} behind`);
    });
  }

  for (const [mode, expectedCode] of [
    ['end', 0],
    ['exit', 3],
    ['throw', 1],
  ] as const) {
    it(`a segment is not left in /dev/shm by ${mode === 'end' ? 'a normal exit' : mode === 'exit' ? 'process.exit()' : 'an uncaught exception'}`, async () => {
      const name = segmentName();
      const { outcome, left } = await leftBehind(name, () => runChild(mode, name));
      assert.equal(outcome.code, expectedCode, JSON.stringify(outcome));
      assert.equal(left, false, `/dev/shm/${name} was left behind`);
    });
  }

  it('a segment created with track: false outlives its creator, as Python 3.13 allows', async () => {
    const name = segmentName();
    const { outcome, left } = await leftBehind(name, () => runChild('untracked', name, 'SIGINT'));
    assert.equal(outcome.signal, 'SIGINT', JSON.stringify(outcome));
    assert.equal(left, true, 'an untracked segment was unlinked');
  });

  it("a program's own SIGINT handler keeps control and its segments until it exits", async () => {
    const name = segmentName();
    const { outcome, left } = await leftBehind(name, () => runChild('own-handler', name, 'SIGINT'));
    assert.equal(outcome.code, 0, JSON.stringify(outcome));
    assert.equal(outcome.signal, null);
    const report = JSON.parse(outcome.stdout.split('\n').find((l) => l.startsWith('{'))!) as Record<string, unknown>;
    assert.deepEqual(report, { handled: true, segmentDuringHandler: true });
    assert.equal(left, false, 'the exit did not unlink the segment');
  });

  it('signal and exit listeners exist only while unlinked segments do', async () => {
    const name = segmentName();
    const { outcome } = await leftBehind(name, () => runChild('listeners', name));
    assert.equal(outcome.code, 0, outcome.stderr);
    const report = JSON.parse(outcome.stdout.trim()) as Record<string, number[]>;
    const plusOne = report.before!.map((n) => n + 1);
    assert.deepEqual(report.during, plusOne, 'one listener each for SIGINT, SIGTERM and exit while segments exist');
    assert.deepEqual(report.oneLeft, plusOne);
    assert.deepEqual(report.after, report.before, 'the listeners are removed with the last segment');
  });
});

it('options.track is checked: a boolean, and only for create', () => {
  assert.throws(
    () => SharedMemory.create(64, { track: 'no' as unknown as boolean }),
    /options\.track must be a boolean/,
  );
  assert.throws(() => new SharedMemory({ name: 'x', track: false }), /options\.track is only for create/);
});
