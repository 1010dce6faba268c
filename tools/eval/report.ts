/** Benchmark figures: a readable table, then one JSON line holding every figure. */

export interface Figure {
  /** Stable snake_case key for tools that read the JSON line (the bench requires it; others get one made from the name). */
  id?: string;
  name: string;
  value: number;
  unit: string;
  peer?: string;
  peerValue?: number;
  /** ours / peer, oriented so that > 1 means ONNX Assist is better. */
  ratio?: number;
  goal?: string;
  met?: boolean;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const fmt = (v: number | undefined, digits = 3) => (v === undefined ? '' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(digits));

/** A snake_case id made from a figure's name, for producers that set none. */
export function idFromName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

export function printReport(title: string, figures: Figure[], meta: Record<string, unknown>, out: (line: string) => void = console.log): void {
  const rows = figures.map((f) => [f.name, `${fmt(f.value)} ${f.unit}`, f.peer ? `${fmt(f.peerValue)} (${f.peer})` : '', f.ratio === undefined ? '' : `${fmt(f.ratio)}x`, f.goal ? `${f.goal} ${f.met ? 'met' : 'MISSED'}` : '']);
  const head = ['figure', 'ONNX Assist', 'peer', 'ratio', 'goal'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  out(`\n${title}`);
  out(line(head));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) out(line(r));
  out(JSON.stringify({ ...meta, figures: figures.map((f) => ({ id: f.id ?? idFromName(f.name), ...f })) }));
}
