/**
 * Ctrl+C in the CLI while onnxruntime is inside a slow forward pass (a model built at test time
 * whose every step takes seconds). The first Ctrl+C says at once that the CLI stops after the
 * current step, and it does (status 130); a second quits at once, by SIGINT, without the abort
 * (`terminate called ... Napi::Error`, SIGABRT) that ending the worker mid-run would cause.
 * Nothing here waits on a clock: each signal is sent after what the CLI printed.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './helpers';
import { makeSlowModel } from './slowModel';

const STOPPING = 'onnx-assist: stopping after the current step; press Ctrl+C again to quit now';

interface Run {
  child: ChildProcessWithoutNullStreams;
  out: () => string;
  err: () => string;
  /** Resolves once `test` holds for what the stream has printed so far. */
  until: (stream: 'out' | 'err', test: (text: string) => boolean) => Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[]): Run {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'onnx-assist.js'), ...args], { stdio: 'pipe' });
  child.stdin.end();
  const text = { out: '', err: '' };
  const waiters: { stream: 'out' | 'err'; test: (t: string) => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.test(text[w.stream])) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.on('data', (d: Buffer) => ((text.out += d.toString()), check()));
  child.stderr.on('data', (d: Buffer) => ((text.err += d.toString()), check()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const until = (stream: 'out' | 'err', test: (t: string) => boolean) =>
    new Promise<void>((resolve, reject) => {
      waiters.push({ stream, test, resolve });
      check();
      void exit.then(() => reject(new Error(`the CLI exited first; stdout ${JSON.stringify(text.out)}, stderr ${JSON.stringify(text.err)}`)));
    });
  return { child, out: () => text.out, err: () => text.err, until, exit };
}

describe('CLI and Ctrl+C during a slow model step', () => {
  let dir: string;
  let model: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-signals-'));
    // Each forward pass runs 10,000 chained 256 x 256 matrix products: seconds per step.
    model = makeSlowModel(path.join(dir, 'slow'), { iterations: 10_000 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const generate = () => start(['generate', '--model', model, '--prompt', 'hi', '--max-new-tokens', '50', '--temperature', '0']);

  it('the first Ctrl+C says so at once and stops after the current step with status 130', async () => {
    const run = generate();
    // The first token is out: the model is now inside the next step.
    await run.until('out', (t) => t.length > 0);
    run.child.kill('SIGINT');
    await run.until('err', (t) => t.includes(STOPPING));
    const { code, signal } = await run.exit;
    assert.equal(signal, null, run.err());
    assert.equal(code, 130, run.err());
    assert.match(run.err(), /onnx-assist: stopped \(Ctrl\+C\)\n$/);
    assert.doesNotMatch(run.err(), /terminate called|Napi::Error|Aborted/);
  });

  it('a second Ctrl+C quits at once, killed by SIGINT (130 in a shell), without an abort', async () => {
    const run = generate();
    await run.until('out', (t) => t.length > 0);
    run.child.kill('SIGINT');
    await run.until('err', (t) => t.includes(STOPPING));
    run.child.kill('SIGINT');
    const { code, signal } = await run.exit;
    // Killed by the re-raised SIGINT; were the step to end between the two signals, the first
    // Ctrl+C's own exit (130) would come first. Either way: no SIGABRT, no core dump.
    assert.ok(signal === 'SIGINT' || code === 130, `code ${code}, signal ${signal}: ${run.err()}`);
    assert.doesNotMatch(run.err(), /terminate called|Napi::Error|Aborted/);
  });
});
