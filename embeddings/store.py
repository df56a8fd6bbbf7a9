"""An index on disk: passages, their vectors, a FAISS index and a manifest that commits them.

Data files are written under content-addressed names first; the manifest, written last with
an atomic rename, is the single commit point. A crash at any moment leaves either the old or
the new index, never a mix. Every file's SHA-256 and size are in the manifest, so damage is
detected on load instead of giving silently wrong answers. A copy of the manifest
(``manifest.copy.json``, written just before it) lets a damaged manifest be recovered with
nothing rebuilt and no document forgotten. Data files are read only if they are regular files
of the recorded size (a symlink to a device is refused, not read until memory runs out), through
a memory map: the vectors stay mapped, nothing is copied onto the Python heap to be checked.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import mmap
import os
import re
import stat
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
MANIFEST_COPY = "manifest.copy.json"
TEMP_SUFFIX = ".tmp"
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


class IndexLoadError(RuntimeError):
    """The index on disk is missing, damaged or unreadable; the message says which."""


class IndexSaveError(OSError):
    """Nothing could be saved (read-only or full disk); the message says where and why."""


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
    recovered: str = ""  # why the manifest was refused when this index was loaded from its copy

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

    def vectors_of(self, rows: list[int]) -> np.ndarray:
        """The vectors of these rows (the retriever scores passages only its BM25 leg found)."""
        return np.asarray(self.vectors[rows], dtype=np.float32).reshape(len(rows), self.dim)

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
        with _open_regular(path) as f:  # a FIFO or a link to a device is not a copy: it is replaced
            h = hashlib.sha256()
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
            return h.hexdigest() == digest
    except OSError:
        return False


def _write_atomically(target: Path, data: bytes, prefix: str) -> None:
    """``data`` into ``target`` by a synced temporary file and a rename; no temporary file is left
    behind when writing fails (a full disk)."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=TEMP_SUFFIX)
    try:
        _share(fd)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_file(directory: Path, stem: str, suffix: str, data: bytes) -> tuple[str, str, int]:
    digest = _sha256(data)
    name = f"{stem}-{digest[:16]}{suffix}"
    target = directory / name
    if not _holds(target, digest):
        _write_atomically(target, data, f".{stem}-")
    return name, digest, len(data)


def json_text(value: object) -> str:
    """JSON for files on disk: UTF-8 text as is, lone surrogates (file names that are not UTF-8,
    as Python reads them) as ``\\udcXX`` escapes, so writing never fails and reading restores them."""
    return _SURROGATE_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False, indent=1))


def clean_temporary(directory: str | Path, older_than: float = 0.0) -> int:
    """Remove temporary files that interrupted saves left in ``directory`` (only those older than
    ``older_than`` seconds: 0 when the caller holds the lock); returns how many."""
    removed = 0
    now = time.time()
    with contextlib.suppress(OSError):
        for p in Path(directory).iterdir():
            if p.name.startswith(".") and p.name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    if now - p.lstat().st_mtime >= older_than:
                        p.unlink()
                        removed += 1
    return removed


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
        "files": {k: {"name": n, "sha256": d, "size": size} for k, (n, d, size) in files.items()},
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    text = json_text(manifest).encode("utf-8")
    _write_atomically(directory / MANIFEST_COPY, text, ".manifest-")  # first: a crash leaves both usable
    _write_atomically(directory / MANIFEST, text, ".manifest-")
    _fsync_dir(directory)
    keep = {v[0] for v in files.values()} | {MANIFEST, MANIFEST_COPY, ".lock"}
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


MAX_MANIFEST_BYTES = 256 * 1024 * 1024


def read_manifest(directory: str | Path, copy: bool = True) -> dict:
    """The manifest of the index in ``directory``; :class:`IndexLoadError` if absent or damaged.

    When the manifest is damaged and ``copy`` is true, its copy is used if that is intact: the
    result then has ``"recovered": "<why the manifest was refused>"``.
    """
    try:
        return _read_manifest(Path(directory) / MANIFEST, directory)
    except IndexLoadError as exc:
        if not copy or not (Path(directory) / MANIFEST).exists() and not (Path(directory) / MANIFEST_COPY).exists():
            raise
        try:
            manifest = _read_manifest(Path(directory) / MANIFEST_COPY, directory)
        except IndexLoadError:
            raise exc from None
        manifest["recovered"] = str(exc)
        return manifest


def has_index(directory: str | Path) -> bool:
    """Whether ``directory`` holds an index or what is left of one (a manifest, its copy, data files)."""
    with contextlib.suppress(OSError):
        return any(p.name in (MANIFEST, MANIFEST_COPY) or re.fullmatch(r"(vectors|passages|faiss)-[0-9a-f]{16}\.\w+",
                                                                      p.name)
                   for p in Path(directory).iterdir())
    return False


def _read_manifest(path: Path, directory: str | Path) -> dict:
    try:
        manifest = json.loads(_read_regular(path, MAX_MANIFEST_BYTES).decode("utf-8"))
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
                    and isinstance(files[k].get("size", 0), int) and not isinstance(files[k].get("size"), bool)
                    and isinstance(files[k].get("name"), str) and files[k]["name"] == Path(files[k]["name"]).name
                    and not files[k]["name"].startswith(".") for k in ("vectors", "passages", "faiss")))


def _read_regular(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, else :class:`OSError`."""
    with _open_regular(path) as f:
        st = os.fstat(f.fileno())
        if st.st_size > limit:
            raise OSError(f"{path.name} is larger than {limit} bytes")
        return f.read(limit + 1)[:limit + 1]


def _open_regular(path: Path):
    """``path`` opened for reading if it is a regular file (without blocking on a FIFO), else :class:`OSError`."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path.name} in {path.parent} is not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


MAX_DATA_BYTES = 64 * 1024 ** 3  # an index file of a manifest without sizes (older versions)


def _map(path: Path, size: int | None) -> mmap.mmap:
    """``path`` mapped read-only if it is a regular file of ``size`` bytes; :class:`IndexLoadError` otherwise."""
    try:
        with _open_regular(path) as f:
            st = os.fstat(f.fileno())
            if (size is not None and st.st_size != size) or st.st_size == 0 or st.st_size > MAX_DATA_BYTES:
                raise IndexLoadError(f"index file {path.name} in {path.parent} is damaged "
                                     f"({st.st_size} bytes, {size} expected)")
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except FileNotFoundError:
        raise IndexLoadError(f"index file {path.name} is missing from {path.parent}") from None
    except OSError as exc:
        what = exc.args[0] if exc.args and isinstance(exc.args[0], str) else f"{path.name} cannot be read"
        raise IndexLoadError(f"index file {what}") from None


def load(directory: str | Path, manifest: dict | None = None) -> Index:
    """Load and verify the index in ``directory`` (described by ``manifest``, else by its manifest
    or, when that or what it describes is damaged, by the manifest's copy: then
    ``Index.recovered`` says what was wrong)."""
    directory = Path(directory)
    if manifest is not None:
        return _load(directory, manifest)
    try:
        return _load(directory, read_manifest(directory, copy=False))
    except IndexLoadError as exc:
        try:
            copy = _read_manifest(directory / MANIFEST_COPY, directory)
            index = _load(directory, copy)
        except IndexLoadError:
            raise exc from None
        index.recovered = str(exc)
        return index


def _load(directory: Path, manifest: dict) -> Index:
    try:
        maps = {}
        for key in ("vectors", "passages", "faiss"):
            entry = manifest["files"][key]
            maps[key] = _map(directory / entry["name"], entry.get("size"))
            if hashlib.sha256(maps[key]).hexdigest() != entry["sha256"]:
                raise IndexLoadError(f"index file {entry['name']} in {directory} is damaged (checksum mismatch)")
        vectors = _mapped_array(maps["vectors"])
        passages = [Passage(**p) for p in json.loads(bytes(maps["passages"]).decode("utf-8"))]
        faiss_index = vector_index.from_bytes(maps["faiss"])
        maps["passages"].close()
        maps["faiss"].close()
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


def _mapped_array(mapped: mmap.mmap) -> np.ndarray:
    """The ``.npy`` array in ``mapped`` as a read-only view of the map (no copy)."""
    stream = io.BytesIO(mapped[:4096])
    version = np.lib.format.read_magic(stream)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran, dtype = read_header(stream)
    if dtype.hasobject or fortran:
        raise ValueError("unexpected array layout")
    count = int(np.prod(shape, dtype=np.int64))
    return np.frombuffer(mapped, dtype=dtype, count=count, offset=stream.tell()).reshape(shape)


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
