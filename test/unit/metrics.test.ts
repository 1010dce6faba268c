import * as assert from 'node:assert/strict';
import { classificationReport, rocCurve } from '../../src/core/classification/metrics';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

describe('classification metrics (hand-computed cases)', () => {
  it('binary: precision, recall, F1, confusion matrix', () => {
    // gold:  s s s h h h h h ; pred: s s h s h h h h  => spam tp=2 fp=1 fn=1
    const gold = ['s', 's', 's', 'h', 'h', 'h', 'h', 'h'];
    const pred = ['s', 's', 'h', 's', 'h', 'h', 'h', 'h'];
    const r = classificationReport(gold, pred, ['h', 's']);
    close(r.accuracy, 6 / 8);
    assert.deepEqual(r.confusion, [[4, 1], [1, 2]]);
    const s = r.perClass.find((c) => c.label === 's')!;
    close(s.precision, 2 / 3);
    close(s.recall, 2 / 3);
    close(s.f1, 2 / 3);
    const h = r.perClass.find((c) => c.label === 'h')!;
    close(h.precision, 4 / 5);
    close(h.recall, 4 / 5);
    close(r.macro.f1, (2 / 3 + 4 / 5) / 2);
    close(r.micro.f1, 6 / 8);
    assert.equal(s.support, 3);
  });

  it('three classes, one never predicted', () => {
    const r = classificationReport(['a', 'b', 'c', 'c'], ['a', 'a', 'c', 'a'], ['a', 'b', 'c']);
    const a = r.perClass[0];
    close(a.precision, 1 / 3);
    close(a.recall, 1);
    close(a.f1, 0.5);
    assert.equal(r.perClass[1].f1, 0);
    close(r.perClass[2].recall, 0.5);
    close(r.macro.recall, (1 + 0 + 0.5) / 3);
  });

  it('gold labels the model does not know are reported and counted as errors', () => {
    const r = classificationReport(['a', 'zzz', 'zzz'], ['a', 'a', 'b'], ['a', 'b']);
    assert.deepEqual(r.unknownLabels, { zzz: 2 });
    assert.deepEqual(r.labels, ['a', 'b', 'zzz']);
    close(r.accuracy, 1 / 3);
    assert.deepEqual(r.confusion[2], [1, 1, 0]);
  });

  it('ROC AUC: perfect, inverted, random-tie and a hand-computed case', () => {
    close(rocCurve([true, true, false, false], [0.9, 0.8, 0.3, 0.1]).auc, 1);
    close(rocCurve([true, true, false, false], [0.1, 0.2, 0.8, 0.9]).auc, 0);
    close(rocCurve([true, false], [0.5, 0.5]).auc, 0.5);
    // scores: P=0.9, N=0.8, P=0.7, N=0.6 -> pairs (P>N): 0.9>0.8,0.9>0.6,0.7>0.6 = 3 of 4
    const r = rocCurve([true, false, true, false], [0.9, 0.8, 0.7, 0.6]);
    close(r.auc, 3 / 4);
    assert.deepEqual(r.points.at(-1), { fpr: 1, tpr: 1, threshold: 0.6 });
  });
});
