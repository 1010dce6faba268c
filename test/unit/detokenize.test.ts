import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IncrementalDecoder } from '../../src/host/generation/detokenizer';
import { ModelTokenizer } from '../../src/host/runtime/tokenizer';
import { SeededRandom } from '../../src/host/generation/sampling';
import { TINY_BERT, TINY_GPT2 } from './helpers';

function load(dir: string): ModelTokenizer {
  const j = (f: string) => (fs.existsSync(path.join(dir, f)) ? JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) : {});
  return new ModelTokenizer(j('tokenizer.json'), j('tokenizer_config.json'), j('config.json'), j('generation_config.json'));
}

describe('incremental detokenisation', () => {
  for (const [name, dir] of [['byte-level BPE', TINY_GPT2], ['WordPiece', TINY_BERT]] as const) {
    it(`${name}: every prefix decodes exactly as a full decode`, () => {
      const tok = load(dir);
      const rng = new SeededRandom(11);
      const text = 'def parse(line):\n    key, _, value = line.partition("=")  # café ✓\n    return key.strip(), value\n'.repeat(3);
      const real = tok.encode(text, false);
      // Real text, then random tokens (which split UTF-8 sequences and make odd joins).
      const seqs = [real, Array.from({ length: 120 }, () => Math.floor(rng.next() * tok.vocabSize))];
      for (const ids of seqs) {
        const inc = new IncrementalDecoder(tok);
        ids.forEach((t, i) => assert.equal(inc.push(t), tok.decode(ids.slice(0, i + 1)), `${name} at token ${i}`));
      }
    });
  }

  it('detects fill-in-the-middle tokens and encodes with special tokens within the limit', () => {
    const bert = load(TINY_BERT);
    const r = bert.encodeTruncated('word '.repeat(100), 10);
    assert.equal(r.ids.length, 10);
    assert.ok(r.truncated);
    const full = bert.encode('hello', true);
    assert.equal(r.ids[0], full[0]); // [CLS] kept
    assert.equal(r.ids[9], full[full.length - 1]); // [SEP] kept
    assert.equal(load(TINY_GPT2).fim, undefined);
  });
});
