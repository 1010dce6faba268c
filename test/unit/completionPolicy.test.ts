/** The completion rules in core/completion/policy.ts, and the pipeline following them on a real host. */
import * as assert from 'node:assert/strict';
import { CompletionPipeline } from '../../src/core/completion/pipeline';
import { candidates, requestOptions, WINDOW, windowAt } from '../../src/core/completion/policy';
import type { CompletionContext } from '../../src/core/completion/postprocess';
import type { GenerationOptions } from '../../src/protocol/types';
import { newClient, TINY_GPT2_FIM } from './helpers';

const LIMITS = { maxNewTokens: 16, timeLimitMs: 500 };
const CTX: CompletionContext = { linePrefix: '    return ', lineSuffix: '', nextLines: [], previousLine: 'def f(x):', multiline: 'auto', inComment: false, indentUnit: '    ' };

describe('completion policy', () => {
  it('a typed keystroke asks for one greedy completion whose scope is decided before decoding', () => {
    assert.deepEqual(candidates(false), { ask: 1, show: 1 });
    const statementEnd = { ...CTX, linePrefix: '    x = compute(', lineSuffix: ')', previousLine: '    y = 1' };
    assert.deepEqual(requestOptions(LIMITS, 1, statementEnd), [{ maxNewTokens: 16, timeLimitMs: 500, doSample: false, scope: 'line', blockIndent: 0 }]);
    const opener = { ...CTX, linePrefix: 'def f(x):', previousLine: '' };
    assert.deepEqual(requestOptions(LIMITS, 1, opener)[0], { maxNewTokens: 16, timeLimitMs: 500, doSample: false, scope: 'block', blockIndent: 1 });
  });

  it('a manual request adds sampled alternatives, more than it shows', () => {
    const { ask, show } = candidates(true);
    const [greedy, sampled] = requestOptions(LIMITS, ask, CTX);
    assert.equal(greedy.doSample, false);
    assert.deepEqual([sampled.doSample, sampled.temperature, sampled.topP, sampled.numReturnSequences], [true, 0.9, 0.95, ask + 2]);
    assert.ok(show >= ask);
  });

  it('the window is the text around the cursor, cut to its sizes', () => {
    const text = 'a'.repeat(WINDOW.prefixChars + 10) + 'b'.repeat(WINDOW.suffixChars + 10);
    const { prefix, suffix } = windowAt(text, WINDOW.prefixChars + 10);
    assert.equal(prefix, 'a'.repeat(WINDOW.prefixChars));
    assert.equal(suffix, 'b'.repeat(WINDOW.suffixChars));
  });

  it('the pipeline sends exactly the policy\'s requests to the host, and one abort reaches them', async () => {
    const client = newClient();
    try {
      const sent: GenerationOptions[] = [];
      const pipeline = new CompletionPipeline(async ({ prefix, suffix, options, signal }) => {
        sent.push(options);
        return (await client.request('generate', { modelPath: TINY_GPT2_FIM, prompt: prefix, suffix, options: { ...options, seed: 1 } }, { signal })).texts;
      }, () => LIMITS);
      await pipeline.generate({ key: 'k', prefix: 'def f(x):\n    return ', suffix: '\n', ctx: CTX, manual: true });
      assert.deepEqual(sent, requestOptions(LIMITS, candidates(true).ask, CTX));
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(pipeline.generate({ key: 'k', prefix: 'x = ', suffix: '', ctx: CTX, manual: false }, ac.signal), (e: { code?: string }) => e.code === 'CANCELLED');
      pipeline.dispose();
    } finally {
      await client.dispose();
    }
  });
});
