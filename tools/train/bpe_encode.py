"""Encodes text with a byte-level BPE tokenizer.json (for building training data only; the
product itself tokenizes with @huggingface/tokenizers)."""
import regex

import tokenizer as tok


class BPEEncoder:
    def __init__(self, tokenizer_json):
        self.vocab = tokenizer_json["model"]["vocab"]
        merges = [tuple(m.split(" ")) for m in tokenizer_json["model"]["merges"]]
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.b2u = tok.bytes_to_unicode()
        self.cache = {}

    def word(self, piece):
        hit = self.cache.get(piece)
        if hit is not None:
            return hit
        syms = [self.b2u[b] for b in piece.encode("utf-8")]
        while len(syms) > 1:
            pairs = [(self.ranks.get((x, y), 1 << 30), k) for k, (x, y) in enumerate(zip(syms, syms[1:]))]
            rank, k = min(pairs)
            if rank == 1 << 30:
                break
            syms[k:k + 2] = [syms[k] + syms[k + 1]]
        ids = [self.vocab[s] for s in syms]
        if len(self.cache) < 500_000:
            self.cache[piece] = ids
        return ids

    def encode(self, text):
        out = []
        for piece in tok.GPT2_PATTERN.findall(text):
            out.extend(self.word(piece))
        return out
