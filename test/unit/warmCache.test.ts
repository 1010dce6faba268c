/**
 * The warm cache: `prefill` runs a completion's prompt ahead of time, chunk by chunk, so the next
 * completion runs only what is new; a generate pre-empts it between chunks and what was done
 * stays cached. Cancellation is a flag checked between chunks, so the tests set it at a known
 * chunk instead of racing a message.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { Engine } from '../../src/host/engine';
import type { Cancellation } from '../../src/host/cancellation';
import { newClient, ROOT } from './helpers';

const MODEL = path.join(ROOT, 'models', 'code-lm');
// A long file: more than one 128-token prefill chunk, and more than the model's context (twice).
const SOURCE = fs.readFileSync(path.join(ROOT, 'src', 'host', 'generation', 'sampling.ts'), 'utf8');
const FILE = `${SOURCE}\n${SOURCE}`;
const OPTIONS = { doSample: false, maxNewTokens: 16 } as const;
/** The prompt is cut to at most what leaves room for the new tokens. */
const PROMPT_ROOM = (JSON.parse(fs.readFileSync(path.join(MODEL, 'config.json'), 'utf8')) as { n_positions: number }).n_positions - OPTIONS.maxNewTokens;

/** A cancel flag that turns on once `steps` forward passes have run. */
function cancelAfter(steps: number): Cancellation {
  const c: Cancellation = { cancelled: false };
  return Object.defineProperty(c, 'cancelled', { get: () => (c.steps ?? 0) >= steps, set: () => undefined });
}

describe('warm cache (prefill)', () => {
  let client: HostClient;
  beforeEach(() => (client = newClient()));
  afterEach(() => client.dispose());

  it('after a prefill the completion reuses the whole prompt and gives the cold output', async () => {
    const warm = await client.request('prefill', { modelPath: MODEL, prompt: FILE, maxNewTokens: OPTIONS.maxNewTokens });
    assert.equal(warm.preempted, false);
    assert.ok(warm.promptTokens > PROMPT_ROOM, `the file (${warm.promptTokens} tokens) is longer than the context`);
    // Cut from the left in whole 64-token blocks (prompt.ts), so it fills the room to within a block.
    assert.ok(warm.cachedTokens <= PROMPT_ROOM && warm.cachedTokens > PROMPT_ROOM - 64, `${warm.cachedTokens} cached of ${PROMPT_ROOM} room`);
    const r = await client.request('generate', { modelPath: MODEL, prompt: FILE, options: OPTIONS });
    assert.equal(r.stats.reusedTokens, warm.cachedTokens - 1);
    await client.request('unload', { modelPath: MODEL });
    const cold = await client.request('generate', { modelPath: MODEL, prompt: FILE, options: OPTIONS });
    assert.equal(cold.stats.reusedTokens, 0);
    assert.deepEqual(r.tokenIds, cold.tokenIds);
    // A second prefill of the same prompt has nothing left to do.
    const again = await client.request('prefill', { modelPath: MODEL, prompt: FILE, maxNewTokens: OPTIONS.maxNewTokens });
    assert.ok(again.reusedTokens >= again.cachedTokens - 1 - 16, JSON.stringify(again));
  });

  it('a prefill pre-empted after its first chunk keeps that chunk cached for the next completion', async () => {
    const engine = new Engine();
    try {
      const r = await engine.prefill({ modelPath: MODEL, prompt: FILE, maxNewTokens: 16 }, cancelAfter(1));
      assert.equal(r.preempted, true);
      assert.equal(r.cachedTokens, 128);
      const g = await engine.generate({ modelPath: MODEL, prompt: FILE, options: OPTIONS }, () => undefined, { cancelled: false });
      assert.equal(g.stats.reusedTokens, 128);
    } finally {
      await engine.dispose();
    }
  });

  it('a completion cancelled during its prompt keeps the finished chunks, and the next one starts there', async () => {
    const engine = new Engine();
    try {
      await assert.rejects(engine.generate({ modelPath: MODEL, prompt: FILE, options: OPTIONS }, () => undefined, cancelAfter(1)), (e: { code?: string }) => e.code === 'CANCELLED');
      const g = await engine.generate({ modelPath: MODEL, prompt: FILE, options: OPTIONS }, () => undefined, { cancelled: false });
      assert.equal(g.stats.reusedTokens, 128);
    } finally {
      await engine.dispose();
    }
  });

  it('a generate on the model pre-empts a waiting prefill', async () => {
    const engine = new Engine();
    try {
      await engine.load({ modelPath: MODEL });
      const cancel: Cancellation = { cancelled: false };
      // Sent back to back on a loaded model: the generate marks the prefill pre-empted before its first chunk ends.
      const pre = engine.prefill({ modelPath: MODEL, prompt: FILE, maxNewTokens: 16 }, cancel);
      const gen = engine.generate({ modelPath: MODEL, prompt: `${FILE}\n`, options: OPTIONS }, () => undefined, { cancelled: false });
      const [p] = await Promise.all([pre, gen]);
      assert.equal(cancel.cancelled, true);
      assert.ok(p.cachedTokens <= 128, JSON.stringify(p));
    } finally {
      await engine.dispose();
    }
  });
});
