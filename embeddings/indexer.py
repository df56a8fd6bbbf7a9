"""Build, reuse and update the index of a set of documents.

Vectors are reused by the content hash of each passage's index text (as ``llm`` does for
embeddings), so re-indexing an unchanged corpus encodes nothing, and changing one document
encodes only that document's new passages. A damaged index is reported and rebuilt.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
import time
from pathlib import Path
from typing import Callable, Iterable, Protocol

import numpy as np

from embeddings import store
from embeddings.chunking import CHUNKER_VERSION, DEFAULT_MAX_CHARS, Passage, chunk_blocks
from embeddings.cleaning import clean
from embeddings.loaders import Document, DocumentError
from embeddings.profile import Profile
from embeddings.profile import build as build_profile
from embeddings.structure import parse
from embeddings.vector_cache import PASSAGE_BATCH, text_key


class PassageEncoder(Protocol):
    model_id: str

    def encode_passages(self, texts: list[str], batch_size: int = PASSAGE_BATCH,
                        progress: bool = False) -> np.ndarray: ...


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


_key = text_key  # one content hash for reuse within an index and across indexes (the vector cache)


def build_index(documents: Iterable[Document | str], encoder: PassageEncoder, previous: store.Index | None = None,
                max_chars: int = DEFAULT_MAX_CHARS, progress: bool = False) -> tuple[store.Index, int]:
    """A new index of ``documents``; returns it and how many passages had to be encoded.

    A string among ``documents`` is the id of a document of ``previous`` that is kept as it was
    indexed (its file unchanged, or missing and kept until the user removes it)."""
    passages: list[Passage] = []
    infos: dict[str, dict] = {}
    for doc in documents:
        doc_id = doc if isinstance(doc, str) else doc.doc_id
        if doc_id in infos:
            raise ValueError(f"two documents share the id {doc_id!r}")
        if isinstance(doc, str):
            if previous is None or doc not in previous.documents:
                raise ValueError(f"document {doc!r} is not in the previous index")
            infos[doc] = dict(previous.documents[doc])
            passages.extend(Passage(**p.to_dict()) for p in previous.passages if p.doc_id == doc)
            continue
        infos[doc_id] = document_info(doc)
        doc_passages, profile = analyse(doc, max_chars)
        infos[doc_id]["passages"] = len(doc_passages)
        infos[doc_id]["profile"] = profile.to_dict()
        passages.extend(doc_passages)
    reuse: dict[str, np.ndarray] = {}
    if previous is not None and previous.model_id == encoder.model_id:
        reuse = {_key(p.index_text): v for p, v in zip(previous.passages, previous.vectors)}
    todo = sorted({_key(p.index_text): p.index_text for p in passages if _key(p.index_text) not in reuse}.items())
    if todo:
        fresh = _encode(encoder, [t for _, t in todo], progress)
        reuse.update({k: v for (k, _), v in zip(todo, fresh)})
    dim = next(iter(reuse.values())).shape[0] if reuse else getattr(encoder, "dim", 0)
    vectors = np.stack([reuse[_key(p.index_text)] for p in passages]).astype(np.float32) if passages \
        else np.zeros((0, dim), np.float32)
    index = store.Index(passages=passages, vectors=vectors, model_id=encoder.model_id,
                        chunker_version=f"{CHUNKER_VERSION}/{max_chars}", documents=infos)
    return index, len(todo)


DERIVED = ("passages", "profile")  # what indexing adds to a document's info (not compared)
PAUSE_ENV = "REPORT_QA_TEST_PAUSE_ENCODING"
"""For fault tests only: a file path; after the first passage is encoded the indexer writes that
file and waits there until it is killed, so a test kills it mid-encoding at a point it controls."""


def _encode(encoder: PassageEncoder, texts: list[str], progress: bool) -> np.ndarray:
    pause = os.environ.get(PAUSE_ENV)
    if pause and len(texts) > 1:
        encoder.encode_passages(texts[:1])
        Path(pause).write_text(str(os.getpid()), encoding="utf-8")
        while True:  # until SIGKILL
            time.sleep(1)
    return encoder.encode_passages(texts, progress=progress)


def is_current(index: store.Index, documents: list[Document], model_id: str, max_chars: int) -> bool:
    """True when ``index`` was built from exactly these documents (text and metadata) with this model and chunker."""
    wanted = {d.doc_id: document_info(d) for d in documents}
    have = {k: {f: v for f, v in info.items() if f not in DERIVED} for k, info in index.documents.items()}
    return (index.model_id == model_id and index.chunker_version == f"{CHUNKER_VERSION}/{max_chars}"
            and wanted == have)


def changes(previous: store.Index | None, documents: list[Document | str]) -> dict[str, int]:
    """How many documents are added, updated (new text), removed and unchanged since ``previous``."""
    old = {k: v.get("content_hash") for k, v in (previous.documents if previous else {}).items()}
    new = {d: old.get(d) for d in documents if isinstance(d, str)}
    new.update({d.doc_id: d.content_hash for d in documents if not isinstance(d, str)})
    return {"added": sum(1 for k in new if k not in old),
            "updated": sum(1 for k in new if k in old and old[k] != new[k]),
            "removed": sum(1 for k in old if k not in new),
            "unchanged": sum(1 for k in new if old.get(k) == new[k])}


# --- the index of a set of files, kept on disk --------------------------------------------------

def file_record(path: str | Path) -> dict:
    """What the manifest remembers of a document's file to know, at the next start, that it has
    not changed without reading it: size, modification time, SHA-256 (and the same of the
    ``.meta.json`` beside it, which can change its title or year)."""
    path = Path(path)
    st = path.stat()
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": h.hexdigest(), "meta": _meta_stamp(path)}


def _meta_stamp(path: Path) -> list[int] | None:
    try:
        st = Path(str(path) + ".meta.json").stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def unchanged(path: str | Path, record: object) -> str:
    """``"same"`` when ``path`` still is the file ``record`` describes by size and time, ``"touched"``
    when only its time changed (same SHA-256: it is re-hashed, not re-read), else ``""``."""
    if not isinstance(record, dict):
        return ""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size != record.get("size") \
                or _meta_stamp(Path(path)) != record.get("meta"):
            return ""
        if st.st_mtime_ns == record.get("mtime_ns"):
            return "same"
        return "touched" if file_record(path)["sha256"] == record.get("sha256") else ""
    except OSError:
        return ""


def _resolved(path: str | Path) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return str(path)


def _lock(directory: Path, log: Callable[[str], None], required: bool):
    """The index directory's lock, entered; None (with a warning) when it cannot be taken and
    ``required`` is false, else :class:`store.IndexSaveError`."""
    try:
        lock = store.locked(directory)
        lock.__enter__()
        return lock
    except OSError as exc:
        if required:
            raise store.IndexSaveError(f"cannot write the index directory {directory} "
                                       f"({exc.strerror or exc}); nothing was saved") from None
        log(f"warning: cannot lock index directory {directory} ({exc.strerror}); continuing without a lock")
        return None


def _previous(directory: Path, encoder: PassageEncoder, log: Callable[[str], None]) -> store.Index | None:
    """The index on disk, if it loads (from the manifest's copy, with a warning, when the manifest is damaged)."""
    previous = None
    try:
        previous = store.load(directory)
    except store.IndexLoadError as exc:
        if store.has_index(directory):
            log(f"warning: {exc}; rebuilding the index")
    if previous is not None and previous.recovered:
        log(f"warning: {previous.recovered}; recovered the index from {store.MANIFEST_COPY}")
    if previous is not None and previous.passages and previous.model_id == encoder.model_id \
            and getattr(encoder, "dim", previous.dim) != previous.dim:
        log(f"warning: index {directory} holds {previous.dim}-dimensional vectors but model {encoder.model_id} "
            f"makes {encoder.dim}-dimensional ones (the model changed under the same name); rebuilding the index")
        previous = None
    return previous


def _save(index: store.Index, directory: Path, log: Callable[[str], None], must_save: bool) -> bool:
    try:
        store.save(index, directory)
        return True
    except OSError as exc:
        if must_save:
            raise store.IndexSaveError(f"cannot write the index to {directory} ({exc.strerror or exc}); "
                                       "nothing was saved") from None
        log(f"warning: cannot write the index to {directory} ({exc.strerror}); using it in memory only")
        return False


def _update(previous: store.Index | None, documents: list[Document | str], encoder: PassageEncoder,
            directory: Path, max_chars: int, progress: bool, log: Callable[[str], None], must_save: bool) -> store.Index:
    """Build the index of ``documents`` (reusing ``previous``'s vectors) and save it."""
    hits = getattr(encoder, "hits", 0)  # a CachingEncoder counts the vectors its cache gave
    index, encoded = build_index(documents, encoder, previous, max_chars, progress)
    cached = getattr(encoder, "hits", 0) - hits
    known = {_key(p.index_text) for p in previous.passages} \
        if previous is not None and previous.model_id == encoder.model_id else set()
    reused = sum(1 for p in index.passages if _key(p.index_text) in known)
    summary = ", ".join(f"{n} {what}" for what, n in changes(previous, documents).items() if n)
    if _save(index, directory, log, must_save):
        log(f"indexed {len(index.passages)} passages from {len(documents)} document(s) "
            f"({encoded - cached} encoded, {reused} reused" + (f", {cached} from the vector cache" if cached else "")
            + f"; documents: {summary or 'none'}) into {directory}")
    return index


def ensure_index(documents: list[Document], encoder: PassageEncoder, directory: str | Path,
                 max_chars: int = DEFAULT_MAX_CHARS, progress: bool = False,
                 log: Callable[[str], None] = print, must_save: bool = False) -> store.Index:
    """Load the index in ``directory`` if it is current, else (re)build and save it.

    ``must_save``: a write that fails (read-only or full disk) raises :class:`store.IndexSaveError`
    instead of leaving the index in memory only (``report-qa index`` must not succeed silently)."""
    directory = Path(directory)
    lock = _lock(directory, log, must_save)
    try:
        if lock is not None:
            store.clean_temporary(directory)  # what interrupted saves left behind
        previous = _previous(directory, encoder, log)
        if previous is not None and not previous.recovered \
                and is_current(previous, documents, encoder.model_id, max_chars):
            log(f"index {directory} is up to date: {len(previous.passages)} passages from {len(documents)} "
                "document(s), all reused, none to encode")
            return previous
        return _update(previous, list(documents), encoder, directory, max_chars, progress, log, must_save)
    finally:
        if lock is not None:
            lock.__exit__(None, None, None)


def ensure_index_of_files(paths: list[Path], encoder: PassageEncoder, directory: str | Path,
                          load: Callable[[list[Path], set[str]], tuple[list[Document], list[str]]],
                          max_chars: int = DEFAULT_MAX_CHARS, progress: bool = False,
                          log: Callable[[str], None] = print, must_save: bool = False) -> tuple[store.Index, list[str]]:
    """The index of the files ``paths``, reading only what changed since it was built.

    A file whose size and time (or, when only its time changed, its SHA-256) match what the
    index recorded is not read again: its passages and vectors are kept. A file that is missing
    or unreadable but was indexed before is kept as it was indexed, with a warning, until the
    user indexes a list of files without it. ``load(paths, taken_ids)`` reads documents (see
    :func:`ui.runtime.load_documents`). Returns the index and the messages of skipped files.
    """
    directory = Path(directory)
    lock = _lock(directory, log, must_save)
    try:
        if lock is not None:
            store.clean_temporary(directory)
        previous = _previous(directory, encoder, log)
        same_build = previous is not None and previous.model_id == encoder.model_id \
            and previous.chunker_version == f"{CHUNKER_VERSION}/{max_chars}"
        recorded = {_resolved(info["path"]): doc_id for doc_id, info in (previous.documents if previous else {}).items()
                    if isinstance(info.get("path"), str)}
        plan: list[tuple[Path, str | None]] = []  # (path, doc id kept without reading) in the order given
        touched = False
        for p in paths:
            doc_id = recorded.get(_resolved(p)) if same_build else None
            state = unchanged(p, previous.documents[doc_id].get("file")) if doc_id else ""
            touched |= state == "touched"
            plan.append((p, doc_id if state else None))
        kept_ids = {doc_id for _, doc_id in plan if doc_id}
        loaded, skipped = load([p for p, doc_id in plan if doc_id is None], kept_ids)
        by_path = {_resolved(d.metadata.get("path", "")): d for d in loaded}
        documents: list[Document | str] = []
        for p, doc_id in plan:
            if doc_id:
                documents.append(doc_id)
            elif _resolved(p) in by_path:
                documents.append(by_path[_resolved(p)])
            elif previous is not None and recorded.get(_resolved(p)) in previous.documents:
                old = recorded[_resolved(p)]
                log(f"warning: {p} cannot be read now; keeping the copy indexed before ({old}). "
                    "To remove it, run report-qa index with the files to keep")
                documents.append(old)
        for d in loaded:  # a file added twice under different paths is indexed once
            if d not in documents:
                documents.append(d)
        if touched:
            for i, d in enumerate(documents):  # only the time changed: record it, keep everything else
                if isinstance(d, str) and previous.documents[d].get("path"):
                    path = previous.documents[d]["path"]
                    previous.documents[d]["file"] = {**previous.documents[d]["file"],
                                                     "mtime_ns": os.stat(path).st_mtime_ns}
        if previous is not None and not previous.recovered and not touched and same_build \
                and all(isinstance(d, str) for d in documents) and set(documents) == set(previous.documents):
            log(f"index {directory} is up to date: {len(previous.passages)} passages from {len(documents)} "
                "document(s), none read again, none to encode")
            return previous, skipped
        if not documents:
            raise DocumentError("no readable documents to index" + (f" ({'; '.join(skipped)})" if skipped else ""))
        return _update(previous, documents, encoder, directory, max_chars, progress, log, must_save), skipped
    finally:
        if lock is not None:
            lock.__exit__(None, None, None)
