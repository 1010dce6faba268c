/**
 * Run as its own process by restart.test.ts: a worker-mode host is restarted while onnxruntime
 * is inside a multi-second `session.run`. Before the fix this process died with SIGABRT
 * ("terminate called after throwing an instance of 'Napi::Error'"), so it runs apart from mocha.
 * Prints one JSON line with what happened.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { HostError } from '../../src/protocol/errors';
import { newClient, TINY_GPT2 } from './helpers';
import { makeSlowModel } from './slowModel';

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 40000);
  const dir = makeSlowModel(fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-assist-slow-')), { iterations });
  const client = newClient();
  const states: string[] = [];
  client.onStateChange((s) => states.push(s));
  let restarted: Promise<void> | undefined;
  const slow = client.request('generate', { modelPath: dir, prompt: 'hello', options: { doSample: false, maxNewTokens: 5 } }, {
    // The first token has arrived: the host is now inside the next (slow) forward pass.
    onEvent: () => {
      restarted ??= client.restart();
    },
  });
  const slowError = await slow.then(
    () => undefined,
    (e: HostError) => e.code,
  );
  await restarted;
  const next = await client.request('generate', { modelPath: TINY_GPT2, prompt: 'def f(', options: { doSample: false, maxNewTokens: 3 } });
  let oldExited = false;
  const retired = client.whenRetired().then(() => (oldExited = true));
  const nextBeforeOldExited = !oldExited;
  await retired;
  const after = await client.request('status', {});
  await client.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ slowError, nextTokens: next.stats.newTokens, nextBeforeOldExited, states, uptimeMs: after.uptimeMs })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`scenario failed: ${String((e as Error).stack ?? e)}\n`);
  process.exitCode = 1;
});
