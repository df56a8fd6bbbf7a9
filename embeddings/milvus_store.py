"""An index kept in Milvus: passages, vectors and BM25 on the Milvus side, updated document by document.

Selected by ``--store milvus:TARGET`` (``REPORT_QA_STORE``). ``TARGET`` is a local file
(``milvus:/srv/report-qa/portal.db``), which runs Milvus Lite inside the process, or the URI of
a Milvus Standalone or Distributed deployment (``milvus:http://milvus.internal:19530``; a
token, ``user:password`` or an API key, in ``REPORT_QA_MILVUS_TOKEN``). The code is the same.

One collection holds a row per passage: the passage (JSON), its document, version (the
document's content hash), position, year, the dense vector, and the passage's jieba words
(segmented by the caller's tokenizer, each word spelled as a letters-only hash so Milvus's
``standard`` analyzer keeps it whole) from which Milvus's own BM25 function makes a sparse
vector. A second collection holds one row per document (what the manifest records of it,
its glossary terms) and one for the index (model, dimension, chunker, words taught to jieba).

:func:`ensure_milvus_index` brings the collection up to date with a set of documents:
removed documents' rows are deleted, new or changed documents are chunked and upserted
(vectors reused by passage text, only new texts encoded), and the document's meta row is
written last, so an interrupted update is redone on the next start. :class:`MilvusIndex`
answers ``search`` (dense) and ``lexical`` (BM25) with ``doc``/``year`` scalar filters.

Milvus's BM25 uses Lucene's idf, ``log(1 + (N - n + 0.5) / (n + 0.5))``, where BM25Okapi
floors negative idf at a fraction of the mean; the ranking differences this makes are measured
in docs/scale.md. The process still holds the passages' text (for citations and answers).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol

import numpy as np

from embeddings.chunking import CHUNKER_VERSION, DEFAULT_MAX_CHARS, Passage
from embeddings.loaders import Document
from embeddings.vector_cache import PASSAGE_BATCH

PREFIX = "milvus:"
INDEX_ROW = "/"  # meta row of the index itself: no document id is "/"
MAX_VARCHAR = 65535
BATCH = 512


class MilvusStoreError(OSError):
    """Milvus cannot be reached or holds something unusable; the message says what."""


class Segmenter(Protocol):
    """The caller's word segmentation, as BM25 on the query side does it."""

    def teach(self, terms: list[str]) -> None: ...
    def tokenize(self, text: str) -> list[str]: ...
    def learned(self) -> frozenset[str]: ...


class PassageEncoder(Protocol):
    model_id: str

    def encode_passages(self, texts: list[str], batch_size: int = PASSAGE_BATCH,
                        progress: bool = False) -> np.ndarray: ...


def target_of(store: str) -> str | None:
    """The Milvus target of a ``--store`` setting (``None`` for the in-process FAISS store)."""
    if store in ("", "faiss"):
        return None
    if not store.startswith(PREFIX) or not store[len(PREFIX):].strip():
        raise ValueError(f"store must be 'faiss' or 'milvus:PATH_OR_URI', not {store!r}")
    return store[len(PREFIX):].strip()


def connect(target: str, token: str = ""):
    """A ``MilvusClient`` for a local Milvus Lite file or a server URI."""
    try:
        from pymilvus import MilvusClient
    except ImportError:
        raise MilvusStoreError("the Milvus store needs pymilvus (and milvus-lite for a local file): "
                               "pip install pymilvus milvus-lite") from None
    try:
        return MilvusClient(target, token=token) if token else MilvusClient(target)
    except Exception as exc:  # pymilvus raises many kinds; the user needs to know which target failed
        raise MilvusStoreError(f"cannot open Milvus at {target}: {exc}") from None


def release(target: str) -> None:
    """Stop this process's Milvus Lite server for a local file (nothing for a server URI)."""
    if target and "://" not in target:
        try:
            from milvus_lite.server_manager import server_manager_instance
        except ImportError:
            return
        server_manager_instance.release_server(target)


def word_spelling(word: str) -> str:
    """A jieba word as a letters-only token that Milvus's ``standard`` analyzer keeps as one word."""
    n = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "big")
    out = ["w"]
    while n:
        n, r = divmod(n, 26)
        out.append(chr(97 + r))
    return "".join(out)


def filter_expr(doc: str | None = None, year: int | None = None) -> str:
    """A Milvus boolean expression for the ``doc``/``year`` filters ('' for none)."""
    parts = []
    if doc:
        parts.append(f"doc_id == {json.dumps(doc, ensure_ascii=False)}")
    if year:
        parts.append(f"year == {int(year)}")
    return " and ".join(parts)


def collection_names(index_name: str) -> tuple[str, str]:
    """Collection names for an index name (Milvus allows letters, digits and _)."""
    safe = re.sub(r"[^A-Za-z0-9_]", "_", index_name)
    if safe != index_name:
        safe += "_" + hashlib.sha1(index_name.encode()).hexdigest()[:8]
    return f"report_qa_{safe}", f"report_qa_{safe}__docs"


def _pk(doc_id: str, version: str, position: int) -> int:
    digest = hashlib.blake2b(f"{doc_id}\0{version}\0{position}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # a positive int64


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class MilvusIndex:
    """The index interface of :class:`embeddings.store.Index` over a Milvus collection."""

    client: object
    collection: str
    passages: list[Passage]
    pks: list[int]
    model_id: str
    chunker_version: str
    dim: int
    documents: dict[str, dict] = field(default_factory=dict)
    segmenter: Segmenter | None = None
    index_kind: str = "milvus"
    target: str = ""

    def __post_init__(self) -> None:
        self._row = {pk: i for i, pk in enumerate(self.pks)}

    def close(self) -> None:
        """Let go of Milvus; a Milvus Lite file is then free for another process (Lite is one process per file)."""
        self.client.close()
        release(self.target)

    @property
    def vectors(self) -> np.ndarray:
        """Every passage's vector, fetched from Milvus (for tools; search never needs them here)."""
        got = {}
        for rows in _chunks(self.pks, BATCH):
            for r in self.client.get(self.collection, ids=rows, output_fields=["dense"]):
                got[r["pk"]] = r["dense"]
        return np.array([got[pk] for pk in self.pks], np.float32).reshape(len(self.pks), self.dim)

    def vectors_of(self, rows: list[int]) -> np.ndarray:
        """The vectors of these rows, fetched from Milvus in one call."""
        got = {r["pk"]: r["dense"] for r in self.client.get(self.collection, ids=[self.pks[i] for i in rows],
                                                             output_fields=["dense"])}
        return np.array([got[self.pks[i]] for i in rows], np.float32).reshape(len(rows), self.dim)

    @property
    def corpus_hash(self) -> str:
        h = hashlib.sha256()
        for doc_id in sorted(self.documents):
            h.update(f"{doc_id}\0{self.documents[doc_id].get('content_hash', '')}\0".encode())
        return h.hexdigest()

    def search(self, query_vector: np.ndarray, k: int, doc: str | None = None,
               year: int | None = None) -> list[tuple[int, float]]:
        """(row, inner product) of the ``k`` passages nearest to one query vector."""
        if not self.passages:
            return []
        res = self.client.search(self.collection, data=[np.asarray(query_vector, np.float32).ravel().tolist()],
                                 anns_field="dense", limit=max(1, min(k, 16384)), filter=filter_expr(doc, year),
                                 search_params={"metric_type": "IP"})
        return [(self._row[_hit_id(h)], float(h["distance"])) for h in res[0] if _hit_id(h) in self._row]

    def lexical(self, tokens: list[str], k: int, doc: str | None = None,
                year: int | None = None) -> list[tuple[int, float]]:
        """(row, BM25 score) by Milvus's BM25 function over the passages' jieba words."""
        if not self.passages or not tokens:
            return []
        res = self.client.search(self.collection, data=[" ".join(word_spelling(t) for t in tokens)],
                                 anns_field="sparse", limit=max(1, min(k, 16384)), filter=filter_expr(doc, year),
                                 search_params={"metric_type": "BM25"})
        # Milvus Lite reports BM25 as a negated distance, a server as the score: BM25 is never negative
        return [(self._row[_hit_id(h)], abs(float(h["distance"]))) for h in res[0] if _hit_id(h) in self._row]


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _schema(client, dim: int, server: bool):
    from pymilvus import DataType, Function, FunctionType
    schema = client.create_schema(auto_id=False)
    schema.add_field("pk", DataType.INT64, is_primary=True)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=2048)
    schema.add_field("version", DataType.VARCHAR, max_length=64)
    schema.add_field("position", DataType.INT64)
    schema.add_field("year", DataType.INT64)
    schema.add_field("key", DataType.VARCHAR, max_length=64)
    schema.add_field("passage", DataType.VARCHAR, max_length=MAX_VARCHAR)
    schema.add_field("words", DataType.VARCHAR, max_length=MAX_VARCHAR, enable_analyzer=True,
                     analyzer_params={"tokenizer": "standard"})
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                 input_field_names=["words"], output_field_names=["sparse"]))
    params = client.prepare_index_params()
    # exact search in Milvus Lite (as FAISS below 200,000 passages); a server picks its own (HNSW)
    params.add_index("dense", index_type="AUTOINDEX" if server else "FLAT", metric_type="IP")
    # BM25Okapi's k1 and b, so only the idf differs from the in-process store
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                     params={"bm25_k1": 1.5, "bm25_b": 0.75})
    params.add_index("doc_id", index_type="INVERTED")
    params.add_index("year", index_type="INVERTED")
    return schema, params


def _meta_schema(client):
    from pymilvus import DataType
    schema = client.create_schema(auto_id=False)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=2048, is_primary=True)
    schema.add_field("info", DataType.VARCHAR, max_length=MAX_VARCHAR)
    schema.add_field("terms", DataType.VARCHAR, max_length=MAX_VARCHAR)
    schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)  # Milvus needs a vector field in every collection
    params = client.prepare_index_params()
    params.add_index("v", index_type="FLAT", metric_type="L2")
    return schema, params


QUERY_LIMIT = 16384  # Milvus's cap on the rows of one query


def _query_all(client, collection: str, output_fields: list[str], filter: str = "") -> list[dict]:
    """Every row matching ``filter``: primary-key ranges small enough for one query each (Milvus Lite
    has no query iterator; on a server this is as good as one)."""
    count = client.query(collection, filter=filter or "", output_fields=["count(*)"])[0]["count(*)"]
    if not count:
        return []
    field = "doc_id" if collection.endswith("__docs") else "pk"
    if field == "doc_id":  # the documents' collection: a few hundred rows
        return client.query(collection, filter=filter or 'doc_id != ""', output_fields=output_fields,
                            limit=QUERY_LIMIT)
    parts = 1
    while count / parts > QUERY_LIMIT / 4:
        parts *= 2
    out: list[dict] = []
    top = (1 << 63) - 1
    step = (1 << 63) // parts
    todo = [(i * step, (i + 1) * step - 1 if i + 1 < parts else top) for i in range(parts)]
    while todo:
        lo, hi = todo.pop()  # inclusive
        cond = f"pk >= {lo} and pk <= {hi}" + (f" and ({filter})" if filter else "")
        rows = client.query(collection, filter=cond, output_fields=output_fields, limit=QUERY_LIMIT)
        if len(rows) >= QUERY_LIMIT and hi > lo:  # too many in one range: halve it
            mid = (lo + hi) // 2
            todo += [(lo, mid), (mid + 1, hi)]
        else:
            out.extend(rows)
    return out


def _hit_id(hit) -> int:
    return hit["pk"] if "pk" in hit else hit["id"]


def _passage_row(p: Passage, doc_id: str, version: str, position: int, year: int, vector: np.ndarray,
                 words: list[str]) -> dict:
    spelled = " ".join(word_spelling(w) for w in words)
    data = json.dumps(p.to_dict(), ensure_ascii=False)
    if len(data.encode("utf-8")) > MAX_VARCHAR or len(spelled) > MAX_VARCHAR:
        raise MilvusStoreError(f"a passage of {doc_id} is too long for Milvus ({len(data)} characters)")
    return {"pk": _pk(doc_id, version, position), "doc_id": doc_id, "version": version, "position": position,
            "year": int(year or 0), "key": _key(p.index_text), "passage": data, "words": spelled,
            "dense": np.asarray(vector, np.float32).tolist()}


def ensure_milvus_index(documents: list[Document], encoder: PassageEncoder, target: str, index_name: str,
                        segmenter: Segmenter, max_chars: int = DEFAULT_MAX_CHARS, progress: bool = False,
                        log: Callable[[str], None] = print, token: str = "") -> MilvusIndex:
    """Bring the Milvus collection of ``index_name`` up to date with ``documents`` and open it."""
    from embeddings.indexer import DERIVED, analyse, document_info
    client = connect(target, token)
    server = "://" in target
    col, meta = collection_names(index_name)
    chunker = f"{CHUNKER_VERSION}/{max_chars}"
    dim = int(getattr(encoder, "dim", 0) or encoder.encode_passages(["维度"]).shape[1])
    try:
        header = _read_header(client, meta)
        if header is not None and (header.get("model_id"), header.get("dim"), header.get("chunker")) \
                != (encoder.model_id, dim, chunker):
            log(f"warning: Milvus index {col} was built with {header.get('model_id')} ({header.get('dim')}-d, "
                f"chunker {header.get('chunker')}); rebuilding it for {encoder.model_id}")
            header = None
        if header is None:
            for name in (col, meta):
                if client.has_collection(name):
                    client.drop_collection(name)
            schema, params = _schema(client, dim, server)
            client.create_collection(col, schema=schema, index_params=params, consistency_level="Strong")
            schema, params = _meta_schema(client)
            client.create_collection(meta, schema=schema, index_params=params, consistency_level="Strong")
            header = {"model_id": encoder.model_id, "dim": dim, "chunker": chunker, "learned": []}
        stored = {r["doc_id"]: (json.loads(r["info"]), json.loads(r["terms"]))
                  for r in _query_all(client, meta, ["doc_id", "info", "terms"], 'doc_id != "/"')}
        wanted = {d.doc_id: document_info(d) for d in documents}
        removed = [d for d in stored if d not in wanted]
        changed = [d for d in documents if d.doc_id not in stored
                   or {k: v for k, v in stored[d.doc_id][0].items() if k not in DERIVED} != wanted[d.doc_id]]
        analysed = {d.doc_id: analyse(d, max_chars) for d in changed}  # passages and the document profile
        fresh = {doc_id: passages for doc_id, (passages, _) in analysed.items()}
        terms = {doc_id: t for doc_id, (_, t) in stored.items() if doc_id in wanted}
        terms.update({doc_id: [p.term for p in ps if p.kind == "glossary" and p.term] for doc_id, ps in fresh.items()})
        segmenter.teach(sorted({t for ts in terms.values() for t in ts}))
        learned = segmenter.learned()
        stale = learned.symmetric_difference(header.get("learned", []))
        encoded = 0
        for doc_id in removed:
            client.delete(meta, ids=[doc_id])
            client.delete(col, filter=filter_expr(doc_id))
        if stale and stored:
            _resegment(client, col, stale, segmenter, log)
        for doc in changed:
            encoded += _upsert_document(client, col, doc, fresh[doc.doc_id], wanted[doc.doc_id], encoder,
                                        segmenter, progress)
            info = dict(wanted[doc.doc_id], passages=len(fresh[doc.doc_id]),
                        profile=analysed[doc.doc_id][1].to_dict())
            client.upsert(meta, [{"doc_id": doc.doc_id, "info": json.dumps(info, ensure_ascii=False),
                                  "terms": json.dumps(terms[doc.doc_id], ensure_ascii=False), "v": [0.0, 0.0]}])
        header["learned"] = sorted(learned)
        client.upsert(meta, [{"doc_id": INDEX_ROW, "info": json.dumps(header, ensure_ascii=False), "terms": "[]",
                              "v": [0.0, 0.0]}])
        if removed or changed or stale:
            client.flush(col)  # seal what was written: Milvus Lite searches unsealed rows far more slowly
        if removed or changed:
            log(f"Milvus index {col}: {len(changed)} document(s) added or updated ({encoded} passages encoded), "
                f"{len(removed)} removed")
        index = open_milvus_index(client, col, meta, [d.doc_id for d in documents], segmenter)
        index.target = target
        return index
    except MilvusStoreError:
        raise
    except Exception as exc:  # a server error, a full disk: say where, keep the traceback out of the user's way
        raise MilvusStoreError(f"Milvus at {target}: {type(exc).__name__}: {exc}") from exc


def _read_header(client, meta: str) -> dict | None:
    """The index's own meta row, with the collections loaded (a new process finds them released)."""
    if not client.has_collection(meta):
        return None
    for name in (meta, meta[: -len("__docs")]):
        if client.has_collection(name):
            client.load_collection(name)
    rows = client.get(meta, ids=[INDEX_ROW], output_fields=["info"])
    return json.loads(rows[0]["info"]) if rows else None


def _upsert_document(client, col: str, doc: Document, passages: list[Passage], info: dict, encoder: PassageEncoder,
                     segmenter: Segmenter, progress: bool) -> int:
    """Write one document's passages (vectors reused by text where Milvus has them); returns how many were encoded."""
    keys = [_key(p.index_text) for p in passages]
    known: dict[str, list[float]] = {}
    for batch in _chunks(sorted(set(keys)), BATCH):
        for r in client.query(col, filter=f"key in {json.dumps(batch)}", output_fields=["key", "dense"]):
            known[r["key"]] = r["dense"]
    todo = sorted({k: p.index_text for k, p in zip(keys, passages) if k not in known}.items())
    if todo:
        vectors = encoder.encode_passages([t for _, t in todo], progress=progress)
        known.update({k: v for (k, _), v in zip(todo, vectors)})
    version = doc.content_hash
    rows = [_passage_row(p, doc.doc_id, version, i, info.get("year") or 0, known[k],
                         segmenter.tokenize(p.index_text) or ["∅"])
            for i, (p, k) in enumerate(zip(passages, keys))]
    for batch in _chunks(rows, BATCH):
        client.upsert(col, batch)
    # the old version's rows go only once the new ones are in
    client.delete(col, filter=f"{filter_expr(doc.doc_id)} and version != {json.dumps(version)}")
    return len(todo)


def _resegment(client, col: str, stale: frozenset[str], segmenter: Segmenter, log: Callable[[str], None]) -> None:
    """Segment again the stored passages that contain a word jieba was taught or untaught since they were written."""
    words = sorted(w for w in stale if w)
    rows: dict[int, dict] = {}
    for batch in _chunks(words, 32):
        cond = " or ".join(f"passage like {json.dumps('%' + w + '%', ensure_ascii=False)}" for w in batch)
        for r in _query_all(client, col, ["*"], cond):
            rows[r["pk"]] = r
    for r in rows.values():
        p = json.loads(r["passage"])
        r["words"] = " ".join(word_spelling(w) for w in segmenter.tokenize(p["index_text"]) or ["∅"])
        r.pop("sparse", None)
    for batch in _chunks(list(rows.values()), BATCH):
        client.upsert(col, batch)
    if rows:
        log(f"Milvus index {col}: {len(rows)} passage(s) segmented again for {len(words)} new or removed word(s)")


def recorded_paths(target: str, index_name: str, token: str = "") -> list[str]:
    """The files the Milvus index of ``index_name`` was built from (none if there is no such index)."""
    client = connect(target, token)
    try:
        _, meta = collection_names(index_name)
        if _read_header(client, meta) is None:
            return []
        rows = _query_all(client, meta, ["doc_id", "info"], 'doc_id != "/"')
        return [json.loads(r["info"]).get("path") for r in rows if json.loads(r["info"]).get("path")]
    except MilvusStoreError:
        raise
    except Exception as exc:
        raise MilvusStoreError(f"Milvus at {target}: {type(exc).__name__}: {exc}") from exc
    finally:
        client.close()


def open_milvus_index(client, col: str, meta: str, order: list[str], segmenter: Segmenter | None = None) -> MilvusIndex:
    """Read the passages and documents of a Milvus index (vectors stay in Milvus)."""
    header = _read_header(client, meta)
    if header is None:
        raise MilvusStoreError(f"no report-qa index in Milvus collection {col}")
    infos = {r["doc_id"]: json.loads(r["info"]) for r in _query_all(client, meta, ["doc_id", "info"], 'doc_id != "/"')}
    rows = _query_all(client, col, ["pk", "doc_id", "position", "passage"])
    rank = {d: i for i, d in enumerate(order)}
    rows.sort(key=lambda r: (rank.get(r["doc_id"], len(rank)), r["doc_id"], r["position"]))
    passages = [Passage(**json.loads(r["passage"])) for r in rows]
    documents = {d: infos[d] for d in sorted(infos, key=lambda d: rank.get(d, len(rank)))}
    return MilvusIndex(client=client, collection=col, passages=passages, pks=[r["pk"] for r in rows],
                       model_id=header["model_id"], chunker_version=header["chunker"], dim=header["dim"],
                       documents=documents, segmenter=segmenter)
