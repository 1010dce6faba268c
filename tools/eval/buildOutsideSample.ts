/** Writes tools/eval/outside-snippets.jsonl from this machine's files (see outsideSample.ts). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildOutsideSample, OUTSIDE_FILE } from './outsideSample';

const root = path.resolve(__dirname, '..', '..', '..');
const sample = buildOutsideSample(root);
fs.writeFileSync(path.join(root, OUTSIDE_FILE), sample.map((s) => JSON.stringify(s)).join('\n') + '\n');
const counts: Record<string, number> = {};
for (const s of sample) counts[s.label] = (counts[s.label] ?? 0) + 1;
process.stdout.write(`${sample.length} snippets -> ${OUTSIDE_FILE} ${JSON.stringify(counts)}\n`);
