#!/usr/bin/env python3
"""Trains the default code-completion LM and exports it to models/code-lm.

    /usr/bin/python3 tools/train/train_lm.py --minutes 70 [--device cpu|cuda] [--out models/code-lm]

GPT-2 architecture, byte-level BPE with StarCoder-style fill-in-the-middle tokens. Fixed seeds.
The manifest of every corpus file (origin, licence, split) is written next to the model.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "export"))
sys.path.insert(0, HERE)
import corpus  # noqa: E402
import gpt2  # noqa: E402
import tokenizer as tok  # noqa: E402
from bpe_encode import BPEEncoder  # noqa: E402
from common import Shape  # noqa: E402

SPECIALS = ["<|endoftext|>", "<fim_prefix>", "<fim_middle>", "<fim_suffix>"]


def weights_from_onnx(folder, ctx):
    """A state dict from an exported graph: named tensors as they are; the unnamed MatMul weights
    come in layer order (c_attn, attn c_proj, c_fc, mlp c_proj; then the tied head) as [in, out]."""
    import onnx
    from onnx import numpy_helper
    inits = onnx.load(os.path.join(folder, "onnx", "model.onnx")).graph.initializer
    named = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in inits if not t.name.startswith("onnx::")}
    mats = [torch.from_numpy(numpy_helper.to_array(t).copy()) for t in inits if t.name.startswith("onnx::MatMul")]
    state = dict(named)
    layers = (len(mats) - 1) // 4
    for i in range(layers):
        for j, name in enumerate(("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")):
            state[f"h.{i}.{name}.weight"] = mats[4 * i + j].t().contiguous()
    wpe = state["wpe.weight"]
    if wpe.shape[0] != ctx:
        # Position interpolation: position p of the new table is learned position p * old/new.
        src = torch.linspace(0, wpe.shape[0] - 1, ctx)
        lo = src.floor().long()
        hi = torch.clamp(lo + 1, max=wpe.shape[0] - 1)
        w = (src - lo.float()).unsqueeze(1)
        state["wpe.weight"] = wpe[lo] * (1 - w) + wpe[hi] * w
    return state


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--minutes", type=float, default=70)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", default=os.path.join(ROOT, "models", "code-lm"))
    p.add_argument("--work", default="/tmp/onnx-assist-train")
    p.add_argument("--vocab-size", type=int, default=8192)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--embd", type=int, default=192)
    p.add_argument("--ctx", type=int, default=256)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--fim-rate", type=float, default=0.5)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--manifest", help="train on exactly the files of an earlier corpus-manifest.json")
    p.add_argument("--resume", help="continue from a checkpoint (.pt state dict) written by an earlier run; "
                   "use it with --manifest and --tokenizer of that run")
    p.add_argument("--tokenizer", help="reuse this tokenizer.json instead of training one (needed with --resume)")
    p.add_argument("--init-onnx", help="start from a model folder's onnx/model.onnx written by this script; a longer "
                   "--ctx gets its new positions by linear interpolation of the learned ones")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)
    os.makedirs(a.work, exist_ok=True)

    docs = corpus.from_manifest(ROOT, a.manifest) if a.manifest else corpus.collect(ROOT)
    train = [t for t, m in docs if m["split"] == "train"]
    val = [t for t, m in docs if m["split"] == "val"]
    langs = {}
    for _, m in docs:
        key = (m["lang"], m["split"])
        langs[key] = langs.get(key, 0) + m["bytes"]
    print("corpus bytes by (lang, split):", json.dumps({f"{k[0]}/{k[1]}": v for k, v in sorted(langs.items())}), flush=True)

    rng = random.Random(a.seed)
    sample = rng.sample(train, min(len(train), 3000))
    t0 = time.time()
    if a.tokenizer:
        tj = json.load(open(a.tokenizer, encoding="utf-8"))
    else:
        tj = tok.train_byte_bpe(sample[:1500], a.vocab_size, SPECIALS)
    print(f"tokenizer: {len(tj['model']['vocab'])} tokens in {time.time() - t0:.0f}s", flush=True)
    enc = BPEEncoder(tj)
    eos = tj["model"]["vocab"][SPECIALS[0]]

    def encode_all(texts):
        ids = []
        for t in texts:
            ids.extend(enc.encode(t))
            ids.append(eos)
        return np.array(ids, dtype=np.int32)

    t0 = time.time()
    rng.shuffle(train)
    train_ids = encode_all(train)
    val_ids = encode_all(val)
    print(f"tokens: train {len(train_ids):,} val {len(val_ids):,} ({time.time() - t0:.0f}s to encode)", flush=True)

    shape = Shape(layers=a.layers, heads=a.heads, hidden=a.embd, positions=a.ctx)
    cfg = gpt2.gpt2_config(len(tj["model"]["vocab"]), shape, eos)
    model = gpt2.GPT2LMHeadModel(cfg).to(a.device)
    with torch.no_grad():
        for name, prm in model.named_parameters():
            if prm.dim() >= 2:
                torch.nn.init.normal_(prm, std=0.02)
            elif "ln" in name and name.endswith("weight"):
                prm.fill_(1.0)
            else:
                prm.zero_()
    if a.init_onnx:
        model.load_state_dict(weights_from_onnx(a.init_onnx, a.ctx))
        print(f"initialised from {a.init_onnx} (context {a.ctx})", flush=True)
    if a.resume:
        model.load_state_dict(torch.load(a.resume, map_location=a.device))
        print(f"resumed from {a.resume}", flush=True)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params / 1e6:.2f}M parameters", flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "wpe" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "wpe" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95))
    fim = [tj["model"]["vocab"][s] for s in SPECIALS[1:]]  # prefix, middle, suffix

    def batch(ids, n):
        rows = []
        for _ in range(n):
            start = rng.randrange(0, len(ids) - a.ctx - 2)
            if rng.random() < a.fim_rate:
                w = ids[start:start + a.ctx + 1 - 4].tolist()
                i = rng.randrange(0, len(w))
                j = min(len(w), i + rng.randint(1, 48))
                row = [fim[0]] + w[:i] + [fim[2]] + w[j:] + [fim[1]] + w[i:j] + [eos]
            else:
                row = ids[start:start + a.ctx + 1].tolist()
            rows.append(row[:a.ctx + 1])
        return torch.tensor(rows, dtype=torch.long, device=a.device)

    def evaluate():
        model.eval()
        g = random.Random(0)
        losses = []
        with torch.no_grad():
            for _ in range(8):
                rows = []
                for _ in range(max(4, 4096 // a.ctx)):  # the same tokens per check at any context
                    s = g.randrange(0, len(val_ids) - a.ctx - 2)
                    rows.append(val_ids[s:s + a.ctx + 1].tolist())
                losses.append(model.loss(torch.tensor(rows, dtype=torch.long, device=a.device)).item())
        model.train()
        return sum(losses) / len(losses)

    budget = a.minutes * 60
    start, step, tokens, warmup = time.time(), 0, 0, 200
    log = []
    last_ckpt = start
    model.train()
    while True:
        elapsed = time.time() - start
        if elapsed > budget:
            break
        frac = elapsed / budget
        lr = a.lr * min(1.0, (step + 1) / warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr
        x = batch(train_ids, a.batch)
        loss = model.loss(x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        tokens += x.numel()
        if step % 50 == 0:
            vl = evaluate()
            rec = {"step": step, "minutes": round(elapsed / 60, 1), "tokens": tokens, "train_loss": round(loss.item(), 3),
                   "val_loss": round(vl, 3), "tok_per_s": round(tokens / elapsed)}
            log.append(rec)
            print(json.dumps(rec), flush=True)
        if time.time() - last_ckpt > 300:
            torch.save(model.state_dict(), os.path.join(a.work, "code-lm.pt"))
            last_ckpt = time.time()
    torch.save(model.state_dict(), os.path.join(a.work, "code-lm.pt"))

    model.eval().cpu()
    path = gpt2.write_gpt2_folder(a.out, tj, special_tokens=SPECIALS, shape=shape, model=model,
                                    generation={"eos_token_id": eos, "bos_token_id": eos, "max_new_tokens": 64,
                                                "do_sample": False})
    tok.write_json(os.path.join(a.out, "training.json"), {
        "command": " ".join(["/usr/bin/python3", "tools/train/train_lm.py"] + sys.argv[1:]),
        "parameters": n_params, "steps": step, "tokens_seen": tokens, "train_tokens": int(len(train_ids)),
        "minutes": round((time.time() - start) / 60, 1), "device": a.device, "threads": a.threads, "seed": a.seed,
        "config": vars(a), "log": log})
    tok.write_json(os.path.join(a.out, "corpus-manifest.json"), [m for _, m in docs])
    print(f"exported {path}", flush=True)


if __name__ == "__main__":
    main()
