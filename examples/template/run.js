// node run.js [n]: both functions on two workers of a ThreadPoolExecutor under the shared lock.
// Hold mode takes turns (about the time of two runs); release mode runs in parallel.
import { ThreadPoolExecutor } from 'gil-lab';

const n = Number(process.argv[2] ?? 50_000_000);
const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
try {
  for (const name of ['sumHold', 'sumRelease']) {
    const task = { module: new URL('./index.js', import.meta.url), export: name };
    const t0 = performance.now();
    const results = await Promise.all([1, 2].map(() => pool.submit(task, n)));
    console.log(`${name}: ${results.join(', ')} in ${(performance.now() - t0).toFixed(0)} ms on 2 workers`);
  }
} finally {
  await pool.shutdown();
}
