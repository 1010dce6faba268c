/**
 * Repository-level evaluation of project context (issue 12, part 2): rest-of-line completions
 * in real multi-file Python projects the default code model never saw (Debian's
 * /usr/lib/python3/dist-packages; the model's corpus manifest lists only the standard library
 * and node_modules, and the check below refuses any project with a file whose content it lists),
 * asked once without and once with project context chosen by the product's own code
 * (core/completion/context/: chunks, ring, similarity selection). Split by project: every file
 * of an evaluated project is held out. Figures: exact match and edit similarity of the first
 * line the model writes against the rest of the line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { chunksNear, unusableText } from '../../src/core/completion/context/chunks';
import { ContextRing } from '../../src/core/completion/context/ring';
import { queryAround, selectChunks } from '../../src/core/completion/context/select';
import { windowAt } from '../../src/core/completion/policy';
import type { ContextChunk } from '../../src/protocol/types';
import type { Figure } from './report';
import type { EvalOptions } from './shippedModels';
import { sha256 } from './split';

const DIST = '/usr/lib/python3/dist-packages';
/** Multi-file projects, the first ones used by --quick. */
const PROJECTS = ['jwt', 'attr', 'blinker', 'idna', 'dateutil', 'charset_normalizer'];
const QUICK = { projects: 2, positions: 15 };
const FULL = { projects: PROJECTS.length, positions: 40 };
/** The product's defaults (package.json onnxAssist.context.*), so the figure is what a user gets. */
const CONTEXT = { chunkLines: 8, maxChunks: 8, maxTokens: 1024 };
/** Source files read from a project (data tables such as idna's uts46data are skipped). */
const MAX_FILE_BYTES = 40_000;
const MAX_NEW_TOKENS = 24;

interface Position {
  file: string;
  offset: number;
  line: number;
  truth: string;
}

/** The project's Python files, workspace-relative, sorted; undefined when the manifest used any of them. */
function projectFiles(dir: string, trained: Set<string>): { rel: string; text: string }[] | undefined {
  const out: { rel: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && e.name !== '__pycache__') walk(p);
      else if (e.isFile() && e.name.endsWith('.py') && fs.statSync(p).size <= MAX_FILE_BYTES) {
        const text = fs.readFileSync(p, 'utf8');
        if (!unusableText(text)) out.push({ rel: path.relative(path.dirname(dir), p), text });
      }
    }
  };
  walk(dir);
  if (out.some((f) => trained.has(sha256(f.text)))) return undefined;
  return out;
}

/** Deterministic cursor positions: code lines cut after a word about a third in; the truth is the rest. */
function positions(files: { rel: string; text: string }[], count: number): Position[] {
  const all: Position[] = [];
  for (const f of files) {
    const lines = f.text.split('\n');
    let offset = 0;
    lines.forEach((l, i) => {
      const body = l.trim();
      const indent = l.length - l.trimStart().length;
      if (body.length >= 16 && !body.startsWith('#') && !/^("""|'''|[ru]?["'])/.test(body) && i >= 4) {
        let cut = indent + Math.floor(body.length / 3);
        while (cut < l.length && /\w/.test(l[cut])) cut++;
        const truth = l.slice(cut).trimEnd();
        if (truth.length >= 3) all.push({ file: f.rel, offset: offset + cut, line: i, truth });
      }
      offset += l.length + 1;
    });
  }
  // Every k-th candidate, so the positions spread over the project's files.
  const step = Math.max(1, Math.floor(all.length / count));
  return all.filter((_, i) => i % step === 0).slice(0, count);
}

function editSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return 1 - prev[n] / Math.max(m, n);
}

/** The chunks the extension would send at this position if the user had visited the project's other files. */
function contextAt(files: { rel: string; text: string }[], p: Position): ContextChunk[] {
  // A large ring: every other file of the project was opened; selection by similarity decides.
  const ring = new ContextRing(() => 1024);
  for (const f of files) if (f.rel !== p.file) for (const c of chunksNear(f.rel, f.text, 0, CONTEXT.chunkLines, 1024).reverse()) ring.add(c);
  const lines = files.find((f) => f.rel === p.file)!.text.split('\n');
  return selectChunks(ring.all, queryAround(lines, p.line), p.file, CONTEXT);
}

export async function evalRepoContext(client: HostClient, o: EvalOptions): Promise<Figure[]> {
  const model = path.join(o.root, 'models', 'code-lm');
  const manifest = JSON.parse(fs.readFileSync(path.join(model, 'corpus-manifest.json'), 'utf8')) as { sha256: string; path: string }[];
  const trained = new Set(manifest.map((m) => m.sha256));
  if (manifest.some((m) => m.path.startsWith(DIST))) throw new Error(`the code model's corpus uses ${DIST}: pick other held-out projects`);
  const size = o.quick ? QUICK : FULL;
  const score = { with: { em: 0, es: 0 }, without: { em: 0, es: 0 } };
  let n = 0;
  let usedChunks = 0;
  const used: string[] = [];
  for (const name of PROJECTS) {
    if (used.length >= size.projects) break;
    const dir = path.join(DIST, name);
    if (!fs.existsSync(dir)) continue;
    const files = projectFiles(dir, trained);
    if (!files || files.length < 3) continue;
    used.push(name);
    for (const p of positions(files, size.positions)) {
      const text = files.find((f) => f.rel === p.file)!.text;
      const { prefix, suffix } = windowAt(text, p.offset);
      const options = { maxNewTokens: MAX_NEW_TOKENS, doSample: false, stop: ['\n'] };
      const ask = (context?: ContextChunk[]) => client.request('generate', { modelPath: model, onnxFile: o.onnxFile, prompt: prefix, suffix, context, options });
      const plain = await ask();
      const ctx = await ask(contextAt(files, p));
      usedChunks += ctx.stats.contextChunks;
      for (const [k, r] of [['without', plain], ['with', ctx]] as const) {
        const got = r.texts[0].split('\n')[0].trimEnd();
        score[k].em += got === p.truth ? 1 : 0;
        score[k].es += editSimilarity(got, p.truth);
      }
      n++;
    }
  }
  if (n === 0) {
    o.log(`repo-context: none of ${PROJECTS.join(', ')} found under ${DIST}; skipped`);
    return [];
  }
  o.log(`repo-context: ${n} rest-of-line positions in ${used.join(', ')} (held out: split by project); ${(usedChunks / n).toFixed(2)} context chunks fitted per prompt`);
  const figure = (name: string, w: number, wo: number): Figure => ({ name, value: w / n, unit: '', peer: 'no context', peerValue: wo / n, ratio: wo > 0 ? w / wo : undefined });
  return [
    figure('code-lm rest-of-line exact match, project context', score.with.em, score.without.em),
    figure('code-lm rest-of-line edit similarity, project context', score.with.es, score.without.es),
    { name: 'code-lm context chunks fitted per prompt', value: usedChunks / n, unit: 'chunks' },
  ];
}
