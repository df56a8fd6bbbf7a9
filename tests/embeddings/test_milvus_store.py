"""The Milvus store on Milvus Lite: the same dense search as FAISS, Milvus's BM25 over jieba words,
doc/year scalar filters, and documents added, changed and removed incrementally."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from embeddings import milvus_store  # noqa: E402
from embeddings.indexer import build_index  # noqa: E402
from embeddings.milvus_store import MilvusStoreError, ensure_milvus_index, filter_expr, target_of  # noqa: E402
from qa.text import tokenize  # noqa: E402
from qa.token_cache import JiebaSegmenter  # noqa: E402
from ui.runtime import load_documents  # noqa: E402

SHARED_REPORTS = ["state-council-2020.txt", "baoding-2025.txt", "miyi-2023.txt"]


@pytest.fixture
def reports(tmp_path):
    """Three real reports (from the shared corpus, else copies of the bundled one under other names)."""
    from pathlib import Path
    from embeddings.loaders import bundled_report_path
    folder = tmp_path / "reports"
    folder.mkdir()
    shared = Path("/work/shared/corpus/reports")
    for name in SHARED_REPORTS:
        src = shared / name if (shared / name).exists() else bundled_report_path()
        text = src.read_text(encoding="utf-8")
        (folder / name).write_text(text[:6000], encoding="utf-8")  # the first pages: fast, still real text
    return folder


def _docs(folder, names):
    docs, _ = load_documents([folder / n for n in names], lambda m: None)
    return docs


def _open(docs, encoder, path, logs=None):
    return ensure_milvus_index(docs, encoder, str(path), "test", JiebaSegmenter(),
                               log=(logs.append if logs is not None else lambda m: None))


def test_store_setting_is_checked():
    assert target_of("faiss") is None and target_of("milvus:/x/y.db") == "/x/y.db"
    assert target_of("milvus:http://10.0.0.5:19530") == "http://10.0.0.5:19530"
    for bad in ("milvus:", "qdrant:/x", "milvus"):
        with pytest.raises(ValueError, match="faiss' or 'milvus:PATH_OR_URI"):
            target_of(bad)
    assert filter_expr('a"b.txt', 2024) == 'doc_id == "a\\"b.txt" and year == 2024' and filter_expr() == ""


def test_dense_search_and_bm25_match_the_in_process_store(reports, tmp_path, fake_encoder):
    docs = _docs(reports, SHARED_REPORTS)
    index = _open(docs, fake_encoder, tmp_path / "m.db")
    faiss_index, _ = build_index(docs, fake_encoder)
    assert [p.to_dict() for p in index.passages] == [p.to_dict() for p in faiss_index.passages]
    assert index.documents.keys() == faiss_index.documents.keys()
    assert np.allclose(index.vectors, faiss_index.vectors)
    for q in ("地区生产总值增长", "城镇新增就业", "生态环境保护"):
        v = fake_encoder.encode_queries([q])[0]
        got, want = index.search(v, 10), faiss_index.search(v, 10)
        assert np.allclose([s for _, s in got], [s for _, s in want], atol=1e-5)
        assert [r for r, _ in got][:3] == [r for r, _ in want][:3]
        hits = index.lexical(tokenize(q), 5)
        assert hits and all(s > 0 for _, s in hits)
        assert any(w in index.passages[hits[0][0]].index_text for w in tokenize(q))


def test_doc_and_year_are_scalar_filters(reports, tmp_path, fake_encoder):
    docs = _docs(reports, SHARED_REPORTS)
    index = _open(docs, fake_encoder, tmp_path / "m.db")
    v = fake_encoder.encode_queries(["经济发展"])[0]
    one = index.search(v, 20, doc="miyi-2023.txt")
    assert one and {index.passages[r].doc_id for r, _ in one} == {"miyi-2023.txt"}
    lex = index.lexical(tokenize("经济发展"), 20, doc="baoding-2025.txt")
    assert lex and {index.passages[r].doc_id for r, _ in lex} == {"baoding-2025.txt"}
    year = index.documents["state-council-2020.txt"]["year"]
    dated = index.search(v, 50, year=year)
    assert dated and all(index.documents[index.passages[r].doc_id]["year"] == year for r, _ in dated)
    assert index.search(v, 5, doc="no-such-report.txt") == []


def test_documents_are_added_changed_and_removed_incrementally(reports, tmp_path, fake_encoder):
    path, logs = tmp_path / "m.db", []
    index = _open(_docs(reports, SHARED_REPORTS[:2]), fake_encoder, path, logs)
    first = fake_encoder.encoded
    assert first > 0 and set(index.documents) == set(SHARED_REPORTS[:2])

    index = _open(_docs(reports, SHARED_REPORTS), fake_encoder, path, logs)  # one report added
    added = [p for p in index.passages if p.doc_id == SHARED_REPORTS[2]]
    assert fake_encoder.encoded - first <= len(added) and set(index.documents) == set(SHARED_REPORTS)
    assert "1 document(s) added or updated" in logs[-1]

    before = fake_encoder.encoded
    index = _open(_docs(reports, SHARED_REPORTS), fake_encoder, path, logs)  # nothing changed
    assert fake_encoder.encoded == before and len(index.passages) == sum(d["passages"] for d in index.documents.values())

    edited = reports / SHARED_REPORTS[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n新增一段关于数字经济发展的内容。\n", encoding="utf-8")
    index = _open(_docs(reports, SHARED_REPORTS), fake_encoder, path, logs)  # one report changed
    assert fake_encoder.encoded - before <= 2  # only the new passage(s); the rest reused by text
    mine = [p for p in index.passages if p.doc_id == SHARED_REPORTS[0]]
    assert len(mine) == index.documents[SHARED_REPORTS[0]]["passages"]  # no rows of the old version left
    assert any("数字经济" in p.text for p in mine)

    index = _open(_docs(reports, SHARED_REPORTS[1:]), fake_encoder, path, logs)  # one report removed
    assert set(index.documents) == set(SHARED_REPORTS[1:])
    assert all(p.doc_id != SHARED_REPORTS[0] for p in index.passages)
    rows = index.client.query(index.collection, filter='doc_id != ""', output_fields=["count(*)"])
    assert rows[0]["count(*)"] == len(index.passages)
    v = fake_encoder.encode_queries(["数字经济"])[0]
    assert all(index.passages[r].doc_id != SHARED_REPORTS[0] for r, _ in index.search(v, 50))
    assert all(index.passages[r].doc_id != SHARED_REPORTS[0] for r, _ in index.lexical(["数字经济"], 50))


def test_another_model_rebuilds_the_collection(reports, tmp_path, fake_encoder):
    path, logs = tmp_path / "m.db", []
    _open(_docs(reports, SHARED_REPORTS[:1]), fake_encoder, path, logs)
    fake_encoder.model_id = "another-model"
    index = _open(_docs(reports, SHARED_REPORTS[:1]), fake_encoder, path, logs)
    assert any("rebuilding it for another-model" in m for m in logs) and index.model_id == "another-model"


def test_an_unusable_target_is_a_clear_error(tmp_path, fake_encoder, reports):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(MilvusStoreError, match="Milvus"):
        _open(_docs(reports, SHARED_REPORTS[:1]), fake_encoder, blocker / "m.db")
