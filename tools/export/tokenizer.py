"""Trains tokenizers and writes them as Hugging Face tokenizer.json files.

No `tokenizers` package is reachable here, so the trainers live in this file: byte-level BPE
(GPT-2 style, for code and text) and WordPiece (BERT style). The files they write are the
standard format, read unchanged by @huggingface/tokenizers and transformers.js.
"""
import collections
import json
import unicodedata

import regex

GPT2_PATTERN = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")


def bert_is_punct(c):
    """BERT's punctuation: ASCII symbols (including _ and $) and Unicode P* categories."""
    o = ord(c)
    return 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126 or unicodedata.category(c).startswith("P")


def bert_words(text):
    """BertPreTokenizer: split on whitespace, and every punctuation character is its own word."""
    words, cur = [], []
    for c in text:
        if c.isspace():
            if cur:
                words.append("".join(cur))
                cur = []
        elif bert_is_punct(c):
            if cur:
                words.append("".join(cur))
                cur = []
            words.append(c)
        else:
            cur.append(c)
    if cur:
        words.append("".join(cur))
    return words


def bytes_to_unicode():
    """GPT-2's reversible map from bytes to printable unicode characters."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def learn_merges(word_counts, n_merges, min_count=2):
    """Classic BPE over a {tuple(symbols): count} table with incremental pair statistics."""
    words = [list(w) for w in word_counts]
    counts = list(word_counts.values())
    pair_counts = collections.Counter()
    where = collections.defaultdict(set)
    for i, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            pair_counts[(a, b)] += counts[i]
            where[(a, b)].add(i)
    merges = []
    while len(merges) < n_merges and pair_counts:
        best, c = max(pair_counts.items(), key=lambda kv: (kv[1], kv[0]))
        if c < min_count:
            break
        merges.append(best)
        a, b = best
        joined = a + b[2:] if b.startswith("##") else a + b
        for i in list(where.pop(best, ())):
            w = words[i]
            for x, y in zip(w, w[1:]):
                pair_counts[(x, y)] -= counts[i]
                if pair_counts[(x, y)] <= 0:
                    del pair_counts[(x, y)]
            out, j = [], 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == a and w[j + 1] == b:
                    out.append(joined)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            words[i] = out
            for x, y in zip(out, out[1:]):
                pair_counts[(x, y)] += counts[i]
                where[(x, y)].add(i)
        pair_counts.pop(best, None)
    return merges


def added_token(tid, content):
    return {"id": tid, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def train_byte_bpe(texts, vocab_size, special_tokens=("<|endoftext|>",)):
    """Byte-level BPE as GPT-2 uses it. Special tokens take the first ids."""
    b2u = bytes_to_unicode()
    counts = collections.Counter()
    for t in texts:
        for piece in GPT2_PATTERN.findall(t):
            counts[tuple(b2u[b] for b in piece.encode("utf-8"))] += 1
    n_special = len(special_tokens)
    merges = learn_merges(counts, vocab_size - 256 - n_special)
    vocab = {tok: i for i, tok in enumerate(special_tokens)}
    for ch in sorted(b2u.values()):
        vocab[ch] = len(vocab)
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(i, t) for i, t in enumerate(special_tokens)],
        "normalizer": None,
        "pre_tokenizer": byte_level,
        "post_processor": dict(byte_level, trim_offsets=False),
        "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]},
    }


def pad_vocab(tokenizer_json, size):
    """Pads the vocabulary with unused entries until it has `size` tokens, so a model can have a
    real-sized embedding and LM head (GPT-2's 50257) with a tokenizer trained on little text.
    They go into the BPE vocabulary, not the added tokens: tokenizers scan every added token on
    decode, and 48k of them made each decode call ~1000x slower."""
    vocab = tokenizer_json["model"]["vocab"]
    i = 0
    while len(vocab) < size:
        vocab[f"<unused_{i}>"] = len(vocab)
        i += 1


def bert_normalize(text, lowercase=True):
    if not lowercase:
        return text
    text = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def train_wordpiece(texts, vocab_size, lowercase=True):
    """WordPiece vocabulary for a BERT tokenizer (uncased by default), grown by BPE merges over words."""
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    counts = collections.Counter()
    for t in texts:
        for w in bert_words(bert_normalize(t, lowercase)):
            if len(w) <= 100:
                counts[tuple([w[0]] + ["##" + c for c in w[1:]])] += 1
    alphabet = sorted({s for w in counts for s in w})
    merges = learn_merges(counts, max(0, vocab_size - len(specials) - len(alphabet)))
    vocab = {t: i for i, t in enumerate(specials)}
    for s in alphabet:
        vocab.setdefault(s, len(vocab))
    for a, b in merges:
        vocab.setdefault(a + b[2:] if b.startswith("##") else a + b, len(vocab))
    ids = {t: vocab[t] for t in specials}
    template = lambda seqs: [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}] + seqs
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(ids[t], t) for t in specials],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": lowercase},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": template([{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}]),
            "pair": template([{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                              {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}]),
            "special_tokens": {t: {"id": t, "ids": [ids[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }


def gpt2_tokenizer_config(max_len, special_tokens):
    eos = special_tokens[0]
    cfg = {"tokenizer_class": "GPT2Tokenizer", "bos_token": eos, "eos_token": eos, "unk_token": eos,
           "model_max_length": max_len, "add_prefix_space": False, "clean_up_tokenization_spaces": False}
    if len(special_tokens) > 1:
        cfg["additional_special_tokens"] = list(special_tokens[1:])
    return cfg


def bert_tokenizer_config(max_len, lowercase=True):
    return {"tokenizer_class": "BertTokenizer", "do_lower_case": lowercase, "model_max_length": max_len,
            "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]",
            "mask_token": "[MASK]", "clean_up_tokenization_spaces": True}


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1 if "tokenizer.json" not in str(path) else None)
        f.write("\n")
