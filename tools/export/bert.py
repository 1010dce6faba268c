"""BERT: the PyTorch encoder (Hugging Face names), as a sequence classifier or a feature
extractor, and its export with input_ids, attention_mask and token_type_ids. DistilBERT and RoBERTa
reuse its encoder block."""
import math
import os

import torch
from torch import nn

import tokenizer as tok
from common import NEG_INF, OPSET, init_random, shape_of


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


def bert_config(vocab_size, shape, labels, task):
    layers, heads, hidden, max_pos = shape.layers, shape.heads, shape.hidden, shape.positions
    cfg = {"architectures": ["BertForSequenceClassification" if task == "sequence-classification" else "BertModel"],
           "model_type": "bert", "vocab_size": vocab_size, "hidden_size": hidden, "num_hidden_layers": layers,
           "num_attention_heads": heads, "intermediate_size": 4 * hidden, "hidden_act": "gelu",
           "max_position_embeddings": max_pos, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0,
           "hidden_dropout_prob": 0.1, "transformers_version": "4.46.0"}
    if task == "sequence-classification":
        cfg["id2label"] = {str(i): l for i, l in enumerate(labels)}
        cfg["label2id"] = {l: i for i, l in enumerate(labels)}
    return cfg


def export_bert(model, cfg, out, output_name):
    model.eval()
    ids = torch.ones(2, 5, dtype=torch.long)
    mask = torch.ones(2, 5, dtype=torch.long)
    types = torch.zeros(2, 5, dtype=torch.long)
    axes = {n: {0: "batch_size", 1: "sequence_length"} for n in ("input_ids", "attention_mask", "token_type_ids")}
    axes[output_name] = {0: "batch_size"} if output_name == "logits" else {0: "batch_size", 1: "sequence_length"}
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    path = os.path.join(out, "onnx", "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask, types), path, input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=[output_name], dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
    return path


def write_bert_folder(out, tokenizer_json, *, shape, task, labels, model=None, seed=0, init_std=0.02, problem_type=None,
                      lowercase=True):
    vocab_size = len(tokenizer_json["model"]["vocab"])
    max_pos = shape.positions
    cfg = bert_config(vocab_size, shape, labels, task)
    if problem_type:
        cfg["problem_type"] = problem_type
    if model is None:
        torch.manual_seed(seed)
        model = (BertForSequenceClassification if task == "sequence-classification" else BertFeatureExtractor)(cfg)
        init_random(model, seed, init_std)
    os.makedirs(out, exist_ok=True)
    tok.write_json(os.path.join(out, "config.json"), cfg)
    tok.write_json(os.path.join(out, "tokenizer.json"), tokenizer_json)
    tok.write_json(os.path.join(out, "tokenizer_config.json"), tok.bert_tokenizer_config(max_pos, lowercase))
    return export_bert(model, cfg, out, "logits" if task == "sequence-classification" else "last_hidden_state")


def build(a, texts):
    """The command line's bert: WordPiece, a sequence classifier (--labels) or a feature extractor."""
    tj = tok.train_wordpiece(texts, a.vocab_size)
    labels = a.labels.split(",")
    shape = shape_of(a)
    model = None
    if a.weights:
        cfg = bert_config(len(tj["model"]["vocab"]), shape, labels, a.task)
        model = (BertForSequenceClassification if a.task == "sequence-classification" else BertFeatureExtractor)(cfg)
        model.load_state_dict(torch.load(a.weights))
    return write_bert_folder(a.out, tj, shape=shape, task=a.task, labels=labels, model=model, seed=a.seed, init_std=a.init_std,
                             problem_type=a.problem_type)
