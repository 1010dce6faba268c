#!/usr/bin/env python3
"""Trains a small BERT-architecture sentence encoder by contrastive learning on text pairs and
exports it in the Hugging Face / transformers.js feature-extraction layout.

    /usr/bin/python3 tools/train/encoder_corpus.py --out /tmp/enc/pairs.jsonl --tasks tools/eval/encoder-tasks.jsonl
    npm run build --silent   # encode.mjs tokenizes with the product's own tokenizer (out/src)
    nice -n 10 /usr/bin/python3 tools/train/train_encoder.py --data /tmp/enc/pairs.jsonl --out models/sentence-encoder \
        --ckpt /tmp/enc/ckpt.pt --threads 1
    /usr/bin/python3 tools/export/quantize.py models/sentence-encoder

Loss: symmetric InfoNCE with in-batch negatives over mean-pooled, L2-normalised embeddings (the
pooling the host uses: the mean over every token under the attention mask, [CLS] and [SEP]
included), cosines scaled by 20 (protocol/similarity.ts's SIMILARITY_SHARPNESS, so zero-shot
scores are calibrated as trained). Pairs whose texts repeat in a batch are not counted as
negatives of each other. Each side loses 10% of its word pieces at random (augmentation; the BERT
blocks here have no dropout). --ckpt saves every 200 steps; --resume continues from it (same
--steps, so the learning-rate schedule is the same); --export-only writes the checkpoint as a
model folder.
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

SCALE = 20.0


def mean_pool(hidden, mask):
    m = mask.unsqueeze(-1).float()
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)


def embed(model, ids, mask):
    return torch.nn.functional.normalize(mean_pool(model(ids, mask, torch.zeros_like(ids)), mask), dim=-1)


def pad(seqs, device):
    L = max(len(s) for s in seqs)
    ids = torch.tensor([s + [0] * (L - len(s)) for s in seqs], device=device)
    mask = torch.tensor([[1] * len(s) + [0] * (L - len(s)) for s in seqs], device=device)
    return ids, mask


def drop_tokens(seq, p, rng):
    """Drops word pieces (never [CLS]/[SEP]) with probability p, keeping at least one."""
    if len(seq) <= 3 or p <= 0:
        return seq
    mid = [t for t in seq[1:-1] if rng.random() >= p] or seq[1:2]
    return [seq[0]] + mid + [seq[-1]]


def encode(out_dir, texts, work, name, max_len):
    src, dst = os.path.join(work, f"{name}.jsonl"), os.path.join(work, f"{name}.ids")
    with open(src, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    subprocess.run(["node", os.path.join(HERE, "encode.mjs"), out_dir, src, dst, str(max_len)], check=True)
    return [json.loads(l) for l in open(dst)]


def retrieval_accuracy(model, A, B, chunk=250):
    """Top-1: how often each a finds its own b among `chunk` candidates (and back), as a fraction."""
    model.eval()
    hits = total = 0
    with torch.no_grad():
        for i in range(0, len(A) - chunk + 1, chunk):
            ea = embed(model, *pad(A[i:i + chunk], "cpu"))
            eb = embed(model, *pad(B[i:i + chunk], "cpu"))
            s = ea @ eb.T
            gold = torch.arange(s.shape[0])
            hits += int((s.argmax(1) == gold).sum()) + int((s.argmax(0) == gold).sum())
            total += 2 * s.shape[0]
    model.train()
    return hits / max(1, total)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="pairs JSONL from encoder_corpus.py")
    p.add_argument("--out", required=True)
    p.add_argument("--ckpt", help="checkpoint file (saved every 200 steps)")
    p.add_argument("--resume", action="store_true", help="continue from --ckpt (same --work folder)")
    p.add_argument("--export-only", action="store_true", help="export --ckpt as it is to --out (no training)")
    p.add_argument("--work", default="/tmp/enc/work", help="tokenizer and token ids (made once, reused while present)")
    p.add_argument("--vocab-size", type=int, default=8000)
    p.add_argument("--tokenizer-texts", type=int, default=60000)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--max-len", type=int, default=128)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--token-drop", type=float, default=0.1)
    p.add_argument("--val-pairs", type=int, default=1000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="cpu")
    p.add_argument("--seed", type=int, default=1234)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    rng = random.Random(a.seed)
    torch.manual_seed(a.seed)
    t_start = time.time()

    pairs = [json.loads(l) for l in open(a.data, encoding="utf-8") if l.strip()]
    val, train = pairs[:a.val_pairs], pairs[a.val_pairs:]
    os.makedirs(a.work, exist_ok=True)
    tok_dir = os.path.join(a.work, "tok")
    if not os.path.exists(os.path.join(tok_dir, "tokenizer.json")):  # trained once per --work folder
        texts = [q["a"] for q in train] + [q["b"] for q in train]
        rng.shuffle(texts)
        t0 = time.time()
        tj = tok.train_wordpiece(texts[:a.tokenizer_texts], a.vocab_size, lowercase=True)
        os.makedirs(tok_dir, exist_ok=True)
        tok.write_json(os.path.join(tok_dir, "tokenizer.json"), tj)
        tok.write_json(os.path.join(tok_dir, "tokenizer_config.json"), tok.bert_tokenizer_config(a.max_len, True))
        print(f"wordpiece: {len(tj['model']['vocab'])} tokens in {time.time() - t0:.0f}s", flush=True)
    if not os.path.exists(os.path.join(a.work, "val_b.ids")):  # token ids made once per --work folder
        for name, part in (("train", train), ("val", val)):
            for side in ("a", "b"):
                encode(tok_dir, [q[side] for q in part], a.work, f"{name}_{side}", a.max_len)
    tj = json.load(open(os.path.join(tok_dir, "tokenizer.json"), encoding="utf-8"))
    load = lambda n: [json.loads(l) for l in open(os.path.join(a.work, f"{n}.ids"))]
    TA, TB, VA, VB = load("train_a"), load("train_b"), load("val_a"), load("val_b")
    ka = [q["a"].lower() for q in train]
    kb = [q["b"].lower() for q in train]
    print(f"pairs: train {len(TA)} val {len(VA)}", flush=True)

    shape = Shape(layers=a.layers, heads=a.heads, hidden=a.hidden, positions=a.max_len)
    cfg = bert.bert_config(len(tj["model"]["vocab"]), shape, [], "feature-extraction")
    model = bert.BertFeatureExtractor(cfg).to(a.device)
    with torch.no_grad():
        for name, prm in model.named_parameters():
            if prm.dim() >= 2:
                torch.nn.init.normal_(prm, std=0.02)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    step, log, seconds = 0, [], 0.0
    if a.resume or a.export_only:
        ck = torch.load(a.ckpt)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, log, seconds = ck["step"], ck["log"], ck["seconds"]
        rng.setstate(ck["rng"])
        print(f"resumed at step {step}", flush=True)

    def batches():
        """Endless: chunks of 50 batches, sorted by length inside a chunk (little padding), shuffled."""
        while True:
            order = list(range(len(TA)))
            rng.shuffle(order)
            span = a.batch * 50
            for c in range(0, len(order), span):
                chunk = sorted(order[c:c + span], key=lambda i: len(TA[i]) + len(TB[i]))
                bs = [chunk[i:i + a.batch] for i in range(0, len(chunk), a.batch)]
                rng.shuffle(bs)
                yield from (b for b in bs if len(b) > 1)

    gen = batches()
    model.train()
    t = time.time()
    losses = []
    if a.export_only:
        a.steps = step
    val0 = retrieval_accuracy(model, VA, VB) if step == 0 else None
    if val0 is not None:
        print(json.dumps({"step": 0, "val_retrieval_top1": round(val0, 4)}), flush=True)
    while step < a.steps:
        idx = next(gen)
        ia, ma = pad([drop_tokens(TA[i], a.token_drop, rng) for i in idx], a.device)
        ib, mb = pad([drop_tokens(TB[i], a.token_drop, rng) for i in idx], a.device)
        lr = a.lr * min(1.0, (step + 1) / 100) * max(0.02, 1 - step / a.steps)
        for g in opt.param_groups:
            g["lr"] = lr
        ea, eb = embed(model, ia, ma), embed(model, ib, mb)
        s = SCALE * ea @ eb.T
        # Repeated texts in the batch are not negatives of each other.
        same = torch.tensor([[i != j and (ka[x] == ka[y] or kb[x] == kb[y]) for j, y in enumerate(idx)] for i, x in enumerate(idx)],
                            device=a.device)
        s = s.masked_fill(same, -1e4)
        gold = torch.arange(len(idx), device=a.device)
        loss = (torch.nn.functional.cross_entropy(s, gold) + torch.nn.functional.cross_entropy(s.T, gold)) / 2
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        step += 1
        if step % 50 == 0:
            print(json.dumps({"step": step, "loss": round(sum(losses[-50:]) / 50, 4), "lr": round(lr, 6),
                              "s_per_step": round((time.time() - t) / 50, 2)}), flush=True)
            seconds += time.time() - t
            t = time.time()
        if step % 500 == 0 or step == a.steps:
            acc = retrieval_accuracy(model, VA, VB)
            rec = {"step": step, "loss": round(sum(losses[-100:]) / max(1, len(losses[-100:])), 4),
                   "val_retrieval_top1": round(acc, 4), "train_seconds": round(seconds + time.time() - t)}
            log.append(rec)
            print(json.dumps(rec), flush=True)
        if a.ckpt and (step % 200 == 0 or step == a.steps):
            seconds += time.time() - t
            t = time.time()
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "log": log, "seconds": seconds,
                        "rng": rng.getstate()}, a.ckpt)

    model.eval().cpu()
    bert.write_bert_folder(a.out, tj, shape=shape, task="feature-extraction", labels=[], model=model, lowercase=True)
    sources = a.data + ".sources.json"
    tok.write_json(os.path.join(a.out, "training.json"), {
        "command": " ".join(["/usr/bin/python3", "tools/train/train_encoder.py"] + sys.argv[1:]),
        "parameters": sum(p.numel() for p in model.parameters()), "train_pairs": len(TA), "val_pairs": len(VA),
        "pooling": "mean over the attention mask, L2-normalised", "loss": f"symmetric InfoNCE, in-batch negatives, scale {SCALE}",
        "val_retrieval_top1_at_start": val0, "wall_seconds": round(time.time() - t_start),
        "data": json.load(open(sources)) if os.path.exists(sources) else None, "config": vars(a), "log": log})
    print(f"exported {a.out}", flush=True)


if __name__ == "__main__":
    main()
