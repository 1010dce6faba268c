"""DeBERTa-v2/v3: disentangled relative attention (c2p, p2c, log buckets, shared keys), no
absolute positions and no token types; exported with input_ids and attention_mask."""
import math
import os

import torch
from torch import nn

import tokenizer as tok
from bert import BertDenseNorm, BertIntermediate, bert_config
from common import NEG_INF, init_random, save_two_input_classifier, shape_of


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


def write_deberta_folder(out, tokenizer_json, *, shape, labels, seed=0, init_std=0.02):
    """DeBERTa-v2/v3 layout: relative attention (c2p, p2c, log buckets, shared keys), no absolute
    positions, no token types; inputs input_ids and attention_mask."""
    vocab_size = len(tokenizer_json["model"]["vocab"])
    hidden, max_pos = shape.hidden, shape.positions
    cfg = bert_config(vocab_size, shape, labels, "sequence-classification")
    cfg.update({"architectures": ["DebertaV2ForSequenceClassification"], "model_type": "deberta-v2",
                "relative_attention": True, "position_buckets": 16, "max_relative_positions": max_pos,
                "pos_att_type": ["p2c", "c2p"], "norm_rel_ebd": "layer_norm", "share_att_key": True,
                "position_biased_input": False, "type_vocab_size": 0, "layer_norm_eps": 1e-7,
                "pooler_hidden_size": hidden, "pooler_hidden_act": "gelu", "pooler_dropout": 0})
    torch.manual_seed(seed)
    model = DebertaV2ForSequenceClassification(cfg)
    init_random(model, seed, init_std)
    return save_two_input_classifier(out, model, cfg, tokenizer_json, tok.bert_tokenizer_config(max_pos, True))


def build(a, texts):
    tj = tok.train_wordpiece(texts, a.vocab_size)
    return write_deberta_folder(a.out, tj, shape=shape_of(a), labels=a.labels.split(","), seed=a.seed, init_std=a.init_std)
