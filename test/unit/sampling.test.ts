import * as assert from 'node:assert/strict';
import {
  applyRepetitionPenalty,
  argmax,
  bannedNgramTokens,
  candidates,
  nextToken,
  SeededRandom,
  type SamplingConfig,
} from '../../src/host/generation/sampling';

const greedy: SamplingConfig = { doSample: false, temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1, noRepeatNgramSize: 0 };
const sample = (o: Partial<SamplingConfig>): SamplingConfig => ({ ...greedy, doSample: true, ...o });

describe('sampling', () => {
  it('greedy picks the largest logit', () => {
    assert.equal(argmax(Float32Array.from([0.1, 3, -2, 2.9])), 1);
    assert.equal(nextToken(Float32Array.from([0.1, 3, -2, 2.9]), [], greedy, new SeededRandom(1)), 1);
  });

  it('repetition penalty divides positive and multiplies negative logits of seen tokens', () => {
    const l = Float32Array.from([2, -2, 1]);
    applyRepetitionPenalty(l, [0, 1, 1], 2);
    assert.deepEqual([...l], [1, -4, 1]);
  });

  it('repetition penalty changes the greedy choice away from a repeated token', () => {
    const l = Float32Array.from([2, 1.5]);
    assert.equal(nextToken(l, [0], { ...greedy, repetitionPenalty: 2 }, new SeededRandom(1)), 1);
  });

  it('no-repeat n-gram bans the token that would repeat a seen n-gram', () => {
    // sequence 5 6 7 5 6: the 3-gram "5 6 7" exists, so after "5 6" token 7 is banned
    assert.deepEqual(bannedNgramTokens([5, 6, 7, 5, 6], 3), [7]);
    assert.deepEqual(bannedNgramTokens([5, 6, 7, 5, 6], 4), []);
    assert.deepEqual(bannedNgramTokens([1, 1, 1], 1), [1, 1, 1]);
    const l = Float32Array.from([0, 0, 0, 0, 0, 0, 0, 9, 1]);
    assert.equal(nextToken(l, [5, 6, 7, 5, 6], { ...greedy, noRepeatNgramSize: 3 }, new SeededRandom(1)), 8);
  });

  it('top-k keeps the k best tokens, renormalised', () => {
    const c = candidates(Float32Array.from([1, 4, 3, 2]), sample({ topK: 2 }));
    assert.deepEqual(c.ids, [1, 2]);
    assert.ok(Math.abs(c.probs[0] + c.probs[1] - 1) < 1e-9);
    assert.ok(Math.abs(c.probs[0] - Math.exp(4) / (Math.exp(4) + Math.exp(3))) < 1e-9);
  });

  it('top-k with k larger than the fast path still sorts correctly', () => {
    const logits = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i));
    const c = candidates(logits, sample({ topK: 300 }));
    const expected = [...logits.keys()].sort((a, b) => logits[b] - logits[a]).slice(0, 300);
    assert.deepEqual(c.ids, expected);
  });

  it('top-p keeps the smallest set whose probability reaches p', () => {
    // probabilities 0.5, 0.3, 0.2 (as logits of their logs)
    const l = Float32Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.2)]);
    assert.deepEqual(candidates(l, sample({ topP: 0.7 })).ids, [0, 1]);
    assert.deepEqual(candidates(l, sample({ topP: 0.5 })).ids, [0]);
    assert.deepEqual(candidates(l, sample({ topP: 0.95 })).ids, [0, 1, 2]);
  });

  it('temperature sharpens or flattens the distribution', () => {
    const l = Float32Array.from([2, 1]);
    const cold = candidates(l, sample({ temperature: 0.5 })).probs[0];
    const hot = candidates(l, sample({ temperature: 2 })).probs[0];
    const plain = candidates(l, sample({ temperature: 1 })).probs[0];
    assert.ok(cold > plain && plain > hot);
  });

  it('banned tokens are never sampled', () => {
    const rng = new SeededRandom(7);
    for (let i = 0; i < 200; i++) {
      const l = Float32Array.from([0, 0, 0]);
      const t = nextToken(l, [2, 2], { ...sample({}), noRepeatNgramSize: 2 }, rng);
      assert.notEqual(t, 2);
    }
  });

  it('the same seed gives the same draws, another seed differs', () => {
    const draw = (seed: number) => {
      const rng = new SeededRandom(seed);
      return Array.from({ length: 20 }, () => nextToken(Float32Array.from([0, 0.1, 0.2, 0.3, 0.4]), [], sample({}), rng));
    };
    assert.deepEqual(draw(42), draw(42));
    assert.notDeepEqual(draw(42), draw(43));
  });

  it('sampling follows the distribution', () => {
    const rng = new SeededRandom(3);
    const counts = [0, 0];
    for (let i = 0; i < 4000; i++) counts[nextToken(Float32Array.from([Math.log(0.8), Math.log(0.2)]), [], sample({}), rng)]++;
    assert.ok(Math.abs(counts[0] / 4000 - 0.8) < 0.03, `got ${counts}`);
  });
});
