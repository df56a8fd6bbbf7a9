"""One index, many documents: added, changed and removed documents update it incrementally."""
from __future__ import annotations

import json
import shutil

import pytest

from embeddings import store
from embeddings.indexer import ensure_index
from embeddings.loaders import bundled_report_path
from embeddings.metadata import sidecar_path
from test_formats import make_docx, make_pdf, report_paragraphs
from ui.runtime import expand_paths, load_documents

pytest.importorskip("reportlab")


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(bundled_report_path(), folder / "liyang.txt")
    make_pdf(folder / "part.pdf", report_paragraphs(40, 25))
    make_docx(folder / "part.docx", report_paragraphs(10, 15))
    return folder


def index_of(paths, encoder, directory, logs):
    docs, skipped = load_documents(expand_paths([str(p) for p in paths]), logs.append)
    return ensure_index(docs, encoder, directory, log=logs.append), skipped


def test_adds_reuses_and_removes(corpus, tmp_path, fake_encoder):
    directory, logs = tmp_path / "index", []
    index, _ = index_of([corpus], fake_encoder, directory, logs)
    assert set(index.documents) == {"liyang.txt", "part.pdf", "part.docx"}
    assert {p.doc_id for p in index.passages} == set(index.documents)
    first = fake_encoder.encoded
    assert f"({first} encoded, 0 reused; documents: 3 added)" in logs[-1]
    # the PDF and DOCX repeat parts of the report: identical passages are encoded once
    assert first < len(index.passages)

    index, _ = index_of([corpus], fake_encoder, directory, logs)  # same command again
    assert fake_encoder.encoded == first and "is up to date" in logs[-1] and "reused" in logs[-1]

    (corpus / "part.docx").unlink()
    index, _ = index_of([corpus], fake_encoder, directory, logs)
    assert fake_encoder.encoded == first  # nothing new to encode
    assert set(index.documents) == {"liyang.txt", "part.pdf"}
    assert all(p.doc_id != "part.docx" for p in index.passages)
    assert "1 removed, 2 unchanged" in logs[-1]
    assert set(store.read_manifest(directory)["documents"]) == {"liyang.txt", "part.pdf"}


def test_changed_document_encodes_only_its_new_passages(corpus, tmp_path, fake_encoder):
    directory, logs = tmp_path / "index", []
    index_of([corpus], fake_encoder, directory, logs)
    before = fake_encoder.encoded
    make_pdf(corpus / "part.pdf", report_paragraphs(40, 25) + ["新增一段：全市新建口袋公园12个，群众满意度明显提升。"])
    index, _ = index_of([corpus], fake_encoder, directory, logs)
    assert fake_encoder.encoded - before == 1
    assert "1 encoded" in logs[-1] and "1 updated, 2 unchanged" in logs[-1]
    assert any("口袋公园12个" in p.text and p.doc_id == "part.pdf" for p in index.passages)


def test_metadata_change_updates_the_manifest_without_encoding(corpus, tmp_path, fake_encoder):
    directory, logs = tmp_path / "index", []
    index_of([corpus], fake_encoder, directory, logs)
    before = fake_encoder.encoded
    sidecar_path(corpus / "part.pdf").write_text(json.dumps({"title": "溧阳市政府工作报告（节选）", "year": 2025}),
                                                 encoding="utf-8")
    index, _ = index_of([corpus], fake_encoder, directory, logs)
    assert fake_encoder.encoded == before
    assert index.documents["part.pdf"]["title"] == "溧阳市政府工作报告（节选）"
    assert store.read_manifest(directory)["documents"]["part.pdf"]["title"] == "溧阳市政府工作报告（节选）"


def test_unreadable_file_is_reported_and_skipped(corpus, tmp_path, fake_encoder):
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4 not really")
    (corpus / "broken.docx").write_bytes(b"garbage")
    directory, logs = tmp_path / "index", []
    index, skipped = index_of([corpus], fake_encoder, directory, logs)
    assert len(skipped) == 2 and any("scan.pdf" in s for s in skipped) and any("broken.docx" in s for s in skipped)
    assert sum(1 for line in logs if line.startswith("skipped:")) == 2
    assert set(index.documents) == {"liyang.txt", "part.pdf", "part.docx"}
    assert set(store.read_manifest(directory)["documents"]) == set(index.documents)


def test_pages_are_stored_and_citable(corpus, tmp_path, fake_encoder):
    index, _ = index_of([corpus / "part.pdf"], fake_encoder, tmp_path / "index", [])
    loaded = store.load(tmp_path / "index")
    assert [p.page for p in loaded.passages] == [p.page for p in index.passages]
    assert loaded.passages[0].page == 1 and loaded.passages[-1].page > 1
    assert "pages" not in loaded.documents["part.pdf"] and loaded.documents["part.pdf"]["page_count"] > 1
