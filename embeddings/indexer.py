"""Build, reuse and update the index of a set of documents.

Vectors are reused by the content hash of each passage's index text (as ``llm`` does for
embeddings), so re-indexing an unchanged corpus encodes nothing, and changing one document
encodes only that document's new passages. A damaged index is reported and rebuilt.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Callable, Iterable, Protocol

import numpy as np

from embeddings import store
from embeddings.chunking import CHUNKER_VERSION, DEFAULT_MAX_CHARS, Passage, chunk_blocks
from embeddings.cleaning import clean
from embeddings.loaders import Document
from embeddings.profile import Profile
from embeddings.profile import build as build_profile
from embeddings.structure import parse


class PassageEncoder(Protocol):
    model_id: str

    def encode_passages(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray: ...


def analyse(document: Document, max_chars: int = DEFAULT_MAX_CHARS) -> tuple[list[Passage], Profile]:
    """Clean, parse, profile and chunk one document: its passages (each with its temporal role)
    and its profile. The loader's title/year/body (and the user's sidecar) win over the profile's."""
    cleaned = clean(document.text)
    described = {k: document.metadata[k] for k in ("year", "body") if document.metadata.get(k)}
    if document.title:
        described["title"] = document.title
    profile, blocks = build_profile(cleaned.text, parse(cleaned), described)
    passages = chunk_blocks(blocks, cleaned, document.doc_id, max_chars)
    starts = document.metadata.get("pages")
    if starts:  # PDF: each passage gets the page it starts on
        for p in passages:
            p.page = 1 + sum(1 for s in starts[1:] if s <= p.start)
    return passages, profile


def passages_of(document: Document, max_chars: int = DEFAULT_MAX_CHARS) -> list[Passage]:
    """Clean, parse and chunk one document."""
    return analyse(document, max_chars)[0]


def document_info(document: Document) -> dict:
    """What the manifest records of a document: where from, what it is, its hash."""
    info = {"source": document.source, "title": document.title, "content_hash": document.content_hash}
    info.update({k: v for k, v in document.metadata.items() if k != "pages"})
    if "year" not in info:
        m = re.search(r"(20\d\d)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日", document.text[:2000])
        if m:
            info["year"] = int(m.group(1))
    return info


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_index(documents: Iterable[Document], encoder: PassageEncoder, previous: store.Index | None = None,
                max_chars: int = DEFAULT_MAX_CHARS, progress: bool = False) -> tuple[store.Index, int]:
    """A new index of ``documents``; returns it and how many passages had to be encoded."""
    documents = list(documents)
    passages: list[Passage] = []
    infos: dict[str, dict] = {}
    for doc in documents:
        if doc.doc_id in infos:
            raise ValueError(f"two documents share the id {doc.doc_id!r}")
        infos[doc.doc_id] = document_info(doc)
        doc_passages, profile = analyse(doc, max_chars)
        infos[doc.doc_id]["passages"] = len(doc_passages)
        infos[doc.doc_id]["profile"] = profile.to_dict()
        passages.extend(doc_passages)
    reuse: dict[str, np.ndarray] = {}
    if previous is not None and previous.model_id == encoder.model_id:
        reuse = {_key(p.index_text): v for p, v in zip(previous.passages, previous.vectors)}
    todo = sorted({_key(p.index_text): p.index_text for p in passages if _key(p.index_text) not in reuse}.items())
    if todo:
        fresh = encoder.encode_passages([t for _, t in todo], progress=progress)
        reuse.update({k: v for (k, _), v in zip(todo, fresh)})
    dim = next(iter(reuse.values())).shape[0] if reuse else getattr(encoder, "dim", 0)
    vectors = np.stack([reuse[_key(p.index_text)] for p in passages]).astype(np.float32) if passages \
        else np.zeros((0, dim), np.float32)
    index = store.Index(passages=passages, vectors=vectors, model_id=encoder.model_id,
                        chunker_version=f"{CHUNKER_VERSION}/{max_chars}", documents=infos)
    return index, len(todo)


DERIVED = ("passages", "profile")  # what indexing adds to a document's info (not compared)


def is_current(index: store.Index, documents: list[Document], model_id: str, max_chars: int) -> bool:
    """True when ``index`` was built from exactly these documents (text and metadata) with this model and chunker."""
    wanted = {d.doc_id: document_info(d) for d in documents}
    have = {k: {f: v for f, v in info.items() if f not in DERIVED} for k, info in index.documents.items()}
    return (index.model_id == model_id and index.chunker_version == f"{CHUNKER_VERSION}/{max_chars}"
            and wanted == have)


def changes(previous: store.Index | None, documents: list[Document]) -> dict[str, int]:
    """How many documents are added, updated (new text), removed and unchanged since ``previous``."""
    old = {k: v.get("content_hash") for k, v in (previous.documents if previous else {}).items()}
    new = {d.doc_id: d.content_hash for d in documents}
    return {"added": sum(1 for k in new if k not in old),
            "updated": sum(1 for k in new if k in old and old[k] != new[k]),
            "removed": sum(1 for k in old if k not in new),
            "unchanged": sum(1 for k in new if old.get(k) == new[k])}


def ensure_index(documents: list[Document], encoder: PassageEncoder, directory: str | Path,
                 max_chars: int = DEFAULT_MAX_CHARS, progress: bool = False,
                 log: Callable[[str], None] = print) -> store.Index:
    """Load the index in ``directory`` if it is current, else (re)build and save it."""
    directory = Path(directory)
    try:
        lock = store.locked(directory)
        lock.__enter__()
    except OSError as exc:
        log(f"warning: cannot lock index directory {directory} ({exc.strerror}); continuing without a lock")
        lock = None
    try:
        previous = None
        try:
            previous = store.load(directory)
        except store.IndexLoadError as exc:
            if (directory / store.MANIFEST).exists():
                log(f"warning: {exc}; rebuilding the index")
        if previous is not None and previous.passages and previous.model_id == encoder.model_id \
                and getattr(encoder, "dim", previous.dim) != previous.dim:
            log(f"warning: index {directory} holds {previous.dim}-dimensional vectors but model {encoder.model_id} "
                f"makes {encoder.dim}-dimensional ones (the model changed under the same name); rebuilding the index")
            previous = None
        if previous is not None and is_current(previous, documents, encoder.model_id, max_chars):
            log(f"index {directory} is up to date: {len(previous.passages)} passages from {len(documents)} "
                "document(s), all reused, none to encode")
            return previous
        index, encoded = build_index(documents, encoder, previous, max_chars, progress)
        known = {_key(p.index_text) for p in previous.passages} \
            if previous is not None and previous.model_id == encoder.model_id else set()
        reused = sum(1 for p in index.passages if _key(p.index_text) in known)
        summary = ", ".join(f"{n} {what}" for what, n in changes(previous, documents).items() if n)
        try:
            store.save(index, directory)
            log(f"indexed {len(index.passages)} passages from {len(documents)} document(s) "
                f"({encoded} encoded, {reused} reused; documents: {summary or 'none'}) into {directory}")
        except OSError as exc:
            log(f"warning: cannot write the index to {directory} ({exc.strerror}); using it in memory only")
        return index
    finally:
        if lock is not None:
            lock.__exit__(None, None, None)
