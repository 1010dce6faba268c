import * as assert from 'node:assert/strict';
import { NgramModel } from '../../tools/eval/ngram';

describe('n-gram baseline', () => {
  it('predicts the most frequent continuation of the longest known context, backing off', () => {
    const m = new NgramModel(3, 10);
    m.train([[1, 2, 3, 1, 2, 3, 1, 2, 4, 5, 6]]);
    assert.equal(m.predict([1, 2]), 3); // "1 2" -> 3 twice, 4 once
    assert.equal(m.predict([9, 2]), 3); // unseen "9 2" backs off to "2" -> 3
    assert.equal(m.predict([5]), 6);
    assert.equal(m.predict([7]), 1); // unseen everything: the most frequent token overall (1, 2, 3 tie at 3; first seen max)
  });
});
