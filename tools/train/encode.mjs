// Encodes a JSONL dataset with a model folder's tokenizer.json exactly as the engine does at
// inference (ModelTokenizer.encodeTruncated from out/src), so training sees the same token ids.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = new URL('../..', import.meta.url).pathname;
const { ModelTokenizer } = require(join(root, 'out/src/host/runtime/tokenizer.js'));
const [dir, input, output, maxLen] = process.argv.slice(2);
const json = (f) => {
  try {
    return JSON.parse(readFileSync(join(dir, f), 'utf8'));
  } catch {
    return {};
  }
};
const tok = new ModelTokenizer(json('tokenizer.json'), json('tokenizer_config.json'), json('config.json'), {});
const rows = readFileSync(input, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const out = rows.map((r) => JSON.stringify(tok.encodeTruncated(r.text, Number(maxLen)).ids));
writeFileSync(output, out.join('\n') + '\n');
console.log(`encoded ${rows.length} rows (max ${maxLen} tokens) with ${dir}/tokenizer.json`);
