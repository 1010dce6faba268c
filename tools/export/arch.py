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
