// stats().threads of a lock kept a record for every thread that ever used it (400 entries after 200
// pools), and the lookup of a thread's record was a linear scan. Records of ended threads are
// reclaimed now, their counts folded into stats().exited so that the totals still add up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Interpreter } from 'gil-lab';

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
import('gil-lab').then(({ Interpreter }) => {
  const interp = Interpreter.byId(workerData.id);
  for (let i = 0; i < workerData.pairs; i++) { interp.acquire(); interp.release(); }
  parentPort.postMessage(Interpreter.currentThreadId());
});
`;

function runWorker(id: number, pairs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { eval: true, workerData: { id, pairs } });
    let tid = 0;
    w.on('message', (m: number) => (tid = m));
    w.on('error', reject);
    w.on('exit', () => resolve(tid));
  });
}

test('stats().threads drops threads that ended; stats().exited keeps their counts so totals add up', async () => {
  const interp = new Interpreter({});
  try {
    const workers = 12;
    const pairs = 50;
    const tids: number[] = [];
    for (let i = 0; i < workers; i += 4) {
      tids.push(...(await Promise.all([0, 1, 2, 3].map(() => runWorker(interp.id, pairs)))));
    }
    const s = interp.stats();
    const listed = new Set(s.threads.map((t) => t.threadId));
    assert.deepEqual(
      tids.filter((t) => listed.has(t)),
      [],
      'no record of an ended worker thread is listed',
    );
    assert.equal(s.exitedThreads, workers);
    assert.equal(s.exited.acquisitions, workers * pairs);
    const sum = s.threads.reduce((a, t) => a + t.acquisitions, s.exited.acquisitions);
    assert.equal(sum, s.acquisitions, 'live threads + exited = the lock total');
  } finally {
    interp.destroy();
  }
});
