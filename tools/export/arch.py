"""Faithful PyTorch implementations of the architectures the project exports.

Module and parameter names follow Hugging Face transformers so that a state dict saved
by transformers (converted to plain tensors) loads here unchanged.
"""
import math

import torch
from torch import nn

NEG_INF = -1e9  # finite, so a fully masked (padding) row never turns into NaN


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


class BertEmbeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden_size"]
        self.word_embeddings = nn.Embedding(cfg["vocab_size"], h)
        self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], h)
        self.token_type_embeddings = nn.Embedding(cfg["type_vocab_size"], h)
        self.LayerNorm = nn.LayerNorm(h, eps=cfg["layer_norm_eps"])

    def forward(self, input_ids, token_type_ids):
        pos = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.word_embeddings(input_ids) + self.position_embeddings(pos) + self.token_type_embeddings(token_type_ids)
        return self.LayerNorm(x)


class BertSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden_size"]
        self.n_head = cfg["num_attention_heads"]
        self.head_dim = h // self.n_head
        self.query = nn.Linear(h, h)
        self.key = nn.Linear(h, h)
        self.value = nn.Linear(h, h)

    def forward(self, x, bias):
        b, s, h = x.shape
        split = lambda t: t.view(b, s, self.n_head, self.head_dim).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        att = (q @ k.transpose(-1, -2)) / math.sqrt(self.head_dim) + bias
        return (att.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, s, h)


class BertDenseNorm(nn.Module):
    def __init__(self, d_in, d_out, eps):
        super().__init__()
        self.dense = nn.Linear(d_in, d_out)
        self.LayerNorm = nn.LayerNorm(d_out, eps=eps)

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class BertAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self = BertSelfAttention(cfg)
        self.output = BertDenseNorm(cfg["hidden_size"], cfg["hidden_size"], cfg["layer_norm_eps"])

    def forward(self, x, bias):
        return self.output(self.self(x, bias), x)


class BertIntermediate(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg["hidden_size"], cfg["intermediate_size"])

    def forward(self, x):
        return nn.functional.gelu(self.dense(x))


class BertLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention = BertAttention(cfg)
        self.intermediate = BertIntermediate(cfg)
        self.output = BertDenseNorm(cfg["intermediate_size"], cfg["hidden_size"], cfg["layer_norm_eps"])

    def forward(self, x, bias):
        x = self.attention(x, bias)
        return self.output(self.intermediate(x), x)


class BertEncoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList(BertLayer(cfg) for _ in range(cfg["num_hidden_layers"]))

    def forward(self, x, bias):
        for layer in self.layer:
            x = layer(x, bias)
        return x


class BertPooler(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg["hidden_size"], cfg["hidden_size"])

    def forward(self, x):
        return torch.tanh(self.dense(x[:, 0]))


class BertModel(nn.Module):
    def __init__(self, cfg, pooler=True):
        super().__init__()
        self.embeddings = BertEmbeddings(cfg)
        self.encoder = BertEncoder(cfg)
        self.pooler = BertPooler(cfg) if pooler else None

    def forward(self, input_ids, attention_mask, token_type_ids):
        bias = (1.0 - attention_mask[:, None, None, :].float()) * NEG_INF
        return self.encoder(self.embeddings(input_ids, token_type_ids), bias)


class BertForSequenceClassification(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.bert = BertModel(cfg)
        self.dropout = nn.Dropout(cfg.get("hidden_dropout_prob", 0.1))
        self.classifier = nn.Linear(cfg["hidden_size"], len(cfg["id2label"]))

    def forward(self, input_ids, attention_mask, token_type_ids):
        hidden = self.bert(input_ids, attention_mask, token_type_ids)
        return self.classifier(self.dropout(self.bert.pooler(hidden)))


class BertFeatureExtractor(nn.Module):
    """BertModel whose ONNX output is last_hidden_state, as Optimum's feature-extraction export."""

    def __init__(self, cfg):
        super().__init__()
        self.bert = BertModel(cfg, pooler=False)

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.bert(input_ids, attention_mask, token_type_ids)


# --- Llama family (Llama, Qwen2, SmolLM): RMSNorm, rotary embeddings, grouped-query attention ---

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

class DistilBertEmbeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden_size"]
        self.word_embeddings = nn.Embedding(cfg["vocab_size"], h)
        self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], h)
        self.LayerNorm = nn.LayerNorm(h, eps=1e-12)

    def forward(self, input_ids):
        pos = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        return self.LayerNorm(self.word_embeddings(input_ids) + self.position_embeddings(pos))


class DistilBertForSequenceClassification(nn.Module):
    """Inputs input_ids and attention_mask only (no token_type_ids), as DistilBERT exports have."""

    def __init__(self, cfg):
        super().__init__()
        self.embeddings = DistilBertEmbeddings(cfg)
        self.encoder = BertEncoder(cfg)  # the same attention / FFN / post-LayerNorm block math
        self.pre_classifier = nn.Linear(cfg["hidden_size"], cfg["hidden_size"])
        self.classifier = nn.Linear(cfg["hidden_size"], len(cfg["id2label"]))

    def forward(self, input_ids, attention_mask):
        bias = (1.0 - attention_mask[:, None, None, :].float()) * NEG_INF
        hidden = self.encoder(self.embeddings(input_ids), bias)
        return self.classifier(torch.relu(self.pre_classifier(hidden[:, 0])))


# --- RoBERTa: positions count from padding_idx + 1 over non-padding tokens; tanh head on <s> ---

class RobertaEmbeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden_size"]
        self.padding_idx = cfg["pad_token_id"]
        self.word_embeddings = nn.Embedding(cfg["vocab_size"], h)
        self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], h)
        self.token_type_embeddings = nn.Embedding(cfg["type_vocab_size"], h)
        self.LayerNorm = nn.LayerNorm(h, eps=cfg["layer_norm_eps"])

    def forward(self, input_ids):
        mask = input_ids.ne(self.padding_idx).long()
        pos = torch.cumsum(mask, dim=1) * mask + self.padding_idx
        types = torch.zeros_like(input_ids)
        x = self.word_embeddings(input_ids) + self.position_embeddings(pos) + self.token_type_embeddings(types)
        return self.LayerNorm(x)


class RobertaForSequenceClassification(nn.Module):
    """Inputs input_ids and attention_mask, as Optimum's RoBERTa exports have."""

    def __init__(self, cfg):
        super().__init__()
        self.embeddings = RobertaEmbeddings(cfg)
        self.encoder = BertEncoder(cfg)
        self.dense = nn.Linear(cfg["hidden_size"], cfg["hidden_size"])
        self.out_proj = nn.Linear(cfg["hidden_size"], len(cfg["id2label"]))

    def forward(self, input_ids, attention_mask):
        bias = (1.0 - attention_mask[:, None, None, :].float()) * NEG_INF
        hidden = self.encoder(self.embeddings(input_ids), bias)
        return self.out_proj(torch.tanh(self.dense(hidden[:, 0])))


# --- DeBERTa-v2/v3: disentangled attention over log-bucketed relative positions ---
# Written from the DeBERTa paper and the layout of Hugging Face's DebertaV2 modules; random
# weights only here, so its faithfulness to released checkpoints is not checked on this machine.

def make_log_bucket_position(rel, bucket_size, max_position):
    sign = torch.sign(rel)
    mid = bucket_size // 2
    abs_pos = torch.where((rel < mid) & (rel > -mid), torch.full_like(rel, mid - 1), torch.abs(rel))
    log_pos = torch.ceil(torch.log(abs_pos / mid) / math.log((max_position - 1) / mid) * (mid - 1)) + mid
    return torch.where(abs_pos <= mid, rel, log_pos * sign)


def build_relative_position(size, bucket_size, max_position, device):
    ids = torch.arange(size, device=device, dtype=torch.float32)
    rel = ids[:, None] - ids[None, :]
    if bucket_size > 0 and max_position > 0:
        rel = make_log_bucket_position(rel, bucket_size, max_position)
    return rel.long()  # [q, k]


class DisentangledSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden_size"]
        self.heads = cfg["num_attention_heads"]
        self.head_dim = h // self.heads
        self.query_proj = nn.Linear(h, h)
        self.key_proj = nn.Linear(h, h)
        self.value_proj = nn.Linear(h, h)
        self.pos_att_type = cfg["pos_att_type"]
        self.span = cfg["position_buckets"] if cfg["position_buckets"] > 0 else cfg["max_relative_positions"]

    def split(self, t):
        b, s, _ = t.shape
        return t.view(b, s, self.heads, self.head_dim).transpose(1, 2)  # [b, h, s, d]

    def forward(self, x, bias, rel_pos, rel_emb):
        q, k, v = self.split(self.query_proj(x)), self.split(self.key_proj(x)), self.split(self.value_proj(x))
        factor = 1 + len(self.pos_att_type)
        scale = math.sqrt(self.head_dim * factor)
        att = q @ k.transpose(-1, -2) / scale
        # share_att_key: positions go through the same key / query projections.
        pos = rel_emb[: 2 * self.span].unsqueeze(0)
        pos_k = self.split(self.key_proj(pos))  # [1, h, 2span, d]
        pos_q = self.split(self.query_proj(pos))
        s = x.shape[1]
        if "c2p" in self.pos_att_type:
            c2p = q @ pos_k.transpose(-1, -2)  # [b, h, q, 2span]
            idx = torch.clamp(rel_pos + self.span, 0, 2 * self.span - 1)
            att = att + torch.gather(c2p, -1, idx.expand(c2p.shape[0], c2p.shape[1], s, s)) / scale
        if "p2c" in self.pos_att_type:
            p2c = k @ pos_q.transpose(-1, -2)  # [b, h, k, 2span]
            idx = torch.clamp(-rel_pos + self.span, 0, 2 * self.span - 1)
            att = att + torch.gather(p2c, -1, idx.expand(p2c.shape[0], p2c.shape[1], s, s)).transpose(-1, -2) / scale
        y = (att + bias).softmax(dim=-1) @ v
        b = x.shape[0]
        return y.transpose(1, 2).reshape(b, s, self.heads * self.head_dim)


class DebertaV2Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention_self = DisentangledSelfAttention(cfg)
        self.attention_output = BertDenseNorm(cfg["hidden_size"], cfg["hidden_size"], cfg["layer_norm_eps"])
        self.intermediate = BertIntermediate(cfg)
        self.output = BertDenseNorm(cfg["intermediate_size"], cfg["hidden_size"], cfg["layer_norm_eps"])

    def forward(self, x, bias, rel_pos, rel_emb):
        x = self.attention_output(self.attention_self(x, bias, rel_pos, rel_emb), x)
        return self.output(self.intermediate(x), x)


class DebertaV2ForSequenceClassification(nn.Module):
    """No absolute positions (position_biased_input false) and no token types (type_vocab_size 0),
    as DeBERTa-v3 NLI exports have: inputs input_ids and attention_mask."""

    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden_size"]
        self.cfg = cfg
        self.word_embeddings = nn.Embedding(cfg["vocab_size"], h)
        self.embeddings_LayerNorm = nn.LayerNorm(h, eps=cfg["layer_norm_eps"])
        self.layer = nn.ModuleList(DebertaV2Layer(cfg) for _ in range(cfg["num_hidden_layers"]))
        span = cfg["position_buckets"] if cfg["position_buckets"] > 0 else cfg["max_relative_positions"]
        self.rel_embeddings = nn.Embedding(2 * span, h)
        self.rel_LayerNorm = nn.LayerNorm(h, eps=cfg["layer_norm_eps"])  # norm_rel_ebd: layer_norm
        self.pooler_dense = nn.Linear(h, h)
        self.classifier = nn.Linear(h, len(cfg["id2label"]))

    def forward(self, input_ids, attention_mask):
        x = self.embeddings_LayerNorm(self.word_embeddings(input_ids)) * attention_mask.unsqueeze(-1).float()
        bias = (1.0 - attention_mask[:, None, None, :].float()) * NEG_INF
        rel_pos = build_relative_position(input_ids.shape[1], self.cfg["position_buckets"], self.cfg["max_relative_positions"], input_ids.device)
        rel_emb = self.rel_LayerNorm(self.rel_embeddings.weight)
        for layer in self.layer:
            x = layer(x, bias, rel_pos, rel_emb)
        pooled = nn.functional.gelu(self.pooler_dense(x[:, 0]))  # ContextPooler, pooler_hidden_act gelu
        return self.classifier(pooled)
