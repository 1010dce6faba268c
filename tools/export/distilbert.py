"""DistilBERT: its embeddings over the BERT encoder block, exported with input_ids and
attention_mask only."""
import os

import torch
from torch import nn

import tokenizer as tok
from bert import BertEncoder, bert_config
from common import NEG_INF, init_random, save_two_input_classifier, shape_of


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


def write_distilbert_folder(out, tokenizer_json, *, shape, labels, seed=0, init_std=0.02):
    """DistilBERT layout: config names (dim, n_layers, n_heads, hidden_dim) and no token_type_ids input."""
    vocab_size = len(tokenizer_json["model"]["vocab"])
    layers, heads, hidden, max_pos = shape.layers, shape.heads, shape.hidden, shape.positions
    inner = bert_config(vocab_size, shape, labels, "sequence-classification")
    torch.manual_seed(seed)
    model = DistilBertForSequenceClassification(inner)
    init_random(model, seed, init_std)
    cfg = {"architectures": ["DistilBertForSequenceClassification"], "model_type": "distilbert", "vocab_size": vocab_size,
           "dim": hidden, "n_layers": layers, "n_heads": heads, "hidden_dim": 4 * hidden, "activation": "gelu",
           "max_position_embeddings": max_pos, "pad_token_id": 0, "id2label": inner["id2label"],
           "label2id": inner["label2id"], "transformers_version": "4.46.0"}
    return save_two_input_classifier(out, model, cfg, tokenizer_json, tok.bert_tokenizer_config(max_pos, True))


def build(a, texts):
    tj = tok.train_wordpiece(texts, a.vocab_size)
    return write_distilbert_folder(a.out, tj, shape=shape_of(a), labels=a.labels.split(","), seed=a.seed, init_std=a.init_std)
