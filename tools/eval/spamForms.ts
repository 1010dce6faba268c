/**
 * The spam classifier on every form in which a user holds the same mail: the SpamAssassin test
 * split (the same mails as the in-distribution figure, chosen by the same checksum split) as the
 * training preprocessing presented it, as a raw message and as an `.eml` file with and without
 * the product's MIME parsing (src/core/classification/mail.ts), body only, subject and body,
 * the HTML part's source; and hand-written short messages, which no corpus here holds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { classifierText, mailFileText, parseMail, type MailParts } from '../../src/core/classification/mail';
import { classificationReport } from '../../src/core/classification/metrics';
import type { Figure } from './report';
import type { EvalOptions } from './shippedModels';
import { SHORT_HAM } from './shortMessages';
import { mailText, quickSample, spamAssassinRecords } from './spamData';

interface TestMail {
  id: string;
  label: string;
  raw: string;
  /** The corpus's own file of the mail (its bytes, as an .eml on disk). */
  file: string;
  parts: MailParts;
}

async function loadTestMails(root: string, quick: boolean): Promise<TestMail[]> {
  const found = spamAssassinRecords(root)
    .filter((r) => r.split === 'test')
    .map(({ id, label, raw, file }) => ({ id, label, raw, file }));
  const chosen = quick ? quickSample(found, 200) : found;
  const out: TestMail[] = [];
  for (const m of chosen) out.push({ ...m, parts: await parseMail(m.raw) });
  return out;
}

interface Form {
  id: string;
  name: string;
  /** The text to classify, or undefined where the mail has no such form (no HTML part, an empty body). */
  text: (m: TestMail) => Promise<string | undefined> | string | undefined;
}

const nonBlank = (t: string | undefined) => (t?.trim() ? t : undefined);

const FORMS: Form[] = [
  { id: 'training_form', name: 'as training presented it', text: (m) => mailText(m.raw) },
  { id: 'raw_unparsed', name: 'raw message, not parsed', text: (m) => m.raw },
  { id: 'raw_parsed', name: 'raw message, parsed (mail.ts)', text: (m) => classifierText(m.raw) },
  { id: 'eml_unparsed', name: '.eml file read as text, not parsed', text: (m) => fs.readFileSync(m.file, 'utf8') },
  { id: 'eml_parsed', name: '.eml file, parsed (classify --eml)', text: (m) => mailFileText(m.file) },
  { id: 'body_only', name: 'body only', text: (m) => nonBlank(m.parts.body) },
  { id: 'subject_body', name: 'subject and body', text: (m) => nonBlank(`${m.parts.subject}\n\n${m.parts.body}`) },
  { id: 'html_source', name: 'HTML part source (mails with one)', text: (m) => nonBlank(m.parts.html) },
  { id: 'html_mail_parsed', name: 'raw HTML mail, parsed (mails with an HTML part)', text: (m) => (m.parts.html ? classifierText(m.raw) : undefined) },
];

async function spamScores(client: HostClient, o: EvalOptions, texts: string[]): Promise<{ label: string; spam: number }[]> {
  const modelPath = path.join(o.root, 'models', 'spam-classifier');
  const r = await client.request('classify', { modelPath, texts, onnxFile: o.onnxFile });
  return r.results.map((labels) => ({ label: labels[0].label, spam: labels.find((l) => l.label === 'spam')?.score ?? 0 }));
}

export async function evalSpamForms(client: HostClient, o: EvalOptions): Promise<Figure[]> {
  const mails = await loadTestMails(o.root, o.quick);
  const figures: Figure[] = [];
  o.log(`spam-classifier on the same ${mails.length} test-split mails in every form a user has (F1 spam / accuracy / n):`);
  for (const form of FORMS) {
    const items: { gold: string; text: string }[] = [];
    for (const m of mails) {
      const text = await form.text(m);
      if (text !== undefined) items.push({ gold: m.label, text });
    }
    const predicted = (await spamScores(client, o, items.map((i) => i.text))).map((s) => s.label);
    const report = classificationReport(items.map((i) => i.gold), predicted, ['ham', 'spam']);
    const f1 = report.perClass.find((c) => c.label === 'spam')!.f1;
    o.log(`  ${form.name.padEnd(48)} ${f1.toFixed(3)} / ${report.accuracy.toFixed(3)} / ${items.length}`);
    figures.push(
      { id: `spam_form_${form.id}_f1`, name: `spam (form): F1 (spam), ${form.name}`, value: f1, unit: 'fraction', goal: '>=0.98', met: f1 >= 0.98 },
      { id: `spam_form_${form.id}_accuracy`, name: `spam (form): accuracy, ${form.name}`, value: report.accuracy, unit: 'fraction' },
    );
  }
  const short = await spamScores(client, o, [...SHORT_HAM]);
  const hamRate = short.filter((s) => s.label === 'ham').length / short.length;
  const worst = short.map((s, i) => ({ ...s, text: SHORT_HAM[i] })).sort((a, b) => b.spam - a.spam)[0];
  o.log(`  short hand-written ham messages: ${short.filter((s) => s.label === 'ham').length} of ${short.length} labelled ham (most spam-like: ${JSON.stringify(worst.text)} spam ${worst.spam.toFixed(4)})`);
  figures.push({ id: 'spam_short_ham_accuracy', name: 'spam (outside): short hand-written ham messages labelled ham', value: hamRate, unit: 'fraction', goal: '>=0.95', met: hamRate >= 0.95 });
  return figures;
}
