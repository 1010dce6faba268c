/**
 * Data files for batch runs and evaluation: parsing (csv-parse, JSON Lines, plain text) with
 * malformed records reported by line, batch output beside the input, and evaluation bookkeeping.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledError, classifyFile, outputPathFor } from '../../src/core/classification/batch';
import { bindClassifier } from '../../src/core/classification/classifier';
import { evaluateFile } from '../../src/core/classification/evaluate';
import { columnsOf, DataFileError, guessColumns, readRecords, type SkippedRecord } from '../../src/core/classification/records';
import { reportMarkdown } from '../../src/core/classification/reportFormat';
import type { HostClient } from '../../src/client/hostClient';
import type { LabelScore } from '../../src/protocol/types';
import { newClient, rejection, TINY_BERT } from './helpers';

async function read(file: string) {
  const skipped: SkippedRecord[] = [];
  const records = [];
  for await (const r of readRecords(file, { onSkip: (s) => skipped.push(s) })) records.push(r);
  return { records, skipped };
}

/** A transparent rule, so the evaluator's counting can be checked by hand. */
const keywordRule = async (texts: string[]): Promise<LabelScore[][]> =>
  texts.map((t) => {
    const spam = /free|win/i.test(t) ? 0.9 : t.includes('maybe') ? 0.6 : 0.2;
    return [{ label: 'spam', score: spam }, { label: 'ham', score: 1 - spam }].sort((a, b) => b.score - a.score);
  });

describe('data files', () => {
  let dir: string;
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'data-files-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('CSV: quoted commas and newlines, a BOM, and malformed rows skipped with their line numbers', async () => {
    const f = write('a.csv', '\uFEFFtext,label\n"hello, world",a\n"two\nlines",b\nx,y,z\n"never closed,a\nlast,b\n');
    const { records, skipped } = await read(f);
    assert.deepEqual(records.map((r) => r.values), [{ text: 'hello, world', label: 'a' }, { text: 'two\nlines', label: 'b' }]);
    assert.deepEqual(skipped, [
      { line: 5, reason: '3 fields where the header has 2' },
      { line: 6, reason: 'a quote opened here is never closed, so the rest of the file could not be read' },
    ]);
    assert.deepEqual(await columnsOf(f), ['text', 'label']);
  });

  it('CSV with CRLF line ends (as Excel saves it) reads the same as LF; header only has no records', async () => {
    const crlf = await read(write('w.csv', 'text,label\r\n"a, b",x\r\n"multi\r\nline",y\r\n'));
    assert.deepEqual(crlf.records.map((r) => r.values), [{ text: 'a, b', label: 'x' }, { text: 'multi\r\nline', label: 'y' }]);
    assert.deepEqual(crlf.skipped, []);
    assert.deepEqual((await read(write('h2.csv', 'text,label\r\n'))).records, []);
  });

  it('TSV, JSON Lines and plain text', async () => {
    const tsv = await read(write('a.tsv', 'text\tlabel\nfoo\tbar\n'));
    assert.deepEqual(tsv.records[0].values, { text: 'foo', label: 'bar' });
    const jl = await read(write('a.jsonl', '{"text":"a","label":1}\n\n{oops\n[1,2]\n{"text":"b"}\n'));
    assert.deepEqual(jl.records.map((r) => r.line), [1, 5]);
    assert.deepEqual(jl.skipped.map((s) => s.line), [3, 4]);
    assert.match(jl.skipped[0].reason, /not valid JSON/);
    assert.match(jl.skipped[1].reason, /not a JSON object/);
    const txt = await read(write('a.txt', 'first\n\n  \nsecond\r\n'));
    assert.deepEqual(txt.records.map((r) => [r.line, r.values.text]), [[1, 'first'], [4, 'second']]);
  });

  it('empty and missing files get a clear error', async () => {
    assert.throws(() => readRecords(write('e.csv', '')), (e: Error) => e instanceof DataFileError && /is empty/.test(e.message));
    assert.throws(() => readRecords(path.join(dir, 'nope.csv')), /does not exist/);
    await assert.rejects(columnsOf(write('h.csv', 'text,label\n')), /no readable records/);
  });

  it('a file with no readable record names the first bad line and the reason', async () => {
    /** The error for a file with no readable record, less the file name it starts with. */
    const why = async (name: string, text: string) => {
      const f = write(name, text);
      const e = await rejection(columnsOf(f));
      assert.ok(e instanceof DataFileError, String(e));
      assert.ok(e.message.startsWith(f), e.message);
      return e.message.slice(f.length);
    };
    assert.equal(await why('q.csv', 'text,label\n"never closed,a\nmore,b\n'), ' has no readable records: line 2: a quote opened here is never closed, so the rest of the file could not be read.');
    assert.equal(await why('h.csv', '"text,label\nfoo,bar\n'), ' has no readable records: line 1: a quote opened here is never closed, so the rest of the file could not be read.');
    assert.equal(await why('r.csv', 'text,label\nx,y,z\na,b,c\n"open\n'), ' has no readable records: line 2: 3 fields where the header has 2 (2 more records skipped).');
    assert.match(await why('j.jsonl', '{oops\n'), /^ has no readable records: line 1: not valid JSON/);
    assert.equal(await why('o.csv', 'text,label\n'), ' has no readable records (only a header row, or only empty lines).');
  });

  it('a quoted field followed by stray text is reported once, in words, at its line', async () => {
    const { records, skipped } = await read(write('s.csv', 'text,label\nok,a\n"bad"x,b\nlost,c\n'));
    assert.deepEqual(records.map((r) => r.line), [2]);
    assert.deepEqual(skipped, [{ line: 3, reason: 'a quoted field is followed by "x" instead of a delimiter or the end of the line, so the rest of the file could not be read' }]);
  });

  it('guesses the text and label columns from common names', () => {
    assert.deepEqual(guessColumns(['id', 'Body', 'Category']), { text: 'Body', label: 'Category' });
    assert.deepEqual(guessColumns(['foo', 'bar']), { text: 'foo', label: undefined });
  });

  it('outputs never overwrite: .classified, then -2, -3', () => {
    const input = write('d.csv', 'text\nx\n');
    assert.equal(outputPathFor(input), path.join(dir, 'd.classified.csv'));
    write('d.classified.csv', '');
    assert.equal(outputPathFor(input), path.join(dir, 'd.classified-2.csv'));
    assert.equal(outputPathFor(write('n.txt', 'x')), path.join(dir, 'n.classified.csv'));
    assert.equal(outputPathFor(write('j.jsonl', '{}')), path.join(dir, 'j.classified.jsonl'));
  });

  it('evaluation: hand-checked metrics, unknown labels reported, ROC for the positive class', async () => {
    const f = write('e.jsonl', [
      { text: 'win a free cruise', label: 'spam' }, // spam 0.9 -> right
      { text: 'maybe lunch', label: 'spam' }, //       spam 0.6 -> right
      { text: 'meeting notes', label: 'spam' }, //     ham      -> wrong
      { text: 'free tickets inside', label: 'ham' }, // spam    -> wrong
      { text: 'see you', label: 'ham' }, //            ham      -> right
      { text: 'hello', label: 'Ham' }, //              case-insensitive match -> right
      { text: 'odd', label: 'phishing' }, //           unknown label
      { text: 'no label' },
    ].map((x) => JSON.stringify(x)).join('\n'));
    const r = await evaluateFile({ input: f, textColumn: 'text', labelColumn: 'label', classify: keywordRule, model: 'rule', method: 'rule' });
    assert.equal(r.count, 7);
    assert.deepEqual(r.labels, ['spam', 'ham', 'phishing']);
    assert.deepEqual(r.confusion, [[2, 1, 0], [1, 2, 0], [0, 1, 0]]);
    assert.deepEqual(r.unknownLabels, { phishing: 1 });
    assert.deepEqual(r.skipped, [{ line: 8, reason: 'no "label" label' }]);
    // Known labels only: spam scores 0.9 0.6 0.2 (spam) vs 0.9 0.2 0.2 (ham). AUC by pairs:
    // (0.9 vs 0.9) 0.5, (0.9 vs 0.2) 1, 1; (0.6 vs ..) 0, 1, 1; (0.2 vs ..) 0, 0.5, 0.5 -> 5.5/9.
    assert.ok(r.roc);
    assert.equal(r.roc.positive, 'spam');
    assert.ok(Math.abs(r.roc.auc - 5.5 / 9) < 1e-12, String(r.roc.auc));
    assert.equal(r.mistakes[0].text, 'free tickets inside');
    const md = reportMarkdown(r);
    assert.match(md, /Labels in the data that the model does not know.*`phishing` \(1\)/);
    assert.match(md, /\| \*\*spam\*\* \| 2 \| 1 \| 0 \|/);
    await assert.rejects(evaluateFile({ input: f, textColumn: 'text', labelColumn: 'gold', classify: keywordRule, model: 'rule', method: 'rule' }), /no column "gold"/);
  });

  describe('batch classification through the host', () => {
    let client: HostClient;
    before(() => (client = newClient()));
    after(() => client.dispose());

    it('streams a file in batches to a new file beside it and leaves the input as it was', async () => {
      const lines = Array.from({ length: 70 }, (_, i) => JSON.stringify({ id: i, text: `ticket number ${i} about ${i % 2 ? 'a crash' : 'a feature'}` }));
      lines.splice(10, 0, '{broken');
      const input = write('t.jsonl', `${lines.join('\n')}\n`);
      const before = fs.readFileSync(input);
      const batches: number[] = [];
      const bound = bindClassifier(client, { modelPath: TINY_BERT });
      const r = await classifyFile({ input, textColumn: 'text', classify: (t) => (batches.push(t.length), bound.classify(t)), batchSize: 32, onProgress: () => undefined });
      assert.deepEqual(fs.readFileSync(input), before);
      assert.deepEqual(batches, [32, 32, 6]);
      assert.equal(r.records, 70);
      assert.deepEqual(r.skipped.map((s) => s.line), [11]);
      const out = fs.readFileSync(r.output, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: number; label: string; scores: Record<string, number> });
      assert.equal(out.length, 70);
      assert.deepEqual(out.map((o) => o.id), Array.from({ length: 70 }, (_, i) => i));
      assert.deepEqual(Object.keys(out[0].scores).sort(), ['negative', 'neutral', 'positive']);
      assert.equal(Object.values(r.counts).reduce((a, b) => a + b, 0), 70);
    });

    it('cancelling leaves no output file', async () => {
      const input = write('c.txt', Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n'));
      let calls = 0;
      const bound = bindClassifier(client, { modelPath: TINY_BERT });
      await assert.rejects(classifyFile({ input, textColumn: 'text', classify: bound.classify, batchSize: 32, isCancelled: () => ++calls > 1 }), CancelledError);
      assert.deepEqual(fs.readdirSync(dir), ['c.txt']);
    });
  });
});
