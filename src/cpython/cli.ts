// `--against-cpython [PYTHON]` on the command line: an option whose value may be left out. node:util
// parseArgs has no such option, so a bare flag is given its default before parsing.
import { DEFAULT_PYTHON } from './against.js';

export const AGAINST_CPYTHON = '--against-cpython';

/**
 * `--against-cpython` followed by nothing, by another option, or by one of `positionals` (e.g. an
 * experiment name) becomes `--against-cpython=python3`; followed by anything else, that is PYTHON.
 */
export function expandAgainstCpython(argv: readonly string[], positionals: readonly string[] = []): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg !== AGAINST_CPYTHON) {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('-') || positionals.includes(next)) {
      out.push(`${AGAINST_CPYTHON}=${DEFAULT_PYTHON}`);
    } else {
      out.push(`${AGAINST_CPYTHON}=${next}`);
      i++;
    }
  }
  return out;
}
