// npm run build:cmake: the addon through cmake-js into build-cmake/, offline.
// cmake-js takes Node's headers from npm's `nodedir` setting (npm_config_nodedir); without it,
// it would download them. If it is unset, point it at the headers of the running Node, and
// refuse rather than download when there are none.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const hasHeaders = (dir) => existsSync(path.join(dir, 'include', 'node', 'node.h'));

let nodedir = process.env.npm_config_nodedir;
if (!nodedir || !hasHeaders(nodedir)) {
  const prefix = path.dirname(path.dirname(process.execPath));
  if (!hasHeaders(prefix)) {
    console.error(
      `build:cmake: no Node headers at ${nodedir ?? '(nodedir unset)'} or ${prefix}/include/node; ` +
        'set npm config nodedir to a Node install that has include/node/node.h (cmake-js would otherwise download them).',
    );
    process.exit(1);
  }
  nodedir = prefix;
}

const require = createRequire(import.meta.url);
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const args = [cmakeJs, 'build', '--out', 'build-cmake', '--parallel', '2', ...process.argv.slice(2)];
const result = spawnSync(process.execPath, args, {
  stdio: 'inherit',
  env: { ...process.env, npm_config_nodedir: nodedir },
});
process.exit(result.status ?? 1);
