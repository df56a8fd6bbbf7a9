"""Title, year and issuing body read from a report, and the user's sidecar overrides."""
from __future__ import annotations

import json

import pytest

from embeddings.indexer import document_info
from embeddings.loaders import DocumentError, bundled_report_path, load_document
from embeddings.metadata import MetadataError, describe, display_title, infer, read_sidecar, sidecar_path
from embeddings.pdf_text import clean_embedded_title

NATIONAL = ("政府工作报告\n\n——2025年3月5日在第十四届全国人民代表大会第三次会议上\n\n国务院总理 李强\n\n"
            "各位代表：\n\n现在，我代表国务院，向大会报告政府工作，请予审议。")


def test_bundled_report():
    head = bundled_report_path().read_text(encoding="utf-8")
    assert infer(head) == {"title": "溧阳市2025年政府工作报告", "year": 2025, "body": "溧阳市人民政府"}


def test_national_report():
    assert infer(NATIONAL) == {"title": "2025年国务院政府工作报告", "year": 2025, "body": "国务院"}


def test_delivery_line_cut_across_lines_without_we_represent():
    text = "政府工作报告\n\n——2024年1月9日在宜兴市第十七届\n\n人民代表大会第三次会议上\n\n各位代表："
    assert infer(text) == {"title": "宜兴市2024年政府工作报告", "year": 2024, "body": "宜兴市人民政府"}


def test_december_delivery_that_plans_the_next_year():
    text = "政府工作报告\n——2024年12月28日在某某县第十八届人民代表大会第五次会议上\n二、2025年工作安排"
    assert infer(text)["year"] == 2025


def test_year_from_review_heading_then_file_name():
    assert infer("某县工作报告\n\n一、2023年工作回顾\n\n过去的一年……")["year"] == 2024
    assert infer("工作报告\n\n各位代表：", "reports/yixing-2022.txt")["year"] == 2022
    assert "year" not in infer("工作报告\n\n各位代表：", "notes.txt")


def test_title_falls_back_to_file_name_and_keeps_given_years():
    assert infer("各位代表：现在，我代表本市人民政府报告工作。", "yixing.txt")["title"] == "yixing"
    assert display_title("2025年溧阳市政府工作报告", 2025, "溧阳市人民政府") == "2025年溧阳市政府工作报告"
    assert display_title("溧阳市政府工作报告", 2025, "溧阳市人民政府") == "溧阳市2025年政府工作报告"


def test_embedded_titles_that_are_placeholders_are_ignored():
    assert clean_embedded_title("Microsoft Word - 2025年政府工作报告.docx") == "2025年政府工作报告"
    assert clean_embedded_title("untitled") == ""
    assert clean_embedded_title("  ") == ""


def test_sidecar_overrides(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(NATIONAL, encoding="utf-8")
    assert sidecar_path(report).name == "report.txt.meta.json"
    assert read_sidecar(report) == {}
    sidecar_path(report).write_text(json.dumps({"title": "国务院政府工作报告（2025）", "year": "2025"}), encoding="utf-8")
    assert describe(NATIONAL, report) == {"title": "国务院政府工作报告（2025）", "year": 2025, "body": "国务院"}
    doc = load_document(report)
    assert doc.title == "国务院政府工作报告（2025）" and doc.metadata["year"] == 2025


@pytest.mark.parametrize("content, message", [
    ("{not json", "not a readable JSON"),
    ("[2025]", "expected a JSON object"),
    ('{"yaer": 2025}', "unknown field"),
    ('{"year": "last year"}', "whole number"),
    ('{"year": 1800}', "whole number"),
    ('{"title": ""}', "non-empty string"),
])
def test_bad_sidecars_are_clear_errors(tmp_path, content, message):
    report = tmp_path / "report.txt"
    report.write_text(NATIONAL, encoding="utf-8")
    sidecar_path(report).write_text(content, encoding="utf-8")
    with pytest.raises(MetadataError, match=message):
        read_sidecar(report)
    with pytest.raises(DocumentError, match="report.txt.meta.json"):
        load_document(report)


def test_manifest_entry_has_metadata_but_not_page_offsets(tmp_path):
    doc = load_document(bundled_report_path())
    doc.metadata["pages"] = [0, 100]
    info = document_info(doc)
    assert info["title"] == "溧阳市2025年政府工作报告" and info["year"] == 2025
    assert info["body"] == "溧阳市人民政府" and info["format"] == "text" and "pages" not in info
