/**
 * The out-of-distribution sample for code-language and code-lm: snippets from projects that no
 * shipped model trained on (no npm package of the training manifests, not Go's or Python's own
 * sources, not Node's docs), permissively licensed, each with its origin and licence. Built
 * once on a machine that has these files and committed (outside-snippets.jsonl), so the figure
 * is the same on every machine:
 *
 *   npx tsc -p . && node out/tools/eval/buildOutsideSample.js
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SeededRandom } from '../../src/host/generation/sampling';
import { CODE_LANGUAGES, cutSnippets, walk, type CodeLanguage } from './codeLanguageData';

export interface OutsideSnippet {
  text: string;
  label: CodeLanguage;
  /** Project (and version) the file belongs to. */
  source: string;
  licence: string;
  /** The file, relative to the source's folder. */
  file: string;
}

export const OUTSIDE_FILE = path.join('tools', 'eval', 'outside-snippets.jsonl');

interface Source {
  label: CodeLanguage;
  source: string;
  licence: string;
  dir: string;
  accept: (p: string) => boolean;
}

const GCLOUD = '/usr/lib/google-cloud-sdk';
const APPENGINE_ADMIN = path.join(GCLOUD, 'platform/google_appengine/google/appengine/tools/devappserver2/admin');
const notThirdParty = (p: string) => !/third_party|vendored|jetty|bundledpython/.test(p);

/** Where each language's outside files come from (paths under node_modules are relative to the repository). */
function sources(): Source[] {
  const nm = (pkg: string) => path.join('node_modules', pkg);
  return [
    { label: 'typescript', source: 'npm openai@6.49.0', licence: 'Apache-2.0', dir: nm('openai/src'), accept: (p) => p.endsWith('.ts') && !p.endsWith('.d.ts') },
    { label: 'typescript', source: 'npm eventsource-parser@3.1.1', licence: 'MIT', dir: nm('eventsource-parser/src'), accept: (p) => p.endsWith('.ts') },
    { label: 'javascript', source: 'npm nodemailer@10.3.1', licence: 'MIT-0', dir: nm('nodemailer/dist/cjs'), accept: (p) => p.endsWith('.js') },
    { label: 'javascript', source: 'Google App Engine SDK admin console (Debian google-cloud-cli)', licence: 'Apache-2.0', dir: path.join(APPENGINE_ADMIN, 'templates'), accept: (p) => p.endsWith('.js') },
    { label: 'json', source: 'Google Cloud CLI (Debian google-cloud-cli)', licence: 'Apache-2.0', dir: path.join(GCLOUD, 'lib'), accept: (p) => p.endsWith('.json') && notThirdParty(p) && fs.statSync(p).size < 50_000 },
    { label: 'json', source: 'npm openai, nodemailer, mailparser, libmime, playwright-core (package.json)', licence: 'Apache-2.0 / MIT-0 / MIT', dir: nm(''), accept: (p) => /node_modules\/(openai|nodemailer|mailparser|libmime|playwright-core)\/package\.json$/.test(p) },
    { label: 'markdown', source: 'npm openai@6.49.0', licence: 'Apache-2.0', dir: nm('openai'), accept: (p) => p.endsWith('.md') && !p.includes('/node_modules/', 20) },
    { label: 'markdown', source: 'npm nodemailer@10.3.1 / mailparser@3.14.2', licence: 'MIT-0 / MIT', dir: nm(''), accept: (p) => /node_modules\/(nodemailer|mailparser)\/[^/]+\.md$/.test(p) },
    { label: 'python', source: 'Google Cloud CLI (Debian google-cloud-cli)', licence: 'Apache-2.0', dir: path.join(GCLOUD, 'lib', 'googlecloudsdk', 'core'), accept: (p) => p.endsWith('.py') },
    { label: 'html', source: 'Debian libxslt1-dev documentation', licence: 'MIT', dir: '/usr/share/doc/libxslt1-dev', accept: (p) => p.endsWith('.html') },
    { label: 'html', source: 'Debian libexpat1-dev documentation', licence: 'MIT', dir: '/usr/share/doc/libexpat1-dev', accept: (p) => p.endsWith('.html') },
    { label: 'css', source: 'Google App Engine SDK admin console (Debian google-cloud-cli)', licence: 'Apache-2.0', dir: path.join(APPENGINE_ADMIN, 'assets'), accept: (p) => p.endsWith('.css') && !p.endsWith('.min.css') },
    { label: 'css', source: 'Debian libxslt1-dev and libexpat1-dev documentation', licence: 'MIT', dir: '/usr/share/doc', accept: (p) => /\/(libxslt1-dev|libexpat1-dev)\/.*\/style\.css$/.test(p) },
    { label: 'shellscript', source: 'Google Cloud CLI (Debian google-cloud-cli)', licence: 'Apache-2.0', dir: GCLOUD, accept: (p) => p.endsWith('.sh') && notThirdParty(p) },
    { label: 'c', source: 'Debian libsqlite3-dev, zlib1g-dev, libexpat1-dev, liblzma-dev headers', licence: 'public domain / Zlib / MIT', dir: '/usr/include', accept: (p) => /\/(sqlite3|zlib|expat|expat_external|lzma\/[a-z_]+)\.h$/.test(p) },
    { label: 'go', source: 'git contrib/persistent-https (Debian git)', licence: 'Apache-2.0', dir: '/usr/share/doc/git/contrib/persistent-https', accept: (p) => p.endsWith('.go') },
    { label: 'go', source: 'npm flatted (its Go port)', licence: 'ISC', dir: nm('flatted/golang'), accept: (p) => p.endsWith('.go') },
  ];
}

/** Up to `perLanguage` snippets per language, at most `perFile` from any one file. */
export function buildOutsideSample(root: string, perLanguage = 24, perFile = 2): OutsideSnippet[] {
  const out: OutsideSnippet[] = [];
  for (const label of Object.keys(CODE_LANGUAGES) as CodeLanguage[]) {
    const rng = new SeededRandom(77 + out.length);
    const pool: OutsideSnippet[] = [];
    for (const s of sources().filter((x) => x.label === label)) {
      const dir = path.isAbsolute(s.dir) ? s.dir : path.join(root, s.dir);
      for (const f of walk(dir, s.accept)) {
        const text = fs.readFileSync(f, 'utf8');
        if (text.length < 100 || text.split('\n').some((l) => l.length > 1000)) continue;
        for (const t of cutSnippets(text, perFile, rng)) pool.push({ text: t, label, source: s.source, licence: s.licence, file: path.relative(dir, f) });
      }
    }
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    out.push(...pool.slice(0, perLanguage));
  }
  return out;
}

export function loadOutsideSample(root: string): OutsideSnippet[] {
  return fs
    .readFileSync(path.join(root, OUTSIDE_FILE), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as OutsideSnippet);
}
