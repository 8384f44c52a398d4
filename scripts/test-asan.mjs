// npm run test:asan: the node:test suites against an addon built with -fsanitize=address,undefined.
//
// 1. cmake-js builds the addon into build-asan-addon/ (GIL_LAB_SANITIZE=address,undefined, so -O1 -g
//    and -fno-sanitize-recover=all); build/ and build-cmake/ are left alone.
// 2. Every compiled test runs with GIL_LAB_ADDON pointing at that addon (src/native.ts honours it),
//    the ASan runtime preloaded (node itself is not instrumented, so the runtime must come first),
//    leak detection off (V8 keeps its heap until exit by design) and UBSan halting on the first error.
//    Worker threads and forked children inherit all of it.
//
// Usage: node scripts/test-asan.mjs [--no-build] [test names...] (names as for scripts/run-tests.mjs).
// Expects dist/ and dist-dev/ to be built (npm run test:asan builds them first).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = path.join(root, 'build-asan-addon');
const addon = path.join(outDir, 'Release', 'gil_lab.node');

// Suites that are not run under ASan, and why (the README's "Sanitizers" section says the same).
const EXCLUDED = new Map([
  // It builds the addon with cmake-js itself and compares it with `native`, which here is the ASan
  // build; running compilers with the ASan runtime preloaded tests nothing about our code.
  ['native-cmake-build', 'builds the addon itself; compares two plain builds'],
  // Benchmark sanity checks: numbers from an instrumented build mean nothing, and they are slow.
  ['bench-', 'benchmarks, meaningless under instrumentation'],
  // They run npm pack, tsc and node-gyp (compilers) or a browser, not our addon's code.
  ['package-', 'packs and builds with npm, tsc and node-gyp; no addon code under test'],
  ['report-browser', 'drives Chromium; the page has no addon code'],
]);

const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const named = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-') && a !== '--no-build');

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function nodeHeaders() {
  const hasHeaders = (dir) => dir && existsSync(path.join(dir, 'include', 'node', 'node.h'));
  if (hasHeaders(process.env.npm_config_nodedir)) return process.env.npm_config_nodedir;
  const prefix = path.dirname(path.dirname(process.execPath));
  if (hasHeaders(prefix)) return prefix;
  console.error('test:asan: no Node headers (set npm config nodedir); cmake-js would otherwise download them.');
  process.exit(1);
}

function runtimeLibrary(name) {
  const result = spawnSync(process.env.CXX || 'g++', [`-print-file-name=${name}`], { encoding: 'utf8' });
  const file = result.stdout?.trim();
  if (result.status !== 0 || !file || !path.isAbsolute(file) || !existsSync(file)) {
    console.error(`test:asan: the compiler does not know ${name} (got ${JSON.stringify(file)}); install libasan.`);
    process.exit(1);
  }
  return file;
}

if (build) {
  const cmakeJs = fileURLToPath(import.meta.resolve('cmake-js/bin/cmake-js'));
  const status = run(
    process.execPath,
    [cmakeJs, 'build', '--out', outDir, '--parallel', '2', '--CDGIL_LAB_SANITIZE=address,undefined'],
    { env: { ...process.env, npm_config_nodedir: nodeHeaders() } },
  );
  if (status !== 0) process.exit(status);
}
if (!existsSync(addon)) {
  console.error(`test:asan: no sanitizer build at ${addon}`);
  process.exit(1);
}

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : findTests(full);
    return entry.name.endsWith('.test.js') ? [full] : [];
  });
}
const compiled = findTests(path.join(root, 'dist-dev', 'test')).filter((file) =>
  existsSync(path.join(root, path.relative(path.join(root, 'dist-dev'), file)).replace(/\.js$/, '.ts')),
);
const selected = compiled
  .filter(
    (file) =>
      named.length === 0 || named.some((n) => path.basename(file).includes(path.basename(n).replace(/\.[tj]s$/, ''))),
  )
  .filter((file) => {
    const base = path.basename(file);
    for (const [prefix, why] of EXCLUDED) {
      if (base.startsWith(prefix)) {
        console.log(`test:asan: skipping ${base} (${why})`);
        return false;
      }
    }
    return true;
  })
  .sort();
if (selected.length === 0) {
  console.error('test:asan: no test files selected under dist-dev/test');
  process.exit(1);
}

const preload = [runtimeLibrary('libasan.so'), process.env.LD_PRELOAD].filter(Boolean).join(':');
const env = {
  ...process.env,
  GIL_LAB_ADDON: addon,
  GIL_LAB_SANITIZED: '1',
  LD_PRELOAD: preload,
  ASAN_OPTIONS: ['detect_leaks=0', 'halt_on_error=1', 'abort_on_error=1', process.env.ASAN_OPTIONS]
    .filter(Boolean)
    .join(':'),
  UBSAN_OPTIONS: ['halt_on_error=1', 'print_stacktrace=1', process.env.UBSAN_OPTIONS].filter(Boolean).join(':'),
};
// Make sure the suites will really load the sanitizer build (a stale dist/ would not honour GIL_LAB_ADDON).
const probe = spawnSync(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    "await import('gil-lab'); const maps = (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8');" +
      "process.stdout.write(maps.split('\\n').filter((l) => l.endsWith('gil_lab.node')).map((l) => l.split(' ').pop()).join('\\n'))",
  ],
  { cwd: root, env, encoding: 'utf8' },
);
const loaded = [...new Set(probe.stdout.split('\n').filter(Boolean))];
if (probe.status !== 0 || loaded.length !== 1 || path.resolve(loaded[0]) !== addon) {
  console.error(`test:asan: the package did not load ${addon} (loaded: ${loaded.join(', ') || 'none'}).`);
  console.error(`Rebuild dist/ (npm run build:ts). ${probe.stderr}`);
  process.exit(1);
}
console.log(`test:asan: ${selected.length} suites against ${path.relative(root, addon)} with ${preload} preloaded`);
// A hung test fails after 10 minutes instead of holding CI forever (override with --test-timeout=MS).
const timeout = flags.some((f) => f.startsWith('--test-timeout')) ? [] : ['--test-timeout=600000'];
process.exit(run(process.execPath, ['--test', ...timeout, ...flags, ...selected], { env }));
