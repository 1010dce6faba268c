"""Llama and Qwen2: RMSNorm, rotary positions, grouped-query attention, in PyTorch with Hugging
Face names, exported with a KV cache in the Optimum layout."""
import math

import torch
from torch import nn

import tokenizer as tok
from common import NEG_INF, export_decoder, init_random, shape_of, write_decoder_files
from gpt2 import GPT2LMHeadModel


class LlamaRMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class LlamaAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        e = cfg["hidden_size"]
        self.heads = cfg["num_attention_heads"]
        self.kv_heads = cfg["num_key_value_heads"]
        self.head_dim = cfg.get("head_dim") or e // self.heads
        bias = cfg.get("attention_bias", False) or cfg["model_type"] == "qwen2"  # Qwen2: q, k, v have biases
        self.q_proj = nn.Linear(e, self.heads * self.head_dim, bias=bias)
        self.k_proj = nn.Linear(e, self.kv_heads * self.head_dim, bias=bias)
        self.v_proj = nn.Linear(e, self.kv_heads * self.head_dim, bias=bias)
        self.o_proj = nn.Linear(self.heads * self.head_dim, e, bias=False)

    def forward(self, x, bias, cos, sin, past_k, past_v):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        rep = self.heads // self.kv_heads
        # Each kv head serves `rep` query heads in a row (HF repeat_kv); expand + reshape exports
        # cleanly with dynamic lengths, where repeat_interleave does not in this torch.
        kk = k.unsqueeze(2).expand(-1, -1, rep, -1, -1).reshape(b, self.heads, -1, self.head_dim)
        vv = v.unsqueeze(2).expand(-1, -1, rep, -1, -1).reshape(b, self.heads, -1, self.head_dim)
        att = (q @ kk.transpose(-1, -2)) / math.sqrt(self.head_dim) + bias
        y = (att.softmax(dim=-1) @ vv).transpose(1, 2).reshape(b, s, self.heads * self.head_dim)
        return self.o_proj(y), k, v


class LlamaMLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        e, i = cfg["hidden_size"], cfg["intermediate_size"]
        self.gate_proj = nn.Linear(e, i, bias=False)
        self.up_proj = nn.Linear(e, i, bias=False)
        self.down_proj = nn.Linear(i, e, bias=False)

    def forward(self, x):
        return self.down_proj(nn.functional.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.input_layernorm = LlamaRMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])
        self.self_attn = LlamaAttention(cfg)
        self.post_attention_layernorm = LlamaRMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])
        self.mlp = LlamaMLP(cfg)

    def forward(self, x, bias, cos, sin, past_k, past_v):
        a, k, v = self.self_attn(self.input_layernorm(x), bias, cos, sin, past_k, past_v)
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), k, v


class LlamaForCausalLM(nn.Module):
    """KV cache in the Optimum layout: past_key_values.{i}.key|value [b, kv_heads, past, head_dim]."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        e = cfg["hidden_size"]
        self.head_dim = cfg.get("head_dim") or e // cfg["num_attention_heads"]
        self.embed_tokens = nn.Embedding(cfg["vocab_size"], e)
        self.layers = nn.ModuleList(LlamaDecoderLayer(cfg) for _ in range(cfg["num_hidden_layers"]))
        self.norm = LlamaRMSNorm(e, cfg["rms_norm_eps"])
        self.lm_head = nn.Linear(e, cfg["vocab_size"], bias=False)
        if cfg.get("tie_word_embeddings"):
            self.lm_head.weight = self.embed_tokens.weight  # Qwen2.5 0.5B-1.5B: one matrix for both
        inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32) / self.head_dim))
        self.register_buffer("inv_freq", inv, persistent=False)

    def forward(self, input_ids, attention_mask, position_ids, *past):
        x = self.embed_tokens(input_ids)
        freqs = position_ids.float().unsqueeze(-1) * self.inv_freq  # [b, s, d/2]
        emb = torch.cat((freqs, freqs), dim=-1).unsqueeze(1)  # [b, 1, s, d]
        cos, sin = emb.cos(), emb.sin()
        bias = GPT2LMHeadModel.attention_bias(None, attention_mask, input_ids.shape[1])
        presents = []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, bias, cos, sin, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        return (self.lm_head(self.norm(x)), *presents)


# --- GPT-BigCode (StarCoder): multi-query attention, one fused key_value cache per layer ---


CHATML = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def llama_config(model_type, vocab_size, shape, eos_id, head_dim=None, intermediate=None, rope_theta=10000.0, tie=False):
    layers, heads, kv_heads, hidden, positions = shape.layers, shape.heads, shape.kv_heads, shape.hidden, shape.positions
    cfg = {
        "architectures": ["Qwen2ForCausalLM" if model_type == "qwen2" else "LlamaForCausalLM"], "model_type": model_type,
        "vocab_size": vocab_size, "hidden_size": hidden, "intermediate_size": intermediate or hidden * 3, "num_hidden_layers": layers,
        "num_attention_heads": heads, "num_key_value_heads": kv_heads, "max_position_embeddings": positions,
        "rms_norm_eps": 1e-6, "rope_theta": rope_theta, "hidden_act": "silu", "tie_word_embeddings": tie,
        "bos_token_id": eos_id, "eos_token_id": eos_id, "use_cache": True, "attention_bias": model_type == "qwen2",
        "transformers_version": "4.46.0",
    }
    if head_dim:
        cfg["head_dim"] = head_dim
    return cfg


def write_llama_folder(model_type, out, tokenizer_json, *, special_tokens, shape, seed=0, init_std=0.02,
                       intermediate=None, rope_theta=10000.0, tie=False):
    """Llama / Qwen2: grouped-query attention (shape.kv_heads), rotary positions; Qwen2 adds q/k/v biases
    and an instruct-style ChatML template, so chat prompts can be tested. A graph over 2 GB (a 0.5B
    fp32 model) is written by torch with its weights as external data files beside model.onnx."""
    vocab_size = len(tokenizer_json["model"]["vocab"])
    torch.manual_seed(seed)
    cfg = llama_config(model_type, vocab_size, shape, 0, intermediate=intermediate, rope_theta=rope_theta, tie=tie)
    model = LlamaForCausalLM(cfg)
    d = shape.hidden // shape.heads
    shapes = [(1, shape.kv_heads, 2, d) for _ in range(2 * shape.layers)]
    names = [f"past_key_values.{i}.{kv}" for i in range(shape.layers) for kv in ("key", "value")]
    presents = [f"present.{i}.{kv}" for i in range(shape.layers) for kv in ("key", "value")]
    init_random(model, seed, init_std)
    tc = tok.gpt2_tokenizer_config(shape.positions, special_tokens)
    if model_type == "qwen2":
        tc["chat_template"] = CHATML
    write_decoder_files(out, cfg, tokenizer_json, tc)
    return export_decoder(model, out, shapes, names, presents)


def build(a, texts):
    specials = a.special_tokens.split(",")
    tj = tok.train_byte_bpe(texts, a.vocab_size, specials)
    tok.pad_vocab(tj, a.pad_vocab)
    return write_llama_folder(a.arch, a.out, tj, special_tokens=specials, shape=shape_of(a), seed=a.seed, init_std=a.init_std,
                              intermediate=a.intermediate, rope_theta=a.rope_theta, tie=a.tie_embeddings)
