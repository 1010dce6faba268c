"""GPT-2: the PyTorch model (module and parameter names as Hugging Face transformers, so a
converted state dict loads unchanged) and its export with a KV cache in the Optimum layout, optionally
as a legacy merged decoder (use_cache_branch) with num_logits_to_keep."""
import math
import os

import torch
from torch import nn
import onnx
from onnx import TensorProto, helper

import tokenizer as tok
from common import NEG_INF, OPSET, init_random, shape_of


class GPT2Attention(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.n_head = n_head
        self.head_dim = n_embd // n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x, bias, past_k, past_v):
        b, s, e = x.shape
        q, k, v = self.c_attn(x).split(e, dim=2)
        q = q.view(b, s, self.n_head, self.head_dim).transpose(1, 2)
        k = k.view(b, s, self.n_head, self.head_dim).transpose(1, 2)
        v = v.view(b, s, self.n_head, self.head_dim).transpose(1, 2)
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(self.head_dim) + bias
        y = att.softmax(dim=-1) @ v
        y = y.transpose(1, 2).reshape(b, s, e)
        return self.c_proj(y), k, v


class GPT2MLP(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd)
        self.c_proj = nn.Linear(4 * n_embd, n_embd)

    def forward(self, x):
        # gelu_new (tanh approximation), as GPT-2 uses
        return self.c_proj(nn.functional.gelu(self.c_fc(x), approximate="tanh"))


class GPT2Block(nn.Module):
    def __init__(self, n_embd, n_head, eps):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd, eps=eps)
        self.attn = GPT2Attention(n_embd, n_head)
        self.ln_2 = nn.LayerNorm(n_embd, eps=eps)
        self.mlp = GPT2MLP(n_embd)

    def forward(self, x, bias, past_k, past_v):
        a, k, v = self.attn(self.ln_1(x), bias, past_k, past_v)
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, k, v


class GPT2LMHeadModel(nn.Module):
    """GPT-2 with a KV cache in the Optimum layout: past_key_values.{i}.key|value [b, h, past, d]."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        e = cfg["n_embd"]
        self.wte = nn.Embedding(cfg["vocab_size"], e)
        self.wpe = nn.Embedding(cfg["n_positions"], e)
        self.h = nn.ModuleList(
            GPT2Block(e, cfg["n_head"], cfg.get("layer_norm_epsilon", 1e-5)) for _ in range(cfg["n_layer"])
        )
        self.ln_f = nn.LayerNorm(e, eps=cfg.get("layer_norm_epsilon", 1e-5))

    def attention_bias(self, attention_mask, seq_len):
        total = attention_mask.shape[1]
        past = total - seq_len
        q_pos = torch.arange(seq_len, device=attention_mask.device).unsqueeze(1) + past
        k_pos = torch.arange(total, device=attention_mask.device).unsqueeze(0)
        allowed = (k_pos <= q_pos).unsqueeze(0).unsqueeze(0) & attention_mask.bool().unsqueeze(1).unsqueeze(2)
        return torch.where(allowed, torch.zeros((), dtype=torch.float32), torch.full((), NEG_INF))

    def forward(self, input_ids, attention_mask, position_ids, *past):
        x = self.wte(input_ids) + self.wpe(position_ids)
        bias = self.attention_bias(attention_mask, input_ids.shape[1])
        presents = []
        for i, block in enumerate(self.h):
            x, k, v = block(x, bias, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        logits = self.ln_f(x) @ self.wte.weight.t()  # tied LM head, as GPT-2
        return (logits, *presents)

    def loss(self, ids):
        """Next-token loss on a [b, s+1] batch (inputs ids[:, :-1], targets ids[:, 1:]), no cache."""
        x, y = ids[:, :-1], ids[:, 1:]
        b, s = x.shape
        mask = torch.ones_like(x)
        pos = torch.arange(s, device=x.device).unsqueeze(0).expand(b, s)
        empty = torch.zeros(b, self.cfg["n_head"], 0, self.cfg["n_embd"] // self.cfg["n_head"], device=x.device)
        logits = self.forward(x, mask, pos, *([empty] * (2 * self.cfg["n_layer"])))[0]
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def gpt2_config(vocab_size, shape, eos_id):
    n_layer, n_head, n_embd, n_positions = shape.layers, shape.heads, shape.hidden, shape.positions
    return {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": vocab_size,
        "n_positions": n_positions, "n_ctx": n_positions, "n_embd": n_embd, "n_layer": n_layer,
        "n_head": n_head, "n_inner": None, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5,
        "bos_token_id": eos_id, "eos_token_id": eos_id, "tie_word_embeddings": True, "use_cache": True,
        "transformers_version": "4.46.0",
    }


def export_gpt2(model, cfg, out, legacy_merged=False, logits_to_keep=False):
    """Exports with a KV cache; every axis that varies between decode steps is dynamic."""
    model.eval()
    L, H, D = cfg["n_layer"], cfg["n_head"], cfg["n_embd"] // cfg["n_head"]
    b, s, past = 1, 3, 2
    ids = torch.zeros(b, s, dtype=torch.long)
    mask = torch.ones(b, past + s, dtype=torch.long)
    pos = torch.arange(past, past + s).unsqueeze(0)
    pasts = [torch.zeros(b, H, past, D) for _ in range(2 * L)]
    past_names = [f"past_key_values.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
    present_names = [f"present.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    axes.update({n: {0: "batch_size", 2: "past_sequence_length"} for n in past_names})
    axes.update({n: {0: "batch_size", 2: "total_sequence_length"} for n in present_names})
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    name = "decoder_model_merged.onnx" if legacy_merged else "model.onnx"
    path = os.path.join(out, "onnx", name)
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask, pos, *pasts), path, input_names=["input_ids", "attention_mask",
                          "position_ids", *past_names], output_names=["logits", *present_names],
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
    if legacy_merged or logits_to_keep:
        graph_extras(path, legacy_merged, logits_to_keep)
    return path


def graph_extras(path, legacy_merged, logits_to_keep):
    """Adds the optional inputs some real exports have, as real graph logic:
    use_cache_branch (legacy merged decoders: an If node choosing the branch) and
    num_logits_to_keep (slices the logits to the last k positions)."""
    m = onnx.load(path)
    g = m.graph
    logits = next(o for o in g.output if o.name == "logits")
    for n in g.node:
        n.output[:] = ["logits_full" if o == "logits" else o for o in n.output]
    current = "logits_full"
    if logits_to_keep:
        g.input.append(helper.make_tensor_value_info("num_logits_to_keep", TensorProto.INT64, []))
        g.initializer.extend([helper.make_tensor("ltk_end", TensorProto.INT64, [1], [2**62]),
                              helper.make_tensor("ltk_axis", TensorProto.INT64, [1], [1])])
        g.node.extend([helper.make_node("Neg", ["num_logits_to_keep"], ["ltk_neg"]),
                       helper.make_node("Unsqueeze", ["ltk_neg", "ltk_axis0"], ["ltk_start"]),
                       helper.make_node("Slice", [current, "ltk_start", "ltk_end", "ltk_axis"], ["logits_kept"])])
        g.initializer.append(helper.make_tensor("ltk_axis0", TensorProto.INT64, [1], [0]))
        current = "logits_kept"
    if legacy_merged:
        g.input.append(helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1]))
        out_info = helper.make_tensor_value_info("branch_out", TensorProto.FLOAT, None)
        with_past = helper.make_graph([helper.make_node("Identity", [current], ["branch_out"])], "with_past", [], [out_info])
        no_past = helper.make_graph([helper.make_node("Identity", [current], ["branch_out"])], "no_past", [], [out_info])
        g.node.extend([helper.make_node("Squeeze", ["use_cache_branch"], ["ucb_scalar"]),
                       helper.make_node("If", ["ucb_scalar"], ["logits_branch"], then_branch=with_past, else_branch=no_past)])
        current = "logits_branch"
    g.node.append(helper.make_node("Identity", [current], ["logits"]))
    logits.type.tensor_type.shape.dim[1].dim_param = "logits_length"
    onnx.checker.check_model(m)
    onnx.save(m, path)


def write_gpt2_folder(out, tokenizer_json, *, special_tokens, shape, model=None, seed=0, init_std=0.02,
                      legacy_merged=False, logits_to_keep=False, generation=None):
    vocab_size = len(tokenizer_json["model"]["vocab"])
    n_positions = shape.positions
    cfg = gpt2_config(vocab_size, shape, 0)
    if model is None:
        torch.manual_seed(seed)
        model = GPT2LMHeadModel(cfg)
        init_random(model, seed, init_std)
    os.makedirs(out, exist_ok=True)
    tok.write_json(os.path.join(out, "config.json"), cfg)
    tok.write_json(os.path.join(out, "generation_config.json"),
                   dict({"bos_token_id": 0, "eos_token_id": 0, "max_new_tokens": 32}, **(generation or {})))
    tok.write_json(os.path.join(out, "tokenizer.json"), tokenizer_json)
    tok.write_json(os.path.join(out, "tokenizer_config.json"), tok.gpt2_tokenizer_config(n_positions, special_tokens))
    return export_gpt2(model, cfg, out, legacy_merged, logits_to_keep)


def build(a, texts):
    """The command line's gpt2: byte-level BPE, random or --weights, optional legacy-merged graph extras."""
    specials = a.special_tokens.split(",")
    tj = tok.train_byte_bpe(texts, a.vocab_size, specials)
    tok.pad_vocab(tj, a.pad_vocab)
    shape = shape_of(a)
    model = None
    if a.weights:
        model = GPT2LMHeadModel(gpt2_config(len(tj["model"]["vocab"]), shape, 0))
        model.load_state_dict(torch.load(a.weights))
    return write_gpt2_folder(a.out, tj, special_tokens=specials, shape=shape, model=model, seed=a.seed, init_std=a.init_std,
                             legacy_merged=a.legacy_merged, logits_to_keep=a.logits_to_keep)
