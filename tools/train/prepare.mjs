// Writes a labelled dataset as JSONL ({text, label, split, id}) for the Python trainers, using the
// same code (out/src/eval) that `npm run eval` uses, so training and evaluation see the same text.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('../..', import.meta.url).pathname;
const [name, out] = process.argv.slice(2);
const loaders = {
  spam: () => require(`${root}/out/tools/eval/spamData.js`).loadSpamAssassin(root),
  // Every form a user holds a mail in, one group per mail, plus short ham from another origin.
  'spam-forms': async () => {
    const m = require(`${root}/out/tools/eval/spamTrainingForms.js`);
    return [...(await m.spamFormRows(root)), ...m.changelogHam()];
  },
  'code-language': () => {
    const { items, files } = require(`${root}/out/tools/eval/codeLanguageData.js`).loadCodeSnippets(root);
    writeFileSync(`${out}.manifest.json`, JSON.stringify(files, null, 1) + '\n');
    return items;
  },
};
if (!loaders[name] || !out) {
  console.error(`usage: node tools/train/prepare.mjs (${Object.keys(loaders).join('|')}) OUT.jsonl   (after npm run build)`);
  process.exit(2);
}
const rows = await loaders[name]();
writeFileSync(out, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
const counts = {};
for (const r of rows) counts[`${r.label}/${r.split}`] = (counts[`${r.label}/${r.split}`] ?? 0) + 1;
console.log(`${name}: ${rows.length} rows -> ${out}`, counts);
