// The three verdict states: a claim that this run cannot test says so (holds null, the reason in the
// text) instead of "This machine does not agree", and every summary counts it apart.
import assert from 'node:assert/strict';
import test from 'node:test';
import { defineExperiment, tinySizeVerdict } from '#internal/experiments/define';
import { resolveOptions } from '#internal/experiments/options';
import { toJson, verdictLine, verdictTally, renderResultText } from '#internal/experiments/present';
import { renderHtmlReport } from '#internal/report/index';
import type { Row } from '#internal/experiments/types';

function fakeExperiment(holds: boolean | null) {
  return defineExperiment<Row>({
    name: 'fake',
    question: 'Does it?',
    claim: 'It does.',
    inCpython: 'always',
    narrative: 'A fake.',
    columns: [{ key: 'x' }],
    traceable: false,
    takes: ['size'],
    footnotes: ['x is a number.'],
    async measure(_options, step) {
      step.plan(1);
      step('measuring');
      return { rows: [{ x: 1 }], verdict: { holds, text: 'x was 1.' } };
    },
  });
}

test('--size tiny makes every verdict "not testable", keeping the figures in the text', async () => {
  const result = await fakeExperiment(true).run(resolveOptions({ size: 'tiny' }));
  assert.equal(result.verdict.holds, null);
  assert.match(result.verdict.text, /--size tiny/);
  assert.match(result.verdict.text, /x was 1\./);
  const small = await fakeExperiment(false).run(resolveOptions({ size: 'small' }));
  assert.equal(small.verdict.holds, false);
  assert.equal(tinySizeVerdict({ holds: null, text: 'why' }, { size: 'tiny' }).text, 'why');
});

test('the common ending names the experiment, drops onStep, reports every step and the time', async () => {
  const seen: string[] = [];
  const result = await fakeExperiment(true).run(
    resolveOptions({ size: 'small', onStep: (status, done, total) => seen.push(`${status} ${done}/${total}`) }),
  );
  assert.equal(result.experiment, 'fake');
  assert.equal('onStep' in result.options, false);
  assert.deepEqual(seen, ['measuring 0/1', 'done 1/1']);
  assert.ok(result.elapsedSeconds >= 0);
  assert.deepEqual(result.charts, []);
});

test('a not-testable verdict has its own mark in the terminal, --json and the summary tally', async () => {
  const experiment = fakeExperiment(null);
  const result = await experiment.run(resolveOptions({ size: 'small' }));
  assert.match(verdictLine(result.verdict), /^– Not testable here\./);
  assert.doesNotMatch(renderResultText(experiment, result), /does not agree/);
  assert.match(renderResultText(experiment, result), /Note: x is a number\./);
  const json = toJson(experiment, result);
  assert.equal(json.verdict.holds, null);
  assert.deepEqual(json.footnotes, ['x is a number.']);
  const tally = verdictTally([...Array(8).fill({ holds: true }), { holds: false }, { holds: null }]);
  assert.equal(tally, 'agrees with 8 of 9 testable claims; 1 not testable here');
  assert.equal(verdictTally([{ holds: true }]), 'agrees with 1 of 1 testable claim');
});

test('the HTML report renders the three verdict marks', () => {
  const section = (name: string, holds: boolean | null) => ({
    name,
    question: 'q',
    table: { columns: ['x'], rows: [{ x: 1 }] },
    verdict: { holds, text: `${name} text` },
  });
  const page = renderHtmlReport({
    title: 't',
    machine: {},
    sections: [section('a', true), section('b', false), section('c', null)],
  });
  assert.match(page, /class="verdict holds"><strong><span class="mark holds">✔<\/span> This machine agrees\./);
  assert.match(
    page,
    /class="verdict differs"><strong><span class="mark differs">✘<\/span> This machine does not agree\./,
  );
  assert.match(page, /class="verdict unjudged"><strong><span class="mark unjudged">–<\/span> Not testable here\./);
});

test('a run in which nothing was testable says so, rather than "agrees with 0 of 0"', () => {
  assert.equal(
    verdictTally([{ holds: null }, { holds: null }]),
    'could test none of its 2 claims here (all 2 not testable)',
  );
});
