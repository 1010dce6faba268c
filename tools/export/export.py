#!/usr/bin/env python3
"""Writes causal LMs and BERT encoders as Hugging Face folders with Optimum tensor names.

    python3 tools/export/export.py gpt2 --out DIR --corpus FILE... [--weights W.pt] [options]
    python3 tools/export/export.py bert --out DIR --corpus FILE... --task sequence-classification --labels a,b

Without --weights the model gets seeded random weights (test fixtures, benchmarks). The folder
holds config.json, generation_config.json, tokenizer.json, tokenizer_config.json and
onnx/model.onnx, the layout transformers.js and Optimum use.
"""
import argparse
import glob
import json
import os
import sys

import onnx
import torch
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arch  # noqa: E402
import tokenizer as tok  # noqa: E402

OPSET = 14


def read_corpus(patterns, limit_bytes=8_000_000):
    texts, total = [], 0
    for pattern in patterns:
        for path in sorted(glob.glob(pattern, recursive=True)):
            if os.path.isfile(path) and total < limit_bytes:
                with open(path, encoding="utf-8", errors="replace") as f:
                    t = f.read()
                texts.append(t)
                total += len(t)
    if not texts:
        raise SystemExit(f"no corpus files matched {patterns}")
    return texts


def init_random(model, seed, std):
    """Seeded random weights; a larger std than training init gives peaked logits, so greedy
    decoding has clear winners and conformance tests are not decided by float noise."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name or name.split(".")[-2].startswith("ln") or name.split(".")[-2].endswith("norm"):
                p.copy_(torch.ones_like(p) if name.endswith("weight") else torch.zeros_like(p))
            else:
                p.copy_(torch.randn(p.shape, generator=g) * std)


def gpt2_config(vocab_size, n_layer, n_head, n_embd, n_positions, eos_id):
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


def save_two_input_classifier(out, model, cfg, tokenizer_json, tokenizer_config, pad_free_id=1):
    """Writes a folder for an encoder classifier whose inputs are input_ids and attention_mask only:
    config, tokenizer files and onnx/model.onnx."""
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    tok.write_json(os.path.join(out, "config.json"), cfg)
    tok.write_json(os.path.join(out, "tokenizer.json"), tokenizer_json)
    tok.write_json(os.path.join(out, "tokenizer_config.json"), tokenizer_config)
    model.eval()
    ids = torch.full((2, 5), pad_free_id, dtype=torch.long)
    mask = torch.ones(2, 5, dtype=torch.long)
    path = os.path.join(out, "onnx", "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask), path, input_names=["input_ids", "attention_mask"], output_names=["logits"],
                          dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                                        "attention_mask": {0: "batch_size", 1: "sequence_length"}, "logits": {0: "batch_size"}},
                          opset_version=OPSET, do_constant_folding=True)
    return path


def write_distilbert_folder(out, tokenizer_json, layers, heads, hidden, max_pos, labels, seed=0, init_std=0.02):
    """DistilBERT layout: config names (dim, n_layers, n_heads, hidden_dim) and no token_type_ids input."""
    vocab_size = len(tokenizer_json["model"]["vocab"])
    inner = bert_config(vocab_size, layers, heads, hidden, max_pos, labels, "sequence-classification")
    torch.manual_seed(seed)
    model = arch.DistilBertForSequenceClassification(inner)
    init_random(model, seed, init_std)
    cfg = {"architectures": ["DistilBertForSequenceClassification"], "model_type": "distilbert", "vocab_size": vocab_size,
           "dim": hidden, "n_layers": layers, "n_heads": heads, "hidden_dim": 4 * hidden, "activation": "gelu",
           "max_position_embeddings": max_pos, "pad_token_id": 0, "id2label": inner["id2label"],
           "label2id": inner["label2id"], "transformers_version": "4.46.0"}
    return save_two_input_classifier(out, model, cfg, tokenizer_json, tok.bert_tokenizer_config(max_pos, True))


ROBERTA_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def write_roberta_folder(out, texts, vocab_size, layers, heads, hidden, max_pos, labels, seed=0, init_std=0.02):
    """RoBERTa layout: byte-level BPE with <s> ... </s> (RobertaProcessing), pad id 1, positions
    offset by padding_idx + 1 (so max_position_embeddings is max_pos + 2), no token_type_ids input."""
    tj = tok.train_byte_bpe(texts, vocab_size, ROBERTA_SPECIALS)
    tj["post_processor"] = {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                            "trim_offsets": True, "add_prefix_space": False}
    cfg = bert_config(len(tj["model"]["vocab"]), layers, heads, hidden, max_pos + 2, labels, "sequence-classification")
    cfg.update({"architectures": ["RobertaForSequenceClassification"], "model_type": "roberta", "pad_token_id": 1,
                "bos_token_id": 0, "eos_token_id": 2, "type_vocab_size": 1, "layer_norm_eps": 1e-5})
    torch.manual_seed(seed)
    model = arch.RobertaForSequenceClassification(cfg)
    init_random(model, seed, init_std)
    tc = {"tokenizer_class": "RobertaTokenizer", "model_max_length": max_pos, "bos_token": "<s>", "eos_token": "</s>",
          "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>",
          "add_prefix_space": False, "clean_up_tokenization_spaces": False}
    return save_two_input_classifier(out, model, cfg, tj, tc, pad_free_id=4)


def write_deberta_folder(out, tokenizer_json, layers, heads, hidden, max_pos, labels, seed=0, init_std=0.02):
    """DeBERTa-v2/v3 layout: relative attention (c2p, p2c, log buckets, shared keys), no absolute
    positions, no token types; inputs input_ids and attention_mask."""
    vocab_size = len(tokenizer_json["model"]["vocab"])
    cfg = bert_config(vocab_size, layers, heads, hidden, max_pos, labels, "sequence-classification")
    cfg.update({"architectures": ["DebertaV2ForSequenceClassification"], "model_type": "deberta-v2",
                "relative_attention": True, "position_buckets": 16, "max_relative_positions": max_pos,
                "pos_att_type": ["p2c", "c2p"], "norm_rel_ebd": "layer_norm", "share_att_key": True,
                "position_biased_input": False, "type_vocab_size": 0, "layer_norm_eps": 1e-7,
                "pooler_hidden_size": hidden, "pooler_hidden_act": "gelu", "pooler_dropout": 0})
    torch.manual_seed(seed)
    model = arch.DebertaV2ForSequenceClassification(cfg)
    init_random(model, seed, init_std)
    return save_two_input_classifier(out, model, cfg, tokenizer_json, tok.bert_tokenizer_config(max_pos, True))


def bert_config(vocab_size, layers, heads, hidden, max_pos, labels, task):
    cfg = {"architectures": ["BertForSequenceClassification" if task == "sequence-classification" else "BertModel"],
           "model_type": "bert", "vocab_size": vocab_size, "hidden_size": hidden, "num_hidden_layers": layers,
           "num_attention_heads": heads, "intermediate_size": 4 * hidden, "hidden_act": "gelu",
           "max_position_embeddings": max_pos, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0,
           "hidden_dropout_prob": 0.1, "transformers_version": "4.46.0"}
    if task == "sequence-classification":
        cfg["id2label"] = {str(i): l for i, l in enumerate(labels)}
        cfg["label2id"] = {l: i for i, l in enumerate(labels)}
    return cfg


def write_gpt2_folder(out, tokenizer_json, special_tokens, n_layer, n_head, n_embd, n_positions, model=None,
                      seed=0, init_std=0.02, legacy_merged=False, logits_to_keep=False, generation=None):
    vocab_size = len(tokenizer_json["model"]["vocab"])
    cfg = gpt2_config(vocab_size, n_layer, n_head, n_embd, n_positions, 0)
    if model is None:
        torch.manual_seed(seed)
        model = arch.GPT2LMHeadModel(cfg)
        init_random(model, seed, init_std)
    os.makedirs(out, exist_ok=True)
    tok.write_json(os.path.join(out, "config.json"), cfg)
    tok.write_json(os.path.join(out, "generation_config.json"),
                   dict({"bos_token_id": 0, "eos_token_id": 0, "max_new_tokens": 32}, **(generation or {})))
    tok.write_json(os.path.join(out, "tokenizer.json"), tokenizer_json)
    tok.write_json(os.path.join(out, "tokenizer_config.json"), tok.gpt2_tokenizer_config(n_positions, special_tokens))
    return export_gpt2(model, cfg, out, legacy_merged, logits_to_keep)


CHATML = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def llama_config(model_type, vocab_size, layers, heads, kv_heads, hidden, positions, eos_id, head_dim=None):
    cfg = {
        "architectures": ["Qwen2ForCausalLM" if model_type == "qwen2" else "LlamaForCausalLM"], "model_type": model_type,
        "vocab_size": vocab_size, "hidden_size": hidden, "intermediate_size": hidden * 3, "num_hidden_layers": layers,
        "num_attention_heads": heads, "num_key_value_heads": kv_heads, "max_position_embeddings": positions,
        "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "hidden_act": "silu", "tie_word_embeddings": False,
        "bos_token_id": eos_id, "eos_token_id": eos_id, "use_cache": True, "attention_bias": model_type == "qwen2",
        "transformers_version": "4.46.0",
    }
    if head_dim:
        cfg["head_dim"] = head_dim
    return cfg


def bigcode_config(vocab_size, layers, heads, hidden, positions, eos_id):
    return {
        "architectures": ["GPTBigCodeForCausalLM"], "model_type": "gpt_bigcode", "vocab_size": vocab_size,
        "n_positions": positions, "n_embd": hidden, "n_layer": layers, "n_head": heads, "n_inner": None,
        "multi_query": True, "activation_function": "gelu_pytorch_tanh", "layer_norm_epsilon": 1e-5,
        "bos_token_id": eos_id, "eos_token_id": eos_id, "use_cache": True, "transformers_version": "4.46.0",
    }


def export_decoder(model, out, past_shapes, past_names, present_names):
    """Exports a decoder whose KV inputs have the given shapes (past length at the axis named past)."""
    model.eval()
    b, s = 1, 3
    past = past_shapes[0][2] if len(past_shapes[0]) == 4 else past_shapes[0][1]
    ids = torch.zeros(b, s, dtype=torch.long)
    mask = torch.ones(b, past + s, dtype=torch.long)
    pos = torch.arange(past, past + s).unsqueeze(0)
    pasts = [torch.zeros(*shape) for shape in past_shapes]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    seq_axis = 2 if len(past_shapes[0]) == 4 else 1
    axes.update({n: {0: "batch_size", seq_axis: "past_sequence_length"} for n in past_names})
    axes.update({n: {0: "batch_size", seq_axis: "total_sequence_length"} for n in present_names})
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    path = os.path.join(out, "onnx", "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask, pos, *pasts), path, input_names=["input_ids", "attention_mask",
                          "position_ids", *past_names], output_names=["logits", *present_names],
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
    return path


def write_decoder_folder(arch_name, out, tokenizer_json, special_tokens, layers, heads, kv_heads, hidden, positions,
                         seed=0, init_std=0.02):
    """Llama / Qwen2 (grouped-query attention, rotary) or GPT-BigCode (multi-query, fused key_value)."""
    vocab_size = len(tokenizer_json["model"]["vocab"])
    torch.manual_seed(seed)
    if arch_name == "gpt_bigcode":
        cfg = bigcode_config(vocab_size, layers, heads, hidden, positions, 0)
        model = arch.GPTBigCodeForCausalLM(cfg)
        d = hidden // heads
        shapes = [(1, 2, 2 * d) for _ in range(layers)]
        names = [f"past_key_values.{i}.key_value" for i in range(layers)]
        presents = [f"present.{i}.key_value" for i in range(layers)]
    else:
        cfg = llama_config(arch_name, vocab_size, layers, heads, kv_heads, hidden, positions, 0)
        model = arch.LlamaForCausalLM(cfg)
        d = hidden // heads
        shapes = [(1, kv_heads, 2, d) for _ in range(2 * layers)]
        names = [f"past_key_values.{i}.{kv}" for i in range(layers) for kv in ("key", "value")]
        presents = [f"present.{i}.{kv}" for i in range(layers) for kv in ("key", "value")]
    init_random(model, seed, init_std)
    os.makedirs(out, exist_ok=True)
    tok.write_json(os.path.join(out, "config.json"), cfg)
    tok.write_json(os.path.join(out, "generation_config.json"), {"bos_token_id": 0, "eos_token_id": 0, "max_new_tokens": 32})
    tok.write_json(os.path.join(out, "tokenizer.json"), tokenizer_json)
    tc = tok.gpt2_tokenizer_config(positions, special_tokens)
    if arch_name == "qwen2":
        # An instruct-style ChatML template (system / user / assistant turns), so chat prompts can be tested.
        tc["chat_template"] = CHATML
    tok.write_json(os.path.join(out, "tokenizer_config.json"), tc)
    return export_decoder(model, out, shapes, names, presents)


def write_bert_folder(out, tokenizer_json, layers, heads, hidden, max_pos, task, labels, model=None, seed=0,
                      init_std=0.02, problem_type=None, lowercase=True):
    vocab_size = len(tokenizer_json["model"]["vocab"])
    cfg = bert_config(vocab_size, layers, heads, hidden, max_pos, labels, task)
    if problem_type:
        cfg["problem_type"] = problem_type
    if model is None:
        torch.manual_seed(seed)
        model = (arch.BertForSequenceClassification if task == "sequence-classification" else arch.BertFeatureExtractor)(cfg)
        init_random(model, seed, init_std)
    os.makedirs(out, exist_ok=True)
    tok.write_json(os.path.join(out, "config.json"), cfg)
    tok.write_json(os.path.join(out, "tokenizer.json"), tokenizer_json)
    tok.write_json(os.path.join(out, "tokenizer_config.json"), tok.bert_tokenizer_config(max_pos, lowercase))
    return export_bert(model, cfg, out, "logits" if task == "sequence-classification" else "last_hidden_state")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("arch", choices=["gpt2", "bert", "distilbert", "roberta", "deberta-v2", "llama", "qwen2", "gpt_bigcode"])
    p.add_argument("--kv-heads", type=int, default=1, help="llama/qwen2: key-value heads (grouped-query attention)")
    p.add_argument("--out", required=True)
    p.add_argument("--corpus", nargs="+", required=True, help="files or globs the tokenizer is trained on")
    p.add_argument("--vocab-size", type=int, default=1024)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=2)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--positions", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--init-std", type=float, default=0.02)
    p.add_argument("--weights", help="a state dict (.pt) to load instead of random weights")
    p.add_argument("--special-tokens", default="<|endoftext|>", help="comma-separated; the first is BOS/EOS")
    p.add_argument("--legacy-merged", action="store_true", help="gpt2: write onnx/decoder_model_merged.onnx with use_cache_branch")
    p.add_argument("--logits-to-keep", action="store_true", help="gpt2: add the num_logits_to_keep input")
    p.add_argument("--task", default="sequence-classification", choices=["sequence-classification", "feature-extraction"])
    p.add_argument("--labels", default="NEGATIVE,POSITIVE")
    p.add_argument("--problem-type", choices=["single_label_classification", "multi_label_classification"])
    p.add_argument("--pad-vocab", type=int, default=0,
                   help="gpt2: pad the vocabulary with unused special tokens to this size (GPT-2-sized benchmarks)")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    texts = read_corpus(a.corpus)
    if a.arch in ("llama", "qwen2", "gpt_bigcode"):
        specials = a.special_tokens.split(",")
        tj = tok.train_byte_bpe(texts, a.vocab_size, specials)
        path = write_decoder_folder(a.arch, a.out, tj, specials, a.layers, a.heads, a.kv_heads, a.hidden, a.positions,
                                    a.seed, a.init_std)
    elif a.arch == "roberta":
        path = write_roberta_folder(a.out, texts, a.vocab_size, a.layers, a.heads, a.hidden, a.positions, a.labels.split(","),
                                    a.seed, a.init_std)
    elif a.arch == "deberta-v2":
        tj = tok.train_wordpiece(texts, a.vocab_size)
        path = write_deberta_folder(a.out, tj, a.layers, a.heads, a.hidden, a.positions, a.labels.split(","), a.seed, a.init_std)
    elif a.arch == "distilbert":
        tj = tok.train_wordpiece(texts, a.vocab_size)
        path = write_distilbert_folder(a.out, tj, a.layers, a.heads, a.hidden, a.positions, a.labels.split(","), a.seed, a.init_std)
    elif a.arch == "gpt2":
        specials = a.special_tokens.split(",")
        tj = tok.train_byte_bpe(texts, a.vocab_size, specials)
        tok.pad_vocab(tj, a.pad_vocab)
        model = None
        if a.weights:
            cfg = gpt2_config(len(tj["model"]["vocab"]), a.layers, a.heads, a.hidden, a.positions, 0)
            model = arch.GPT2LMHeadModel(cfg)
            model.load_state_dict(torch.load(a.weights))
        path = write_gpt2_folder(a.out, tj, specials, a.layers, a.heads, a.hidden, a.positions, model, a.seed,
                                 a.init_std, a.legacy_merged, a.logits_to_keep)
    else:
        tj = tok.train_wordpiece(texts, a.vocab_size)
        labels = a.labels.split(",")
        model = None
        if a.weights:
            cfg = bert_config(len(tj["model"]["vocab"]), a.layers, a.heads, a.hidden, a.positions, labels, a.task)
            model = (arch.BertForSequenceClassification if a.task == "sequence-classification" else arch.BertFeatureExtractor)(cfg)
            model.load_state_dict(torch.load(a.weights))
        path = write_bert_folder(a.out, tj, a.layers, a.heads, a.hidden, a.positions, a.task, labels, model, a.seed,
                                 a.init_std, a.problem_type)
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
