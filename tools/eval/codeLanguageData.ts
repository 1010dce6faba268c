/**
 * Snippets of 1-40 lines cut from permissively licensed files on this machine, labelled by
 * language. Whole files are held out (split by the file's content hash), so no test snippet
 * comes from a file that was trained on. Every file's origin and licence is in the manifest.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SeededRandom } from '../../src/host/generation/sampling';
import { sha256, splitOfDigest, type Split } from './split';

/** VS Code language ids, and the ids VS Code's own detector (guesslang) answers with. */
export const CODE_LANGUAGES = {
  typescript: 'ts',
  javascript: 'js',
  python: 'py',
  json: 'json',
  markdown: 'md',
  html: 'html',
  css: 'css',
  shellscript: 'sh',
  c: 'c',
  go: 'go',
} as const;
export type CodeLanguage = keyof typeof CODE_LANGUAGES;

export interface SnippetItem {
  text: string;
  label: CodeLanguage;
  split: Split;
  id: string;
}

export interface SourceFile {
  path: string;
  label: CodeLanguage;
  source: string;
  licence: string;
  sha256: string;
  split: Split;
}

const PERMISSIVE = new Set(['MIT', 'ISC', 'Apache-2.0', 'BSD-2-Clause', 'BSD-3-Clause', '0BSD', 'MIT-0', 'BlueOak-1.0.0']);

/** Files under `dir` that `accept` takes, in name order (a missing folder gives none; .git is skipped). */
export function walk(dir: string, accept: (p: string) => boolean, out: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== '.git') walk(p, accept, out);
    else if (e.isFile() && accept(p)) out.push(p);
  }
  return out;
}

const licenceCache = new Map<string, { name: string; licence: string } | null>();

/** The npm package that holds a file, and its licence. */
function npmPackage(file: string, nodeModules: string): { name: string; licence: string } | null {
  for (let d = path.dirname(file); d.startsWith(nodeModules) && d !== nodeModules; d = path.dirname(d)) {
    if (licenceCache.has(d)) return licenceCache.get(d)!;
    const pj = path.join(d, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        const meta = JSON.parse(fs.readFileSync(pj, 'utf8')) as { name?: string; version?: string; license?: unknown };
        if (meta.name) {
          const lic = typeof meta.license === 'string' ? meta.license : 'UNKNOWN';
          const v = { name: `${meta.name}@${meta.version ?? ''}`, licence: lic };
          licenceCache.set(d, v);
          return v;
        }
      } catch {
        // not a package root
      }
    }
  }
  return null;
}

function isShellScript(p: string): boolean {
  if (/\.(sh|bash)$/.test(p)) return true;
  if (path.extname(p) !== '') return false;
  try {
    const fd = fs.openSync(p, 'r');
    const head = Buffer.alloc(64);
    fs.readSync(fd, head, 0, 64, 0);
    fs.closeSync(fd);
    return /^#!.*\b(ba|z|da)?sh\b/.test(head.toString('utf8'));
  } catch {
    return false;
  }
}

/**
 * The projects of the outside sample (outsideSample.ts): never trained on, so that figure stays a
 * measure of code from elsewhere.
 */
const OUTSIDE = /node_modules\/(openai|eventsource-parser|nodemailer|mailparser|libmime|playwright-core|flatted)\/|^\/usr\/lib\/google-cloud-sdk\/|^\/usr\/share\/doc\/(libxslt1-dev|libexpat1-dev|git)\//;

/** Marks a Markdown file whose HTML rendering is the training text. */
const RENDERED = '#rendered-html';

const withRendered = (o: { source: string; licence: string } | null) => (o ? { ...o, source: `${o.source} (Markdown rendered to HTML by markdown-it)` } : null);

/** A Markdown document as a whole HTML page (markdown-it, inline HTML kept). */
function renderPage(markdown: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a dev tool's optional dependency, loaded when used
  const MarkdownIt = require('markdown-it') as new (o: object) => { render(s: string): string };
  const title = /^#+\s+(.+)$/m.exec(markdown)?.[1] ?? 'Documentation';
  const body = new MarkdownIt({ html: true, linkify: true }).render(markdown);
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${title}</title>\n</head>\n<body>\n<main>\n${body}</main>\n</body>\n</html>\n`;
}

/** Where each language's files come from. */
function sources(root: string): { label: CodeLanguage; files: string[]; source: (p: string) => { source: string; licence: string } | null; read?: (p: string) => string }[] {
  const nm = path.join(root, 'node_modules');
  const fromNpm = (p: string) => {
    const pkg = npmPackage(p, nm);
    return pkg && PERMISSIVE.has(pkg.licence) ? { source: `npm ${pkg.name}`, licence: pkg.licence } : null;
  };
  const fixed = (source: string, licence: string) => () => ({ source, licence });
  const go = '/usr/share/go-1.19/src';
  const notMin = (p: string) => !/\.min\.(js|css)$/.test(p) && !p.includes('/dist/');
  const npm = (accept: (p: string) => boolean) => walk(nm, (p) => !OUTSIDE.test(p) && accept(p));
  const nodeDocs = '/usr/share/doc/nodejs';
  const debianDoc = (p: string) => (p.startsWith(nodeDocs) ? { source: 'Debian nodejs documentation', licence: 'MIT' } : p.includes('/python3-pip/') ? { source: 'Debian python3-pip documentation', licence: 'MIT' } : null);
  return [
    // Declarations too: users open .d.ts files, and they are TypeScript at its most typed.
    { label: 'typescript', files: npm((p) => p.endsWith('.ts')), source: fromNpm },
    { label: 'javascript', files: npm((p) => /\.(js|mjs|cjs)$/.test(p) && notMin(p)), source: fromNpm },
    {
      label: 'json',
      files: [...npm((p) => p.endsWith('.json') && fs.statSync(p).size < 200_000), ...walk('/usr/share/cmake-3.25/Templates', (p) => p.endsWith('.json')), ...walk('/usr/share/proj', (p) => p.endsWith('.json'))],
      source: (p) => (p.startsWith(nm) ? fromNpm(p) : p.includes('cmake') ? { source: 'Debian cmake-data templates', licence: 'BSD-3-Clause' } : { source: 'Debian proj-data schemas', licence: 'MIT' }),
    },
    {
      label: 'markdown',
      files: [...npm((p) => p.endsWith('.md')), ...walk(nodeDocs, (p) => p.endsWith('.md')), ...walk('/usr/share/doc/python3-pip', (p) => p.endsWith('.md'))],
      source: (p) => (p.startsWith(nm) ? fromNpm(p) : debianDoc(p)),
    },
    { label: 'python', files: walk('/usr/lib/python3.11', (p) => p.endsWith('.py')), source: fixed('Debian python3.11 standard library', 'PSF-2.0') },
    {
      label: 'html',
      // Few HTML files here, so npm packages' Markdown is also rendered into pages (as docs sites are).
      files: [...walk(path.join(nodeDocs, 'api'), (p) => p.endsWith('.html')), ...walk('/usr/share/doc/libffi8', (p) => p.endsWith('.html')), ...npm((p) => p.endsWith('.html')), ...npm((p) => p.endsWith('.md')).map((p) => p + RENDERED)],
      source: (p) => (p.endsWith(RENDERED) ? withRendered(fromNpm(p.slice(0, -RENDERED.length))) : p.startsWith(nm) ? fromNpm(p) : p.includes('libffi') ? { source: 'Debian libffi8 documentation', licence: 'MIT' } : { source: 'Debian nodejs API documentation', licence: 'MIT' }),
      read: (p) => (p.endsWith(RENDERED) ? renderPage(fs.readFileSync(p.slice(0, -RENDERED.length), 'utf8')) : fs.readFileSync(p, 'utf8')),
    },
    {
      label: 'css',
      files: [...npm((p) => p.endsWith('.css') && notMin(p)), ...walk('/usr/share/doc/python3/_static', (p) => p.endsWith('.css')), ...walk(nodeDocs, (p) => p.endsWith('.css'))],
      source: (p) => (p.startsWith(nm) ? fromNpm(p) : p.startsWith(nodeDocs) ? { source: 'Debian nodejs documentation', licence: 'MIT' } : { source: 'Debian python3 documentation', licence: 'PSF-2.0' }),
    },
    {
      label: 'shellscript',
      files: [...walk(path.join(go), isShellScript), ...walk('/root/.pyenv', isShellScript), ...npm((p) => /\.(sh|bash)$/.test(p))],
      source: (p) => (p.startsWith(go) ? { source: 'Debian golang-1.19-src', licence: 'BSD-3-Clause' } : p.startsWith(nm) ? fromNpm(p) : { source: 'pyenv (pyenv-installer)', licence: 'MIT' }),
    },
    {
      label: 'c',
      files: [...walk(go, (p) => p.endsWith('.c') || (p.endsWith('.h') && !p.includes('/testdata/'))), ...walk('/usr/include/python3.11', (p) => p.endsWith('.h'))],
      source: (p) => (p.startsWith(go) ? { source: 'Debian golang-1.19-src', licence: 'BSD-3-Clause' } : { source: 'Debian python3.11-dev headers', licence: 'PSF-2.0' }),
    },
    { label: 'go', files: walk(go, (p) => p.endsWith('.go') && !p.includes('/testdata/')), source: fixed('Debian golang-1.19-src', 'BSD-3-Clause') },
  ];
}

/** Cuts up to `count` snippets of 5-40 lines, skipping near-empty ones. */
export function cutSnippets(text: string, count: number, rng: SeededRandom): string[] {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  for (let tries = 0; out.length < count && tries < count * 4; tries++) {
    const len = 5 + Math.floor(rng.next() * 36);
    const start = Math.floor(rng.next() * Math.max(1, lines.length - len));
    const snippet = lines.slice(start, start + len).join('\n');
    if (snippet.replace(/\s/g, '').length >= 40 && lines.length >= 5) out.push(snippet);
  }
  return out;
}

/**
 * Snippets as users select them: a third are 1-4 lines, the rest 5-40, cut anywhere in the file
 * (at least 20 visible characters).
 */
export function cutVariedSnippets(text: string, count: number, rng: SeededRandom): string[] {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  for (let tries = 0; out.length < count && tries < count * 6; tries++) {
    const len = rng.next() < 1 / 3 ? 1 + Math.floor(rng.next() * 4) : 5 + Math.floor(rng.next() * 36);
    const start = Math.floor(rng.next() * Math.max(1, lines.length - len));
    const snippet = lines.slice(start, start + len).join('\n');
    if (snippet.replace(/\s/g, '').length >= 20) out.push(snippet);
  }
  return out;
}

export interface CodeDataset {
  items: SnippetItem[];
  files: SourceFile[];
}

/** Balanced snippets per language: at most `perSplit[split]` each, from as many files as possible. */
export function loadCodeSnippets(root: string, perSplit: Record<Split, number> = { train: 2500, val: 200, test: 200 }): CodeDataset {
  const items: SnippetItem[] = [];
  const files: SourceFile[] = [];
  const seen = new Set<string>();
  for (const src of sources(root)) {
    const rng = new SeededRandom(1 + Object.keys(CODE_LANGUAGES).indexOf(src.label));
    const bySplit: Record<Split, { path: string; text: string }[]> = { train: [], val: [], test: [] };
    for (const p of src.files) {
      const origin = src.source(p);
      if (!origin) continue;
      let text: string;
      try {
        text = src.read ? src.read(p) : fs.readFileSync(p, 'utf8');
      } catch {
        continue;
      }
      if (text.length < 100 || text.split('\n').some((l) => l.length > 1000)) continue;
      const digest = sha256(text);
      if (seen.has(digest)) continue;
      seen.add(digest);
      const split = splitOfDigest(digest);
      files.push({ path: p.startsWith(root) ? path.relative(root, p) : p, label: src.label, ...origin, sha256: digest, split });
      bySplit[split].push({ path: p, text });
    }
    for (const split of ['train', 'val', 'test'] as Split[]) {
      const pool = bySplit[split];
      if (pool.length === 0) continue;
      const per = Math.max(1, Math.ceil(perSplit[split] / pool.length));
      const chosen: SnippetItem[] = [];
      for (const f of pool) {
        for (const [i, s] of cutVariedSnippets(f.text, per, rng).entries()) chosen.push({ text: s, label: src.label, split, id: `${path.basename(f.path)}#${i}` });
      }
      // Seeded shuffle, then cap: many files contribute, none dominates.
      for (let i = chosen.length - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        [chosen[i], chosen[j]] = [chosen[j], chosen[i]];
      }
      items.push(...chosen.slice(0, perSplit[split]));
    }
  }
  return { items, files };
}
