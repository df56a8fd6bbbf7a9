"""Remember each passage's jieba words on disk, so a start does not segment 150,000 passages again.

jieba segments about 4,000 passages a second on one core: 35 s for a province's 150,000, on
every start. The cache keeps the words of every passage by the SHA-1 of its text, as word ids
into one vocabulary (numpy arrays in one ``.npz`` file, written atomically), so loading it and
building BM25 from it takes about a second. Only passages not seen before are segmented.

What jieba cuts depends on the words it was taught (:func:`qa.text.add_words`: thesaurus and
glossary terms). The cache records them; when they change, only the passages whose text
contains a word taught or untaught since are segmented again, which is exact: a dictionary
word can only change the cut where it occurs.
"""
from __future__ import annotations

import contextlib
import zipfile
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Callable

import jieba
import numpy as np

from qa.text import add_words, normalize, tokenize

FORMAT = 1


def _key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


def learned_words() -> frozenset[str]:
    """Words taught to jieba at run time (``add_words`` gives each a tag, so jieba keeps them here)."""
    return frozenset(jieba.dt.user_word_tag_tab)


def _pack(words: list[str] | frozenset[str]) -> np.ndarray:
    return np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8)


def _unpack(data: np.ndarray) -> list[str]:
    text = data.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def segment(texts: list[str], tokenizer: Callable[[str], list[str]], path: str | Path | None,
            log: Callable[[str], None] | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Words of each text as ``(flat ids, lengths, vocabulary)``, reusing and updating the cache at
    ``path`` (none: segment everything). An empty segmentation becomes the placeholder ``∅``."""
    learned = learned_words()
    known: dict[bytes, tuple[int, int]] = {}
    flat_old = np.zeros(0, np.int32)
    words: list[str] = []
    if path is not None:
        try:
            with np.load(Path(path), allow_pickle=False) as z:
                if int(z["format"]) == FORMAT:
                    raw, lengths_old, flat_old = z["keys"].tobytes(), z["lengths"], z["flat"]
                    keys = [raw[i:i + 20] for i in range(0, len(raw), 20)]
                    words = _unpack(z["words"])
                    stale = learned.symmetric_difference(_unpack(z["learned"]))
                    starts = np.concatenate([[0], np.cumsum(lengths_old)])
                    known = {k: (int(a), int(b)) for k, a, b in zip(keys, starts[:-1], starts[1:])}
                    if stale:
                        known = _drop_stale(known, texts, stale)
        except (OSError, KeyError, ValueError, UnicodeDecodeError, EOFError, zipfile.BadZipFile) as exc:
            if Path(path).exists() and log:
                log(f"warning: word cache {path} is unreadable ({type(exc).__name__}); segmenting again")
            known, words = {}, []
    index = {w: i for i, w in enumerate(words)}
    pieces: list[np.ndarray] = []
    lengths = np.zeros(len(texts), np.int64)
    fresh = 0
    for n, text in enumerate(texts):
        span = known.get(_key(text))
        if span is not None:
            ids = flat_old[span[0]:span[1]]
        else:
            toks = tokenizer(text) or ["∅"]
            ids = np.fromiter((index.setdefault(t, len(index)) for t in toks), np.int32, len(toks))
            fresh += 1
        pieces.append(ids)
        lengths[n] = len(ids)
    flat = np.concatenate(pieces).astype(np.int32) if pieces else np.zeros(0, np.int32)
    used = np.unique(flat)
    words = [w for w, i in index.items()]
    if len(used) < len(words):  # drop words only removed passages had
        remap = np.zeros(len(words), np.int32)
        remap[used] = np.arange(len(used), dtype=np.int32)
        flat, words = remap[flat], [words[i] for i in used.tolist()]
    if path is not None and (fresh or len(known) != len(texts)):
        _save(Path(path), [_key(t) for t in texts], lengths, flat, words, learned, log)
    return flat, lengths, words


def _drop_stale(known: dict[bytes, tuple[int, int]], texts: list[str], stale: frozenset[str]) -> dict:
    """Forget the passages whose text contains a word jieba has been taught or untaught since."""
    pattern = re.compile("|".join(re.escape(normalize(w)) for w in sorted(stale, key=len, reverse=True) if w))
    keep = dict(known)
    for text in texts:
        if pattern.search(normalize(text)):
            keep.pop(_key(text), None)
    return keep


def _save(path: Path, keys: list[bytes], lengths: np.ndarray, flat: np.ndarray, words: list[str],
          learned: frozenset[str], log: Callable[[str], None] | None) -> None:
    """Write the cache atomically; a cache that cannot be written is only a slower next start."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            np.savez(f, format=np.int64(FORMAT), keys=np.frombuffer(b"".join(keys), np.uint8),
                     lengths=lengths.astype(np.int32), flat=flat, words=_pack(words), learned=_pack(sorted(learned)))
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if log:
            log(f"warning: cannot write the word cache {path} ({exc.strerror}); the next start segments again")


class JiebaSegmenter:
    """The query side's segmentation for a store that keeps words itself (Milvus): the same
    taught words (thesaurus and glossary terms, as ``ReportQA.warm_up`` teaches) and tokenizer."""

    def teach(self, terms: list[str]) -> None:
        from qa.query import thesaurus
        add_words([t for _, ts in thesaurus() for t in ts.split()] + list(terms))

    def tokenize(self, text: str) -> list[str]:
        return tokenize(text)

    def learned(self) -> frozenset[str]:
        return learned_words()
