/**
 * Installing and running from a fresh clone without noise: no npm warning on every command, and
 * every dependency install script covered by package.json's allowScripts (npm 11 runs none that
 * are not approved there, and says so on every install).
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './helpers';

const run = promisify(execFile);

/** npm in the repository, with the environment a user has (no CI overrides). */
async function npm(...args: string[]) {
  const env = { ...process.env };
  // Under `npm test` the parent npm's settings (npm_config_loglevel=silent from --silent, ...) are
  // in the environment; a user's shell has none of them.
  for (const k of Object.keys(env)) if (/^npm_/i.test(k) || k === 'ONNXRUNTIME_NODE_INSTALL') delete env[k];
  return run(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: ROOT, env });
}

describe('install and npm noise', () => {
  it('npm commands in the project print no config warning', async () => {
    // `npm run` (list the scripts) reads the project config as `npx onnx-assist` does; `npm --version` does not.
    const r = await npm('run');
    assert.match(r.stdout, /demo/);
    assert.equal(r.stderr, '');
  });

  it("every dependency's install script is approved or denied in allowScripts", async function () {
    const major = Number((await npm('--version')).stdout.split('.')[0]);
    if (major < 11) this.skip(); // allowScripts arrived with npm 11
    const r = await npm('install-scripts', 'ls');
    assert.match(r.stdout, /No packages with unreviewed install scripts/);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
    // onnxruntime-node's only downloads CUDA libraries from NuGet (the CPU and WebGPU binaries ship in the package).
    assert.equal(pkg.allowScripts?.['onnxruntime-node'], false);
  });

  it('CI keeps older npm offline-safe through the environment, not .npmrc', () => {
    assert.doesNotMatch(fs.readFileSync(path.join(ROOT, '.npmrc'), 'utf8'), /^\s*onnxruntime-node-install\s*=/m);
    assert.match(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8'), /^export ONNXRUNTIME_NODE_INSTALL=skip$/m);
  });
});
