"""GPT-BigCode (StarCoder): multi-query attention and a fused key_value cache, in PyTorch with
Hugging Face names, exported in the Optimum layout."""
import math

import torch
from torch import nn

import tokenizer as tok
from common import NEG_INF, export_decoder, init_random, shape_of, write_decoder_files
from gpt2 import GPT2LMHeadModel, GPT2MLP


class GPTBigCodeAttention(nn.Module):
    def __init__(self, e, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = e // heads
        self.c_attn = nn.Linear(e, e + 2 * self.head_dim)
        self.c_proj = nn.Linear(e, e)

    def forward(self, x, bias, past_kv):
        b, s, e = x.shape
        q, kv = self.c_attn(x).split((e, 2 * self.head_dim), dim=2)
        kv = torch.cat([past_kv, kv], dim=1)  # [b, total, 2 * head_dim]
        k, v = kv.split(self.head_dim, dim=2)
        q = q.view(b, s, self.heads, self.head_dim).transpose(1, 2)  # [b, h, s, d]
        att = (q @ k.unsqueeze(1).transpose(-1, -2)) / math.sqrt(self.head_dim) + bias
        y = (att.softmax(dim=-1) @ v.unsqueeze(1)).transpose(1, 2).reshape(b, s, e)
        return self.c_proj(y), kv


class GPTBigCodeBlock(nn.Module):
    def __init__(self, e, heads, eps):
        super().__init__()
        self.ln_1 = nn.LayerNorm(e, eps=eps)
        self.attn = GPTBigCodeAttention(e, heads)
        self.ln_2 = nn.LayerNorm(e, eps=eps)
        self.mlp = GPT2MLP(e)

    def forward(self, x, bias, past_kv):
        a, kv = self.attn(self.ln_1(x), bias, past_kv)
        x = x + a
        return x + self.mlp(self.ln_2(x)), kv


class GPTBigCodeForCausalLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        e = cfg["n_embd"]
        self.wte = nn.Embedding(cfg["vocab_size"], e)
        self.wpe = nn.Embedding(cfg["n_positions"], e)
        self.h = nn.ModuleList(GPTBigCodeBlock(e, cfg["n_head"], cfg["layer_norm_epsilon"]) for _ in range(cfg["n_layer"]))
        self.ln_f = nn.LayerNorm(e, eps=cfg["layer_norm_epsilon"])

    def forward(self, input_ids, attention_mask, position_ids, *past):
        x = self.wte(input_ids) + self.wpe(position_ids)
        bias = GPT2LMHeadModel.attention_bias(None, attention_mask, input_ids.shape[1])
        presents = []
        for i, block in enumerate(self.h):
            x, kv = block(x, bias, past[i])
            presents.append(kv)
        return (self.ln_f(x) @ self.wte.weight.t(), *presents)


# --- DistilBERT: no token types, BERT-style post-norm blocks, pre_classifier + ReLU head ---


def bigcode_config(vocab_size, shape, eos_id):
    layers, heads, hidden, positions = shape.layers, shape.heads, shape.hidden, shape.positions
    return {
        "architectures": ["GPTBigCodeForCausalLM"], "model_type": "gpt_bigcode", "vocab_size": vocab_size,
        "n_positions": positions, "n_embd": hidden, "n_layer": layers, "n_head": heads, "n_inner": None,
        "multi_query": True, "activation_function": "gelu_pytorch_tanh", "layer_norm_epsilon": 1e-5,
        "bos_token_id": eos_id, "eos_token_id": eos_id, "use_cache": True, "transformers_version": "4.46.0",
    }


def write_bigcode_folder(out, tokenizer_json, *, special_tokens, shape, seed=0, init_std=0.02):
    """GPT-BigCode (StarCoder): multi-query attention with one fused past_key_values.{i}.key_value."""
    vocab_size = len(tokenizer_json["model"]["vocab"])
    torch.manual_seed(seed)
    cfg = bigcode_config(vocab_size, shape, 0)
    model = GPTBigCodeForCausalLM(cfg)
    d = shape.hidden // shape.heads
    shapes = [(1, 2, 2 * d) for _ in range(shape.layers)]
    names = [f"past_key_values.{i}.key_value" for i in range(shape.layers)]
    presents = [f"present.{i}.key_value" for i in range(shape.layers)]
    init_random(model, seed, init_std)
    write_decoder_files(out, cfg, tokenizer_json, tok.gpt2_tokenizer_config(shape.positions, special_tokens))
    return export_decoder(model, out, shapes, names, presents)


def build(a, texts):
    specials = a.special_tokens.split(",")
    tj = tok.train_byte_bpe(texts, a.vocab_size, specials)
    return write_bigcode_folder(a.out, tj, special_tokens=specials, shape=shape_of(a), seed=a.seed, init_std=a.init_std)
