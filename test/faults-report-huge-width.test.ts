// A timeline asked for an absurd width must be refused with a RangeError, not kill the process:
// binTrack() builds a JavaScript array with one element per column, and an array past V8's largest
// size is a fatal error ("Fatal JavaScript invalid size error"), which no try/catch can stop.
// renderTimeline() and renderTimelineSvg() reach it through their width option. Each case runs in a
// child process so that the crash is reported here. (Found by the report fuzz, test/fuzz/api-targets.ts.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const CASES = {
  'renderTimeline(events, { width: 2 ** 28 })': 'report.renderTimeline(events, { width: 2 ** 28 })',
  'renderTimelineSvg(events, { width: 2 ** 28 })': 'report.renderTimelineSvg(events, { width: 2 ** 28 })',
  'binTrack(track, 0, 10, 2 ** 28)': 'report.binTrack(report.buildLockTimeline(events).tracks[0], 0, 10, 2 ** 28)',
};

for (const [name, call] of Object.entries(CASES)) {
  test(`report.${name} throws a RangeError rather than crashing`, { timeout: 60_000 }, () => {
    const script = `
      import { report } from 'gil-lab';
      const events = [
        { tNs: 0, threadId: 1, kind: 'acquired', interpreterId: 0 },
        { tNs: 10, threadId: 1, kind: 'released', interpreterId: 0 },
      ];
      try {
        const out = ${call};
        console.log(JSON.stringify({ outcome: 'returned', length: out.length }));
      } catch (error) {
        console.log(JSON.stringify({ outcome: 'threw', name: error?.name, message: error?.message }));
      }`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 50_000,
    });
    const how = child.signal ? `was killed by ${child.signal}` : `exited with code ${child.status}`;
    assert.equal(child.status, 0, `the process ${how}:\n${child.stderr.slice(0, 600)}`);
    const report = JSON.parse(child.stdout.trim().split('\n').pop()!) as { outcome: string; name?: string };
    assert.deepEqual(report.outcome === 'threw' ? report.name : report.outcome, 'RangeError', child.stdout);
  });
}
