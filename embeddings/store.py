"""An index on disk: passages, their vectors, a FAISS index and a manifest that commits them.

Data files are written under content-addressed names first; the manifest, written last with
an atomic rename, is the single commit point. A crash at any moment leaves either the old or
the new index, never a mix. Every file's SHA-256 is in the manifest, so damage is detected
on load instead of giving silently wrong answers.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from embeddings import vector_index
from embeddings.chunking import Passage

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


class IndexLoadError(RuntimeError):
    """The index on disk is missing, damaged or unreadable; the message says which."""


@dataclass
class Index:
    """Passages with their vectors and a FAISS index over them."""

    passages: list[Passage]
    vectors: np.ndarray
    model_id: str
    chunker_version: str
    documents: dict[str, dict] = field(default_factory=dict)
    faiss_index: object = None
    index_kind: str = "auto"

    def __post_init__(self) -> None:
        if self.faiss_index is None:
            self.faiss_index = vector_index.build(self.vectors, self.index_kind)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def search(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(row, cosine) of the ``k`` passages nearest to one query vector."""
        if not self.passages:
            return []
        scores, ids = vector_index.search(self.faiss_index, query_vector, k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    @property
    def corpus_hash(self) -> str:
        h = hashlib.sha256()
        for doc_id in sorted(self.documents):
            h.update(f"{doc_id}\0{self.documents[doc_id].get('content_hash', '')}\0".encode())
        return h.hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()


def _share(fd: int) -> None:
    """Give a temporary file the mode of an ordinary new file (mkstemp makes it 0600), so a
    service account can read an index that another account built."""
    with contextlib.suppress(OSError):
        os.fchmod(fd, _FILE_MODE)


def _holds(path: Path, digest: str) -> bool:
    """True if ``path`` already holds exactly the data of ``digest`` (a damaged copy is rewritten)."""
    try:
        return _sha256(path.read_bytes()) == digest
    except OSError:
        return False


def _write_file(directory: Path, stem: str, suffix: str, data: bytes) -> tuple[str, str]:
    digest = _sha256(data)
    name = f"{stem}-{digest[:16]}{suffix}"
    target = directory / name
    if not _holds(target, digest):
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{stem}-", suffix=".tmp")
        _share(fd)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    return name, digest


def save(index: Index, directory: str | Path) -> Path:
    """Write ``index`` to ``directory`` atomically; unreferenced old files are removed."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(index.vectors, dtype=np.float32), allow_pickle=False)
    passages = json.dumps([p.to_dict() for p in index.passages], ensure_ascii=False).encode("utf-8")
    files = {
        "vectors": _write_file(directory, "vectors", ".npy", buf.getvalue()),
        "passages": _write_file(directory, "passages", ".json", passages),
        "faiss": _write_file(directory, "faiss", ".index", vector_index.to_bytes(index.faiss_index)),
    }
    manifest = {
        "format_version": FORMAT_VERSION,
        "model_id": index.model_id,
        "dim": index.dim,
        "chunker_version": index.chunker_version,
        "passages": len(index.passages),
        "corpus_hash": index.corpus_hash,
        "documents": index.documents,
        "index_kind": vector_index.choose_kind(len(index.passages)) if index.index_kind == "auto" else index.index_kind,
        "files": {k: {"name": n, "sha256": d} for k, (n, d) in files.items()},
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".manifest-", suffix=".tmp")
    _share(fd)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, directory / MANIFEST)
    _fsync_dir(directory)
    keep = {v[0] for v in files.values()} | {MANIFEST, ".lock"}
    for p in directory.iterdir():
        if p.name not in keep and not p.name.startswith(".manifest-") and p.is_file():
            with contextlib.suppress(OSError):
                p.unlink()
    return directory


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read_manifest(directory: str | Path) -> dict:
    """The manifest of the index in ``directory``; :class:`IndexLoadError` if absent or damaged."""
    path = Path(directory) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexLoadError(f"no index at {directory}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise IndexLoadError(f"index manifest {path} is damaged ({type(exc).__name__})") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise IndexLoadError(f"index manifest {path} has an unknown format")
    if not _well_formed(manifest):
        raise IndexLoadError(f"index manifest {path} is damaged (fields missing or of the wrong type)")
    return manifest


def _well_formed(manifest: dict) -> bool:
    """Every field the loader and the indexer read is there with the right type; file names are plain names."""
    files, documents = manifest.get("files"), manifest.get("documents", {})
    return (isinstance(manifest.get("model_id"), str) and isinstance(manifest.get("chunker_version"), str)
            and isinstance(manifest.get("dim"), int) and isinstance(manifest.get("passages", 0), int)
            and isinstance(documents, dict) and all(isinstance(v, dict) for v in documents.values())
            and isinstance(files, dict)
            and all(isinstance(files.get(k), dict) and isinstance(files[k].get("sha256"), str)
                    and isinstance(files[k].get("name"), str) and files[k]["name"] == Path(files[k]["name"]).name
                    and not files[k]["name"].startswith(".") for k in ("vectors", "passages", "faiss")))


def load(directory: str | Path) -> Index:
    """Load and verify the index in ``directory``."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    try:
        blobs = {}
        for key in ("vectors", "passages", "faiss"):
            entry = manifest["files"][key]
            data = (directory / entry["name"]).read_bytes()
            if _sha256(data) != entry["sha256"]:
                raise IndexLoadError(f"index file {entry['name']} in {directory} is damaged (checksum mismatch)")
            blobs[key] = data
        vectors = np.load(io.BytesIO(blobs["vectors"]), allow_pickle=False)
        passages = [Passage(**p) for p in json.loads(blobs["passages"].decode("utf-8"))]
        faiss_index = vector_index.from_bytes(blobs["faiss"])
    except IndexLoadError:
        raise
    except FileNotFoundError as exc:
        raise IndexLoadError(f"index file {Path(exc.filename).name} is missing from {directory}") from None
    except (KeyError, TypeError, ValueError, OSError, RuntimeError) as exc:
        raise IndexLoadError(f"index in {directory} is damaged ({type(exc).__name__})") from None
    if vectors.ndim != 2 or len(vectors) != len(passages) or faiss_index.ntotal != len(passages) \
            or vectors.shape[1] != manifest.get("dim") or manifest.get("passages", len(passages)) != len(passages):
        raise IndexLoadError(f"index in {directory} is inconsistent (vectors, passages and FAISS disagree)")
    return Index(passages=passages, vectors=vectors, model_id=manifest["model_id"],
                 chunker_version=manifest["chunker_version"], documents=manifest.get("documents", {}),
                 faiss_index=faiss_index, index_kind=manifest.get("index_kind", "auto"))


@contextlib.contextmanager
def locked(directory: str | Path) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` so two indexers never interleave."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a+") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
