// The floor: what one call costs before any work is done. Every native kernel pays the Node-API
// call; this suite times a Node-API call that does nothing, next to a plain JavaScript call.
import { native } from '#internal/native';
import { runCases } from '../benchmark-js.js';
import type { BenchOptions, BenchSuite, BenchSuiteResult } from '../suite.js';

function jsNoop(): void {}

export const floorSuite: BenchSuite = {
  name: 'floor',
  description: 'the fixed cost of one Node-API call (a native no-op) next to a JavaScript no-op call',
  async run(options: BenchOptions): Promise<BenchSuiteResult> {
    const cases = await runCases(
      [
        { name: 'Node-API noop()', fn: () => native.noop() },
        { name: 'JavaScript noop()', fn: () => jsNoop() },
      ],
      options,
    );
    const napi = cases.find((c) => c.name === 'Node-API noop()');
    const js = cases.find((c) => c.name === 'JavaScript noop()');
    const notes: string[] = [];
    if (napi !== undefined && js !== undefined) {
      notes.push(
        `one Node-API call costs about ${(napi.meanNs - js.meanNs).toFixed(1)} ns more than a JavaScript call ` +
          `(${napi.meanNs.toFixed(1)} ns vs ${js.meanNs.toFixed(1)} ns per call)`,
      );
    }
    return { suite: 'floor', description: this.description, cases, notes };
  },
};
