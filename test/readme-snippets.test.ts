// Every JavaScript code block in the README runs on the package's minimum Node (20), as written.
//
// A ```js block is written to a scratch folder inside the package (so `import ... from 'gil-lab'`
// resolves to this package, as it does for a user who installed it) and run with `node`; it must exit
// 0 within its deadline. A block right after an HTML comment `<!-- file: NAME -->` is not run: it is
// written as NAME beside the others (a task module that a later block uses).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const scratch = path.join(root, 'dist-dev', 'readme-snippets');

interface Block {
  line: number;
  lang: string;
  file: string | undefined;
  code: string;
}

export function readmeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    const before = lines
      .slice(0, start)
      .reverse()
      .find((l) => l.trim() !== '');
    const file = before === undefined ? undefined : /^<!--\s*file:\s*(\S+)\s*-->$/.exec(before.trim())?.[1];
    blocks.push({ line: start + 1, lang: open[1], file, code: body.join('\n') + '\n' });
  }
  return blocks;
}

const blocks = readmeBlocks(readFileSync(path.join(root, 'README.md'), 'utf8'));

test('the README has no TypeScript-only blocks: every program block is ```js and runs as written', () => {
  const ts = blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript');
  assert.deepEqual(
    ts.map((b) => b.line),
    [],
    'README lines with ```ts blocks (Node 20 cannot run them as written)',
  );
  assert.ok(blocks.filter((b) => b.lang === 'js').length >= 4, 'the README shows runnable examples');
});

test('every ```js block in the README runs on this Node and exits 0', { timeout: 240_000 }, () => {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const js = blocks.filter((b) => b.lang === 'js');
  for (const b of js.filter((b) => b.file !== undefined)) writeFileSync(path.join(scratch, b.file!), b.code);
  const failures: string[] = [];
  for (const b of js.filter((b) => b.file === undefined)) {
    const file = path.join(scratch, `readme-line-${b.line}.mjs`);
    writeFileSync(file, b.code);
    const r = spawnSync(process.execPath, [file], { cwd: scratch, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) {
      failures.push(
        `README.md line ${b.line}: exit ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}\n` +
          `${r.stderr.split('\n').slice(0, 12).join('\n')}`,
      );
    }
  }
  assert.deepEqual(failures, []);
});
