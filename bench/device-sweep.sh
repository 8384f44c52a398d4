#!/usr/bin/env bash
# The scaling sweep at full size on a many-core machine, offline.
#
#   OUT=/some/dir bench/device-sweep.sh [extra bench options, e.g. --label 16cpu-xeon]
#
# Needs only the working tree plus what `npm ci` and the builds left here: node_modules/,
# build/ (the addon), dist/ (compiled TypeScript, the bench suites in dist/bench). It runs no npm script, fetches
# nothing and compiles nothing unless the addon does not load (then it tries an offline node-gyp
# rebuild against the running Node's own headers). Results — <label>-<date>.json, .md and .svg —
# go to $OUT (default bench/results); the tables are printed too.
#
# Time: the suite sizes its batches so that the timed part fits GIL_LAB_SCALING_BUDGET_S
# (150 s here, a pessimistic estimate); with pool start-ups, calibration and filling the arrays
# a 16-core machine takes about 3-4 minutes. Memory: the triad's arrays take 192 MiB per worker
# (6 GiB at 32 workers) twice, once as a SharedArrayBuffer and once in /dev/shm; both are reduced
# automatically if memory or /dev/shm is short (the notes say so).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="${OUT:-bench/results}"
export GIL_LAB_SCALING_BUDGET_S="${GIL_LAB_SCALING_BUDGET_S:-150}"
started=$(date +%s)

fail() {
  echo "device-sweep: $*" >&2
  exit 1
}

command -v node >/dev/null || fail "node is not on PATH (Node >= 20 is needed)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "Node >= 20 is needed, found $(node --version)"
[ -d node_modules ] || fail "node_modules/ is missing: run npm ci where there is a network and carry it along"
[ -f dist/index.js ] || fail "dist/ is missing: run npm run build (or npm test) first and carry dist/ along"
[ -f dist/bench/run.js ] || fail "dist/bench/ is missing: run npm run build (or npm test) first and carry dist/ along"

addon_loads() {
  node --input-type=module -e "const m = await import('gil-lab'); m.version();" 2>/dev/null
}
if ! addon_loads; then
  echo "device-sweep: the native addon does not load here; rebuilding it offline with node-gyp" >&2
  nodedir="$(dirname "$(dirname "$(command -v node)")")"
  [ -f "$nodedir/include/node/node_api.h" ] || fail "no Node headers under $nodedir/include/node to rebuild the addon offline"
  node node_modules/node-gyp/bin/node-gyp.js rebuild --nodedir="$nodedir" --jobs "$(nproc)" >&2 ||
    fail "the offline rebuild of the addon failed"
  addon_loads || fail "the addon still does not load after the rebuild"
fi

mkdir -p "$OUT"
echo "device-sweep: $(nproc) CPUs, $(node -p 'require("os").cpus()[0].model'), Node $(node --version); load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')" >&2
echo "device-sweep: /dev/shm free: $(df -h --output=avail /dev/shm 2>/dev/null | tail -1 | tr -d ' ' || echo '?'); memory: $(free -g 2>/dev/null | awk '/^Mem:/ {print $7 " GiB available"}' || echo '?')" >&2

node dist/bench/run.js scaling --out "$OUT" "$@"

echo "device-sweep: done in $(($(date +%s) - started)) s; files in $OUT:" >&2
ls -l "$OUT" >&2
