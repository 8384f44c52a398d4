// The tour at the tiny size: every experiment's section in the terminal report, the JSON and the
// self-contained HTML page.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { experimentNames } from '#internal/experiments/index';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const scratch = mkdtempSync(path.join(os.tmpdir(), 'gil-lab-tour-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('tour --html writes a page with every experiment and --json the results', () => {
  const htmlFile = path.join(scratch, 'report.html');
  const r = spawnSync(
    process.execPath,
    [cli, 'tour', '--size', 'tiny', '--workers', '2', '--json', '--html', htmlFile],
    {
      encoding: 'utf8',
      timeout: 240_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    experiments: { experiment: string; verdict: { holds: boolean } }[];
    failures: string[];
  };
  assert.deepEqual(out.failures, []);
  assert.deepEqual(
    out.experiments.map((e) => e.experiment),
    experimentNames(),
  );

  const html = readFileSync(htmlFile, 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'self-contained: no scripts, nothing fetched');
  for (const [index, name] of experimentNames().entries()) {
    assert.ok(html.includes(`id="section-${index + 1}-${name}"`), `no section for ${name}`);
    assert.ok(html.includes(`<h2><code>${name}</code></h2>`), name);
  }
  assert.ok((html.match(/<svg /g) ?? []).length >= 10, 'charts and timelines inline');
  assert.match(html, /Measured on/);
});

test('tour refuses bad options with exit 2', () => {
  const r = spawnSync(process.execPath, [cli, 'tour', '--size', 'enormous'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--size must be one of small, medium, large/);
});
