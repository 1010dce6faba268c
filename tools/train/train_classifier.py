#!/usr/bin/env python3
"""Trains a BERT-architecture sequence classifier on a labelled JSONL file and exports it.

    npm run build && node tools/train/prepare.mjs spam /tmp/spam.jsonl
    /usr/bin/python3 tools/train/train_classifier.py --data /tmp/spam.jsonl --out models/spam-classifier

Rows are {text, label, split}; only the train split is trained on, the val split picks the
epoch, and the test split is never read here (npm run eval reports it). The WordPiece vocabulary
is trained here; the token ids are made by the product's own tokenizer code (tools/train/encode.mjs).
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "export"))
import bert  # noqa: E402
import tokenizer as tok  # noqa: E402
from common import Shape  # noqa: E402


def macro_f1(pred, gold, n):
    f1s = []
    for c in range(n):
        tp = sum(1 for p, g in zip(pred, gold) if p == c and g == c)
        fp = sum(1 for p, g in zip(pred, gold) if p == c and g != c)
        fn = sum(1 for p, g in zip(pred, gold) if p != c and g == c)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(f1s) / n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--labels", help="comma-separated label order (default: sorted)")
    p.add_argument("--vocab-size", type=int, default=8000)
    p.add_argument("--cased", action="store_true", help="keep case (code); default lowercases (prose)")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=2)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--max-len", type=int, default=256)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--one-per-group", action="store_true",
                   help="rows sharing a `group` (one mail in several forms) are drawn one per group each epoch")
    p.add_argument("--init", help="start from this model folder's weights and tokenizer (fine-tuning)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    random.seed(a.seed)
    torch.manual_seed(a.seed)

    rows = [json.loads(l) for l in open(a.data, encoding="utf-8") if l.strip()]
    labels = a.labels.split(",") if a.labels else sorted({r["label"] for r in rows})
    lid = {l: i for i, l in enumerate(labels)}
    train = [r for r in rows if r["split"] == "train"]
    val = [r for r in rows if r["split"] == "val"]
    if a.one_per_group:
        # Validation also takes one form per mail (a fixed, seeded draw): every form is still
        # represented, at the cost of one pass per mail instead of one per form.
        pick = random.Random(a.seed)
        by_group = {}
        for r in val:
            by_group.setdefault(r.get("group", id(r)), []).append(r)
        val = [pick.choice(g) for _, g in sorted(by_group.items(), key=lambda kv: str(kv[0]))]
    print(f"rows: train {len(train)} val {len(val)} (test not read); labels {labels}", flush=True)

    t0 = time.time()
    os.makedirs(a.out, exist_ok=True)
    if a.init:
        tj = json.load(open(os.path.join(a.init, "tokenizer.json"), encoding="utf-8"))
    else:
        tj = tok.train_wordpiece([r["text"] for r in train], a.vocab_size, lowercase=not a.cased)
    tok.write_json(os.path.join(a.out, "tokenizer.json"), tj)
    tok.write_json(os.path.join(a.out, "tokenizer_config.json"), tok.bert_tokenizer_config(a.max_len, not a.cased))
    print(f"wordpiece: {len(tj['model']['vocab'])} tokens in {time.time() - t0:.0f}s", flush=True)

    work = a.out.rstrip("/") + ".work"
    os.makedirs(work, exist_ok=True)
    ids = {}
    for name, part in (("train", train), ("val", val)):
        src, dst = os.path.join(work, f"{name}.jsonl"), os.path.join(work, f"{name}.ids")
        with open(src, "w", encoding="utf-8") as f:
            for r in part:
                f.write(json.dumps({"text": r["text"]}) + "\n")
        subprocess.run(["node", os.path.join(HERE, "encode.mjs"), a.out, src, dst, str(a.max_len)], check=True)
        ids[name] = [json.loads(l) for l in open(dst)]

    shape = Shape(layers=a.layers, heads=a.heads, hidden=a.hidden, positions=a.max_len)
    cfg = bert.bert_config(len(tj["model"]["vocab"]), shape, labels, "sequence-classification")
    model = bert.BertForSequenceClassification(cfg).to(a.device)
    with torch.no_grad():
        for name, prm in model.named_parameters():
            if prm.dim() >= 2:
                torch.nn.init.normal_(prm, std=0.02)
    if a.init:
        import onnx
        from onnx import numpy_helper
        weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
                   for t in onnx.load(os.path.join(a.init, "onnx", "model.onnx")).graph.initializer}
        # The exporter inlines Linear weights as unnamed MatMul inputs ([in, out]), in layer order.
        mats = [w for n, w in weights.items() if n.startswith("onnx::MatMul")]
        names = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                 "intermediate.dense", "output.dense")
        for i in range(len(mats) // len(names)):
            for j, n in enumerate(names):
                weights[f"bert.encoder.layer.{i}.{n}.weight"] = mats[len(names) * i + j].t().contiguous()
        state = model.state_dict()
        loaded = {k: weights[k] for k in state if k in weights and weights[k].shape == state[k].shape}
        model.load_state_dict(loaded, strict=False)
        print(f"init: {len(loaded)} of {len(state)} tensors from {a.init}", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)

    def batches(xs, ys, shuffle):
        order = sorted(range(len(xs)), key=lambda i: len(xs[i]))
        chunks = [order[i:i + a.batch] for i in range(0, len(order), a.batch)]
        if shuffle:
            random.shuffle(chunks)
        for c in chunks:
            L = max(len(xs[i]) for i in c)
            inp = torch.tensor([xs[i] + [0] * (L - len(xs[i])) for i in c], device=a.device)
            mask = torch.tensor([[1] * len(xs[i]) + [0] * (L - len(xs[i])) for i in c], device=a.device)
            yield inp, mask, torch.tensor([ys[i] for i in c], device=a.device), c

    ytr = [lid[r["label"]] for r in train]
    yva = [lid[r["label"]] for r in val]
    groups = {}
    for i, r in enumerate(train):
        groups.setdefault(r.get("group", i) if a.one_per_group else i, []).append(i)
    group_list = list(groups.values())
    total_steps = a.epochs * ((len(group_list) + a.batch - 1) // a.batch)
    step, best, best_state, log = 0, -1.0, None, []
    # With --init, epoch 0 only measures the starting model on validation (it also checks the weights loaded).
    for epoch in range(0 if a.init else 1, a.epochs + 1):
        model.train()
        t = time.time()
        drawn = [random.choice(g) for g in group_list] if epoch > 0 else []
        loss = torch.tensor(0.0)
        for inp, mask, y, _ in batches([ids["train"][i] for i in drawn], [ytr[i] for i in drawn], True):
            lr = a.lr * min(1.0, (step + 1) / 100) * max(0.05, 1 - step / total_steps)
            for g in opt.param_groups:
                g["lr"] = lr
            loss = torch.nn.functional.cross_entropy(model(inp, mask, torch.zeros_like(inp)), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
        model.eval()
        pred = [0] * len(val)
        with torch.no_grad():
            for inp, mask, _, c in batches(ids["val"], yva, False):
                out = model(inp, mask, torch.zeros_like(inp)).argmax(-1).tolist()
                for i, o in zip(c, out):
                    pred[i] = o
        acc = sum(int(p == g) for p, g in zip(pred, yva)) / len(yva)
        f1 = macro_f1(pred, yva, len(labels))
        rec = {"epoch": epoch, "loss": round(loss.item(), 4), "val_accuracy": round(acc, 4), "val_macro_f1": round(f1, 4),
               "seconds": round(time.time() - t)}
        forms = sorted({r["form"] for r in val if "form" in r})
        if forms:  # per-form validation figures: the epoch is still chosen on the whole mix
            rec["val_macro_f1_by_form"] = {
                fm: round(macro_f1([pred[i] for i in range(len(val)) if val[i].get("form") == fm],
                                   [yva[i] for i in range(len(val)) if val[i].get("form") == fm], len(labels)), 4)
                for fm in forms}
        log.append(rec)
        print(json.dumps(rec), flush=True)
        if f1 > best:
            best = f1
            best_state = {k: v.detach().clone().cpu() for k, v in model.state_dict().items()}

    model.load_state_dict(best_state)
    model.eval().cpu()
    bert.write_bert_folder(a.out, tj, shape=shape, task="sequence-classification", labels=labels, model=model,
                           lowercase=not a.cased)
    tok.write_json(os.path.join(a.out, "training.json"), {
        "command": " ".join(["/usr/bin/python3", "tools/train/train_classifier.py"] + sys.argv[1:]),
        "parameters": sum(p.numel() for p in model.parameters()), "train_rows": len(train), "val_rows": len(val),
        "best_val_macro_f1": round(best, 4), "config": vars(a), "log": log})
    print(f"exported {a.out}", flush=True)


if __name__ == "__main__":
    main()
