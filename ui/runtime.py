"""Wire the pieces together once per process: encoder, index (built or reused), QA system."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from embeddings.indexer import ensure_index_of_files, file_record
from embeddings.vector_cache import caching
from embeddings.loaders import Document, DocumentError, bundled_report_path, load_document
from embeddings.model import Encoder
from embeddings.store import Index, IndexLoadError, has_index, read_manifest
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
    """The corpus to serve: the one given, else the one the index was built from, else (no index
    yet) the bundled report. A damaged manifest is read from its copy; when neither can be read
    this is an error naming the way out, never a silent switch to the bundled report."""
    if settings.corpus:
        return expand_paths(settings.corpus)
    from embeddings.milvus_store import recorded_paths, target_of
    if target_of(settings.store):  # the documents the Milvus index holds, never another store's
        recorded = recorded_paths(target_of(settings.store), settings.index_name,
                                  os.environ.get("REPORT_QA_MILVUS_TOKEN", ""))
        return [Path(p) for p in recorded] or [bundled_report_path()]
    try:
        manifest = read_manifest(settings.index_dir)
    except IndexLoadError as exc:
        if has_index(settings.index_dir):
            raise DocumentError(f"{exc}, and so is its copy: the list of indexed documents is lost. Name them "
                                "again: report-qa index FILE_OR_DIR ... (or --corpus)") from None
        return [bundled_report_path()]
    recorded = [d.get("path") for d in manifest.get("documents", {}).values() if isinstance(d.get("path"), str)]
    if recorded:
        return [Path(p) for p in recorded]
    return [bundled_report_path()]  # an index built from documents in memory records no paths


def shown(path: str | Path) -> str:
    """A path as text to print: bytes of a name that is not UTF-8 as ``\\xNN``."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def readable_name(name: str) -> str | None:
    """A file name that is not UTF-8 (Python holds its bytes as surrogates), decoded as GB18030
    (Chinese Windows archives); None when it is UTF-8 already or cannot be decoded."""
    raw = os.fsencode(name)
    try:
        raw.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    try:
        decoded = raw.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return decoded if decoded.isprintable() else None


def load_documents(paths: list[Path], log: Callable[[str], None],
                   taken: set[str] | frozenset[str] = frozenset()) -> tuple[list[Document], list[str]]:
    """Load every readable document; report (and skip) the ones that cannot be read. ``taken``:
    document ids already in use (documents kept from the index without reading them)."""
    docs, skipped, ids = [], [], set(taken)
    for p in paths:
        try:
            doc = load_document(p)
            record = file_record(p)
        except DocumentError as exc:
            log(f"skipped: {shown(exc)}")
            skipped.append(shown(exc))
            continue
        except OSError as exc:
            message = f"{shown(p)}: cannot read ({exc.strerror or exc})"
            log(f"skipped: {message}")
            skipped.append(message)
            continue
        decoded = readable_name(Path(p).name)
        if decoded is not None:
            log(f"warning: the name of {shown(p)} is not UTF-8; read it as GB18030: {decoded}")
            if doc.title == Path(p).stem:
                doc.title = Path(decoded).stem
            doc.doc_id = doc.source = decoded
        elif shown(Path(p).name) != Path(p).name:
            doc.doc_id = doc.source = shown(Path(p).name)
            doc.title = shown(doc.title)
        if doc.doc_id in ids:  # two files of the same name in different folders
            doc.doc_id = shown(p)
        ids.add(doc.doc_id)
        blank = doc.metadata.get("pages_without_text")
        if blank:
            listed = ", ".join(map(str, blank[:10])) + (" …" if len(blank) > 10 else "")
            log(f"warning: {shown(p)}: {len(blank)} page(s) have no text layer (scanned images?) and are not indexed: "
                f"{listed}")
        doc.metadata["path"] = str(Path(p).resolve())
        doc.metadata["file"] = record
        docs.append(doc)
    return docs, skipped


def make_encoder(settings: Settings) -> Encoder:
    """The embedding model the settings name, loaded."""
    encoder = Encoder(settings.model, settings.data_dir, precision=settings.precision,
                      query_backend=settings.query_backend, export_queries=not settings.one_shot)
    encoder.warm_up()
    return encoder


def build_system(settings: Settings, progress: bool = False, log: Callable[[str], None] | None = None,
                 encoder: Encoder | None = None, must_save: bool = False) -> System:
    """Load the model, build or reuse the index (reading only the files that changed), warm the
    QA system. ``must_save``: fail when the index cannot be written (``report-qa index``)."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    paths = corpus_paths(settings)
    if not paths:
        raise DocumentError("no documents to index: the folders named hold no supported files")
    if encoder is None:
        encoder = make_encoder(settings)
    from embeddings.milvus_store import target_of
    indexing = caching(encoder, settings.data_dir, log)  # passages any index encoded before are not encoded again
    if target_of(settings.store) is None:  # FAISS in process, the default
        index, skipped = ensure_index_of_files(paths, indexing, settings.index_dir,
                                               lambda todo, taken: load_documents(todo, log, taken),
                                               progress=progress, log=log, must_save=must_save)
    else:
        docs, skipped = load_documents(paths, log)
        if not docs:
            raise DocumentError("no readable documents to index" + (f" ({'; '.join(skipped)})" if skipped else ""))
        index = _open_index(settings, docs, indexing, progress, log)
    qa = ReportQA(index, encoder, mode=settings.mode,
                  token_cache=settings.data_dir / "words" / f"{settings.index_name}.npz")
    qa.warm_up()
    return System(settings, encoder, index, qa, skipped)


def _open_index(settings: Settings, docs: list[Document], encoder: Encoder, progress: bool,
                log: Callable[[str], None]):
    """The Milvus collection the settings name, brought up to date with ``docs``."""
    from embeddings.milvus_store import ensure_milvus_index, target_of
    target = target_of(settings.store)
    from qa.token_cache import JiebaSegmenter
    return ensure_milvus_index(docs, encoder, target, settings.index_name, JiebaSegmenter(), progress=progress,
                               log=log, token=os.environ.get("REPORT_QA_MILVUS_TOKEN", ""))
