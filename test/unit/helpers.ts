import * as path from 'node:path';
import { HostClient } from '../../src/client/hostClient';
import { main } from '../../src/cli/main';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'models');
export const fixture = (name: string) => path.join(FIXTURES, name);
export const TINY_GPT2 = fixture('tiny-gpt2');
export const TINY_GPT2_MERGED = fixture('tiny-gpt2-merged');
export const TINY_GPT2_FIM = fixture('tiny-gpt2-fim');
export const TINY_BERT = fixture('tiny-bert-classifier');
export const TINY_BERT_MULTI = fixture('tiny-bert-multilabel');
export const TINY_EMBEDDER = fixture('tiny-bert-embedder');
export const TINY_NLI = fixture('tiny-bert-nli');

/** A client on the real worker compiled next to the sources (out/src/host/worker.js). */
export function newClient(): HostClient {
  return new HostClient({ workerPath: path.join(ROOT, 'out', 'src', 'host', 'worker.js') });
}

/** Awaits a promise expected to fail and returns its error. */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected the promise to reject');
}

/** Runs the CLI in this process with captured output: its exit status, stdout and stderr. */
export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}
