"""``report-qa index`` over several reports of different formats, and questions filtered by report.

Fast tests swap the model for the bigram ``FakeEncoder``; one slow test runs the real model
end to end: index the bundled report + a PDF + a DOCX made from parts of it, re-index
(nothing encoded), drop a file, and ask a question answered from the PDF with ``--doc``.
"""
from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "embeddings"))
from test_formats import make_docx, make_pdf, report_paragraphs  # noqa: E402

from embeddings import store  # noqa: E402
from embeddings.loaders import bundled_report_path, load_document  # noqa: E402
from ui import cli  # noqa: E402

pytest.importorskip("reportlab")

REVIEW = (0, 30)  # front matter + 一、2024年工作回顾
PLANS = (30, 33)  # 二、2025年工作安排 …


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("reports")
    shutil.copy(bundled_report_path(), folder / "liyang-2025.txt")
    make_pdf(folder / "review.pdf", report_paragraphs(*REVIEW), title="溧阳市政府工作报告")
    make_docx(folder / "plans.docx", report_paragraphs(0, 5) + report_paragraphs(*PLANS))
    return folder


def run(capsys, *args) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def fake_model(monkeypatch, fake_encoder):
    fake_encoder.warm_up = lambda: None
    monkeypatch.setattr("ui.runtime.Encoder", lambda *a, **k: fake_encoder)
    return fake_encoder


def page_of(pdf: Path, snippet: str) -> int:
    from pypdf import PdfReader
    pages = [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(str(pdf)).pages]
    return next(i for i, text in enumerate(pages, start=1) if snippet in text)


def test_index_folder_with_an_unreadable_file(reports, tmp_path, capsys, fake_model):
    folder = tmp_path / "in"
    shutil.copytree(reports, folder)
    (folder / "scanned.pdf").write_bytes(b"%PDF-1.4 broken")
    code, out, err = run(capsys, "index", str(folder), "--data-dir", str(tmp_path / "data"), "--no-progress")
    assert code == 1  # something was skipped …
    assert "skipped:" in err and "scanned.pdf" in err
    assert "passages from 3 document(s)" in out  # … but the rest is indexed and saved
    manifest = store.read_manifest(tmp_path / "data" / "indexes" / "default")
    assert set(manifest["documents"]) == {"liyang-2025.txt", "review.pdf", "plans.docx"}
    assert manifest["documents"]["review.pdf"]["year"] == 2025
    assert manifest["documents"]["review.pdf"]["title"] == "溧阳市2025年政府工作报告"


def test_index_list_prints_each_report_profile(reports, tmp_path, capsys, fake_model):
    code, out, _ = run(capsys, "index", str(reports), "--data-dir", str(tmp_path / "data"), "--no-progress", "--list")
    assert code == 0
    lines = [line for line in out.splitlines() if line.endswith("passages") or "glossary" in line]
    assert len(lines) == 3
    assert all("溧阳市 (city)" in line and "回顾/计划 2024→2025" in line for line in lines)
    assert any("2025-01-04 市长 周永强" in line for line in lines)


def test_reindex_and_remove(reports, tmp_path, capsys, fake_model):
    data = str(tmp_path / "data")
    files = [str(reports / n) for n in ("liyang-2025.txt", "review.pdf", "plans.docx")]
    code, _, err = run(capsys, "index", *files, "--data-dir", data, "--index", "multi", "--no-progress")
    assert code == 0 and "encoded" in err and "documents: 3 added" in err
    encoded = fake_model.encoded
    code, _, err = run(capsys, "index", *files, "--data-dir", data, "--index", "multi", "--no-progress")
    assert code == 0 and "up to date" in err and fake_model.encoded == encoded
    code, out, err = run(capsys, "index", *files[:2], "--data-dir", data, "--index", "multi", "--no-progress")
    assert code == 0 and "(0 encoded" in err and "1 removed" in err and "from 2 document(s)" in out
    index = store.load(tmp_path / "data" / "indexes" / "multi")
    assert {p.doc_id for p in index.passages} == {"liyang-2025.txt", "review.pdf"}


def test_ask_filtered_by_document_and_year(reports, tmp_path, capsys, fake_model):
    data = str(tmp_path / "data")
    assert run(capsys, "index", str(reports), "--data-dir", data, "--no-progress")[0] == 0
    code, out, _ = run(capsys, "ask", "改新建高标准农田多少万亩？", "--json", "--doc", "review.pdf", "--data-dir", data)
    assert code == 0
    citations = json.loads(out)["citations"]
    assert citations and all(c["doc_id"] == "review.pdf" and c["page"] for c in citations)
    assert all(c["title"] == "溧阳市2025年政府工作报告" and c["year"] == 2025 and c["source"] == "review.pdf"
               for c in citations)
    code, out, _ = run(capsys, "ask", "改新建高标准农田多少万亩？", "--json", "--year", "2019", "--data-dir", data)
    assert code == 0 and json.loads(out)["citations"] == []


@pytest.mark.slow
def test_real_model_multi_document_index(reports, real_encoder, data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("ui.runtime.Encoder", lambda *a, **k: real_encoder)
    folder = tmp_path / "in"
    shutil.copytree(reports, folder)
    args = ("--data-dir", str(data_dir), "--index", "multidoc-test", "--no-progress")
    files = [str(folder / n) for n in ("liyang-2025.txt", "review.pdf", "plans.docx")]

    code, out, err = run(capsys, "index", *files, *args)
    assert code == 0 and "documents: 3 added" in err and "from 3 document(s)" in out
    code, out, err = run(capsys, "index", *files, *args)
    assert code == 0 and "up to date" in err and "encoded" not in err

    (folder / "plans.docx").unlink()
    code, out, err = run(capsys, "index", *files[:2], *args)
    assert code == 0 and "(0 encoded" in err and "1 removed" in err
    index = store.load(Path(data_dir) / "indexes" / "multidoc-test")
    assert "plans.docx" not in index.documents and all(p.doc_id != "plans.docx" for p in index.passages)

    code, out, err = run(capsys, "ask", "2024年改建新建了多少高标准农田？", "--json", "--doc", "review.pdf",
                         "--data-dir", str(data_dir), "--index", "multidoc-test")
    assert code == 0, err
    answer = json.loads(out)
    assert "6.31万亩" in answer["answer"].replace(" ", "")
    top = answer["citations"][answer["cited"][0] - 1]
    assert top["doc_id"] == "review.pdf" and top["year"] == 2025
    assert top["page"] == page_of(folder / "review.pdf", "高标准农田6.31万亩")
    pdf = load_document(folder / "review.pdf")  # the cited range is the passage in the PDF's text
    assert re.sub(r"\s+", "", pdf.text[top["start"]:top["end"]]) == re.sub(r"\s+", "", top["text"])
