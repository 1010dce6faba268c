"""RoBERTa: byte-level BPE with <s> ... </s>, pad id 1, positions offset past the padding index,
over the BERT encoder block; exported with input_ids and attention_mask only."""
import os
from dataclasses import replace

import torch
from torch import nn

import tokenizer as tok
from bert import BertEncoder, bert_config
from common import NEG_INF, init_random, save_two_input_classifier, shape_of


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


ROBERTA_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def write_roberta_folder(out, texts, *, vocab_size, shape, labels, seed=0, init_std=0.02):
    """RoBERTa layout: byte-level BPE with <s> ... </s> (RobertaProcessing), pad id 1, positions
    offset by padding_idx + 1 (so max_position_embeddings is max_pos + 2), no token_type_ids input."""
    tj = tok.train_byte_bpe(texts, vocab_size, ROBERTA_SPECIALS)
    tj["post_processor"] = {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                            "trim_offsets": True, "add_prefix_space": False}
    max_pos = shape.positions
    cfg = bert_config(len(tj["model"]["vocab"]), replace(shape, positions=max_pos + 2), labels, "sequence-classification")
    cfg.update({"architectures": ["RobertaForSequenceClassification"], "model_type": "roberta", "pad_token_id": 1,
                "bos_token_id": 0, "eos_token_id": 2, "type_vocab_size": 1, "layer_norm_eps": 1e-5})
    torch.manual_seed(seed)
    model = RobertaForSequenceClassification(cfg)
    init_random(model, seed, init_std)
    tc = {"tokenizer_class": "RobertaTokenizer", "model_max_length": max_pos, "bos_token": "<s>", "eos_token": "</s>",
          "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>",
          "add_prefix_space": False, "clean_up_tokenization_spaces": False}
    return save_two_input_classifier(out, model, cfg, tj, tc, pad_free_id=4)


def build(a, texts):
    return write_roberta_folder(a.out, texts, vocab_size=a.vocab_size, shape=shape_of(a), labels=a.labels.split(","), seed=a.seed,
                                init_std=a.init_std)
