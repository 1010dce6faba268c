/** An evaluation report as Markdown (for people and pull requests) or JSON (for tools). */
import * as path from 'node:path';
import type { EvaluationReport } from './evaluate';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const f3 = (x: number) => x.toFixed(3);
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ');

export function reportMarkdown(r: EvaluationReport): string {
  const out: string[] = [];
  out.push(`# Evaluation: ${cell(path.basename(r.model))} on ${cell(path.basename(r.data))}`, '');
  out.push(`- Model: \`${r.model}\` (${r.method})`);
  out.push(`- Data: \`${r.data}\`, text column \`${r.textColumn}\`, label column \`${r.labelColumn}\``);
  out.push(`- Records evaluated: ${r.count}; skipped: ${r.skipped.length}`);
  out.push(`- Accuracy: **${pct(r.accuracy)}**; macro F1 ${f3(r.macro.f1)}; micro F1 ${f3(r.micro.f1)}`);
  if (r.roc) out.push(`- ROC AUC (positive: \`${r.roc.positive}\`): **${f3(r.roc.auc)}**`);
  const unknown = Object.entries(r.unknownLabels);
  if (unknown.length) out.push(`- Labels in the data that the model does not know (counted as errors): ${unknown.map(([l, n]) => `\`${cell(l)}\` (${n})`).join(', ')}`);
  out.push('', '## Per class', '', '| label | precision | recall | F1 | support |', '|---|---:|---:|---:|---:|');
  for (const c of r.perClass) out.push(`| ${cell(c.label)} | ${f3(c.precision)} | ${f3(c.recall)} | ${f3(c.f1)} | ${c.support} |`);
  out.push(`| *macro average* | ${f3(r.macro.precision)} | ${f3(r.macro.recall)} | ${f3(r.macro.f1)} | ${r.count} |`);
  out.push(`| *micro average* | ${f3(r.micro.precision)} | ${f3(r.micro.recall)} | ${f3(r.micro.f1)} | ${r.count} |`);
  out.push('', '## Confusion matrix (rows: correct label, columns: predicted)', '');
  out.push(`| | ${r.labels.map(cell).join(' | ')} |`, `|---|${r.labels.map(() => '---:').join('|')}|`);
  r.confusion.forEach((row, i) => out.push(`| **${cell(r.labels[i])}** | ${row.join(' | ')} |`));
  if (r.mistakes.length) {
    out.push('', '## Most confident mistakes', '', '| line | correct | predicted | score | text |', '|---:|---|---|---:|---|');
    for (const m of r.mistakes) out.push(`| ${m.line} | ${cell(m.gold)} | ${cell(m.predicted)} | ${f3(m.score)} | ${cell(m.text.slice(0, 80))} |`);
  }
  if (r.skipped.length) {
    out.push('', `## Skipped records (${r.skipped.length})`, '');
    for (const s of r.skipped.slice(0, 50)) out.push(`- line ${s.line}: ${cell(s.reason)}`);
    if (r.skipped.length > 50) out.push(`- ... and ${r.skipped.length - 50} more`);
  }
  return `${out.join('\n')}\n`;
}

export function reportJson(r: EvaluationReport): string {
  return `${JSON.stringify(r, null, 1)}\n`;
}
