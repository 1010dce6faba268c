/**
 * Training rows for a spam classifier that does not depend on one preprocessing: each train and
 * validation mail of SpamAssassin in every form a user holds it (the forms the evaluation scores,
 * tools/eval/spamForms.ts), plus short crops of its body, plus short ordinary text from another
 * origin (Debian changelog entries on this machine) as ham. Rows of one mail share a `group`; the
 * trainer draws one form per mail per epoch (tools/train/train_classifier.py --one-per-group), so
 * an epoch costs what it did with one form. The test split is never read here.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseMail } from '../../src/core/classification/mail';
import { mailText, spamAssassinRecords } from './spamData';
import { splitOfDigest, type Split } from './split';

export interface FormRow {
  text: string;
  label: string;
  split: Split;
  id: string;
  /** Rows of one source mail: the trainer takes one of them per epoch. */
  group: string;
  form: string;
}

/** A seeded generator (mulberry32) so the crops are the same on every run. */
function rng(seed: string): () => number {
  let a = parseInt(createHash('md5').update(seed).digest('hex').slice(0, 8), 16);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One to three sentences (or lines) from a random place in the body: what a user selects. */
function shortCrop(body: string, random: () => number): string | undefined {
  const pieces = body
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length >= 12 && !/^>/.test(s));
  if (pieces.length === 0) return undefined;
  const start = Math.floor(random() * pieces.length);
  const n = 1 + Math.floor(random() * 3);
  return pieces.slice(start, start + n).join(' ').slice(0, 400);
}

/** Every form of each train and validation mail. */
export async function spamFormRows(root: string): Promise<FormRow[]> {
  const rows: FormRow[] = [];
  for (const r of spamAssassinRecords(root)) {
    if (r.split === 'test') continue;
    const parts = await parseMail(r.raw);
    const random = rng(r.id);
    const forms: [string, string | undefined][] = [
      ['training_form', mailText(r.raw)],
      ['raw', r.raw.slice(0, 8000)],
      ['parsed', parts.modelText],
      ['body_only', parts.body],
      ['subject_body', `${parts.subject}\n\n${parts.body}`],
      ['html_source', parts.html?.slice(0, 8000)],
      ['short', shortCrop(parts.body, random)],
    ];
    for (const [form, text] of forms) {
      if (text?.trim()) rows.push({ text, label: r.label, split: r.split, id: `${r.id}#${form}`, group: r.id, form });
    }
  }
  return rows;
}

/** Changelog entries (one bullet with its continuation lines) from Debian's /usr/share/doc. */
export function changelogHam(docRoot = '/usr/share/doc', limit = 1500): FormRow[] {
  if (!fs.existsSync(docRoot)) return [];
  const rows: FormRow[] = [];
  const seen = new Set<string>();
  for (const pkg of fs.readdirSync(docRoot).sort()) {
    const file = path.join(docRoot, pkg, 'changelog.Debian.gz');
    if (!fs.existsSync(file)) continue;
    let text: string;
    try {
      text = gunzipSync(fs.readFileSync(file)).toString('utf8');
    } catch {
      continue;
    }
    const bullets = text.split(/\n\s+\*\s+/).slice(1, 6);
    for (const b of bullets) {
      const entry = b.split(/\n\s*\n| -- /)[0].replace(/\s+/g, ' ').trim();
      if (entry.length < 20 || entry.length > 300 || seen.has(entry)) continue;
      seen.add(entry);
      const digest = createHash('sha256').update(entry).digest('hex');
      const split = splitOfDigest(digest);
      if (split === 'test') continue;
      rows.push({ text: entry, label: 'ham', split, id: `changelog/${pkg}/${digest.slice(0, 8)}`, group: `changelog/${digest}`, form: 'other_origin_short' });
    }
    if (rows.length >= limit) break;
  }
  return rows;
}
