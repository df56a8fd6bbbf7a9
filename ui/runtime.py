"""Wire the pieces together once per process: encoder, index (built or reused), QA system."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from embeddings.indexer import ensure_index
from embeddings.loaders import Document, DocumentError, bundled_report_path, load_document
from embeddings.model import Encoder
from embeddings.store import Index, IndexLoadError, read_manifest
from qa.pipeline import ReportQA
from ui.config import Settings


@dataclass
class System:
    """Everything a front end needs, loaded once."""

    settings: Settings
    encoder: Encoder
    index: Index
    qa: ReportQA
    skipped: list[str]


def expand_paths(paths: list[str]) -> list[Path]:
    """Files named, and the supported files inside folders named, in a stable order."""
    from embeddings.loaders import SUPPORTED_SUFFIXES
    out: list[Path] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES
                              and not f.name.startswith("~$")  # Word's lock file beside an open document
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            out.append(p)
    return out


def corpus_paths(settings: Settings) -> list[Path]:
    """The corpus to serve: the one given, else the one the index was built from, else the bundled report."""
    if settings.corpus:
        return expand_paths(settings.corpus)
    from embeddings.milvus_store import recorded_paths, target_of
    if target_of(settings.store):  # the documents the Milvus index holds, never another store's
        recorded = recorded_paths(target_of(settings.store), settings.index_name,
                                  os.environ.get("REPORT_QA_MILVUS_TOKEN", ""))
        return [Path(p) for p in recorded] or [bundled_report_path()]
    try:
        manifest = read_manifest(settings.index_dir)
        recorded = [d.get("path") for d in manifest.get("documents", {}).values() if d.get("path")]
        if recorded:
            return [Path(p) for p in recorded]
    except IndexLoadError:
        pass
    return [bundled_report_path()]


def load_documents(paths: list[Path], log: Callable[[str], None]) -> tuple[list[Document], list[str]]:
    """Load every readable document; report (and skip) the ones that cannot be read."""
    docs, skipped, ids = [], [], set()
    for p in paths:
        try:
            doc = load_document(p)
        except DocumentError as exc:
            log(f"skipped: {exc}")
            skipped.append(str(exc))
            continue
        if doc.doc_id in ids:  # two files of the same name in different folders
            doc.doc_id = str(p)
        ids.add(doc.doc_id)
        blank = doc.metadata.get("pages_without_text")
        if blank:
            shown = ", ".join(map(str, blank[:10])) + (" …" if len(blank) > 10 else "")
            log(f"warning: {p}: {len(blank)} page(s) have no text layer (scanned images?) and are not indexed: {shown}")
        doc.metadata["path"] = str(Path(p).resolve())
        docs.append(doc)
    return docs, skipped


def make_encoder(settings: Settings) -> Encoder:
    """The embedding model the settings name, loaded."""
    encoder = Encoder(settings.model, settings.data_dir, precision=settings.precision,
                      query_backend=settings.query_backend)
    encoder.warm_up()
    return encoder


def build_system(settings: Settings, progress: bool = False, log: Callable[[str], None] | None = None,
                 encoder: Encoder | None = None) -> System:
    """Load the model, build or reuse the index, warm the QA system."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    docs, skipped = load_documents(corpus_paths(settings), log)
    if not docs:
        raise DocumentError("no readable documents to index" + (f" ({'; '.join(skipped)})" if skipped else ""))
    if encoder is None:
        encoder = make_encoder(settings)
    index = _open_index(settings, docs, encoder, progress, log)
    qa = ReportQA(index, encoder, mode=settings.mode, token_cache=settings.data_dir / "words" / f"{settings.index_name}.npz")
    qa.warm_up()
    return System(settings, encoder, index, qa, skipped)


def _open_index(settings: Settings, docs: list[Document], encoder: Encoder, progress: bool,
                log: Callable[[str], None]):
    """The index in the store the settings name: FAISS in process, or a Milvus collection."""
    from embeddings.milvus_store import ensure_milvus_index, target_of
    target = target_of(settings.store)
    if target is None:
        return ensure_index(docs, encoder, settings.index_dir, progress=progress, log=log)
    from qa.token_cache import JiebaSegmenter
    return ensure_milvus_index(docs, encoder, target, settings.index_name, JiebaSegmenter(), progress=progress,
                               log=log, token=os.environ.get("REPORT_QA_MILVUS_TOKEN", ""))
