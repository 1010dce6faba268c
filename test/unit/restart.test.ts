import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from './helpers';

describe('restart while onnxruntime is inside a run (worker mode)', () => {
  it('starts the new host at once, retires the old one when its step returns, and the process survives', function () {
    this.timeout(300_000);
    // Each forward pass of this model takes seconds (longer than the old 5 s grace before the
    // worker was ended mid-run, which aborted the whole process).
    const r = spawnSync(process.execPath, [path.join(ROOT, 'out', 'test', 'unit', 'restartScenario.js'), '40000'], { encoding: 'utf8' });
    assert.equal(r.signal, null, `the process was killed by ${r.signal}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /terminate called|Napi::Error/);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { slowError: string; nextTokens: number; states: string[] };
    assert.equal(out.slowError, 'HOST_SHUTDOWN');
    assert.equal(out.nextTokens, 3);
    assert.deepEqual(out.states, ['starting', 'ready', 'stopped', 'starting', 'ready', 'stopped']);
  });
});
