/**
 * The evaluation report's charts for the panel: SVG drawn from the report's numbers and coloured
 * by the theme's CSS classes (no chart library, nothing remote under the webview's CSP).
 */
import type { EvaluationReport, RocCurve } from '../src/protocol/reports';

const SVG = 'http://www.w3.org/2000/svg';
function svgEl(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}
export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
export const f3 = (x: number) => x.toFixed(3);

/** Grouped bars: precision, recall and F1 per class. */
export function drawBars(r: EvaluationReport) {
  const series = [['precision', 'bar-p'], ['recall', 'bar-r'], ['f1', 'bar-f']] as const;
  const rowH = 3 * 9 + 10;
  const left = 90;
  const width = 300;
  const svg = svgEl('svg', { viewBox: `0 0 ${left + width + 50} ${r.perClass.length * rowH + 24}`, class: 'chart' });
  r.perClass.forEach((c, i) => {
    const y0 = i * rowH;
    svg.appendChild(svgEl('text', { x: 0, y: y0 + 18, class: 'axis' }, c.label.length > 12 ? `${c.label.slice(0, 11)}…` : c.label));
    series.forEach(([key, cls], j) => {
      const w = Math.max(0.5, c[key] * width);
      const rect = svgEl('rect', { x: left, y: y0 + j * 9 + 2, width: w, height: 7, class: cls });
      rect.appendChild(svgEl('title', {}, `${c.label} ${key} ${f3(c[key])}`));
      svg.appendChild(rect);
      svg.appendChild(svgEl('text', { x: left + w + 4, y: y0 + j * 9 + 9, class: 'tick' }, f3(c[key])));
    });
  });
  const ly = r.perClass.length * rowH + 14;
  series.forEach(([key, cls], j) => {
    svg.appendChild(svgEl('rect', { x: left + j * 90, y: ly - 7, width: 10, height: 7, class: cls }));
    svg.appendChild(svgEl('text', { x: left + j * 90 + 14, y: ly, class: 'tick' }, key));
  });
  svg.setAttribute('aria-label', r.perClass.map((c) => `${c.label}: precision ${f3(c.precision)}, recall ${f3(c.recall)}, F1 ${f3(c.f1)}`).join('; '));
  return svg;
}

/** Heatmap: cell opacity is the share of the row (the correct label) predicted as the column. */
export function drawConfusion(r: EvaluationReport) {
  const table = document.createElement('table');
  table.className = 'confusion';
  const head = document.createElement('tr');
  head.appendChild(document.createElement('th')).textContent = 'correct \\ predicted';
  for (const l of r.labels) head.appendChild(document.createElement('th')).textContent = l;
  table.appendChild(head);
  r.confusion.forEach((row, i) => {
    const tr = document.createElement('tr');
    tr.appendChild(document.createElement('th')).textContent = r.labels[i];
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((n, j) => {
      const td = document.createElement('td');
      td.textContent = String(n);
      td.className = i === j ? 'hit' : 'miss';
      td.style.setProperty('--share', String(n / total));
      td.title = `${r.labels[i]} predicted as ${r.labels[j]}: ${n} (${pct(n / total)} of ${r.labels[i]})`;
      tr.appendChild(td);
    });
    table.appendChild(tr);
  });
  return table;
}

export function drawRoc(roc: RocCurve & { positive: string }) {
  const size = 200;
  const pad = 28;
  const svg = svgEl('svg', { viewBox: `0 0 ${size + pad + 8} ${size + pad + 8}`, class: 'chart roc' });
  const X = (f: number) => pad + f * size;
  const Y = (t: number) => 4 + (1 - t) * size;
  svg.appendChild(svgEl('rect', { x: X(0), y: Y(1), width: size, height: size, class: 'frame' }));
  svg.appendChild(svgEl('line', { x1: X(0), y1: Y(0), x2: X(1), y2: Y(1), class: 'diagonal' }));
  const d = roc.points.map((p, i) => `${i ? 'L' : 'M'}${X(p.fpr).toFixed(1)},${Y(p.tpr).toFixed(1)}`).join(' ');
  svg.appendChild(svgEl('path', { d, class: 'curve' }));
  svg.appendChild(svgEl('text', { x: X(0.5), y: size + pad + 4, class: 'tick', 'text-anchor': 'middle' }, 'false positive rate'));
  svg.appendChild(svgEl('text', { x: 10, y: Y(0.5), class: 'tick', transform: `rotate(-90 10 ${Y(0.5)})`, 'text-anchor': 'middle' }, 'true positive rate'));
  svg.appendChild(svgEl('text', { x: X(0.55), y: Y(0.15), class: 'axis' }, `AUC ${f3(roc.auc)}`));
  svg.setAttribute('aria-label', `ROC curve for ${roc.positive}, area under the curve ${f3(roc.auc)}`);
  return svg;
}
