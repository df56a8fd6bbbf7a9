"""PDF, DOCX, Markdown and GB18030 reports, built in the tests from the real report's text.

The builders here (``report_paragraphs``, ``make_pdf``, ``make_docx``) are shared with
test_incremental.py and tests/ui/test_multidoc_cli.py. PDFs use reportlab's built-in CID
font STSong-Light, so no font file is needed, and carry a ``— N —`` page footer like real
reports.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from embeddings.cleaning import clean
from embeddings.indexer import passages_of
from embeddings.loaders import DocumentError, bundled_report_path, load_document
from embeddings.pdf_text import assemble, drop_running_lines, page_lines

pytest.importorskip("reportlab")


def report_paragraphs(start: int = 0, count: int | None = None) -> list[str]:
    """Paragraphs of the bundled report as a reader sees them (page-break splits repaired)."""
    paras = clean(bundled_report_path().read_text(encoding="utf-8")).text.split("\n\n")
    return paras[start:None if count is None else start + count]


def make_pdf(path: Path, paragraphs: list[str], title: str = "", page_size=None, footer: bool = True,
             header: str = "") -> Path:
    """A text PDF of ``paragraphs``: indented first lines, CJK wrapping, page-number footer, optional header."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("report", fontName="STSong-Light", fontSize=11, leading=17, wordWrap="CJK",
                           firstLineIndent=22)

    def page_number(canvas, doc) -> None:
        if header:
            canvas.setFont("STSong-Light", 9)
            canvas.drawCentredString(doc.pagesize[0] / 2, doc.pagesize[1] - 30, header)
        if footer:
            canvas.setFont("STSong-Light", 9)
            canvas.drawCentredString(doc.pagesize[0] / 2, 20, f"— {doc.page} —")

    doc = SimpleDocTemplate(str(path), pagesize=page_size or A5, title=title)
    doc.build([Paragraph(escape(p), style) for p in paragraphs], onFirstPage=page_number, onLaterPages=page_number)
    return path


def make_docx(path: Path, paragraphs: list[str], title: str = "", table: list[list[str]] | None = None) -> Path:
    """A Word file of ``paragraphs``, with an optional table after the first paragraph."""
    import docx

    d = docx.Document()
    d.core_properties.title = title
    for i, p in enumerate(paragraphs):
        d.add_paragraph(p)
        if i == 0 and table:
            t = d.add_table(rows=len(table), cols=len(table[0]))
            for r, row in enumerate(table):
                for c, cell in enumerate(row):
                    t.cell(r, c).text = cell
    d.save(str(path))
    return path


def squash(text: str) -> str:
    return re.sub(r"\s+|\^\[\d+\]", "", text)


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory) -> Path:
    return make_pdf(tmp_path_factory.mktemp("pdf") / "part.pdf", report_paragraphs(0, 30), title="溧阳市政府工作报告")


@pytest.fixture(scope="module")
def pdf_doc(pdf_file):
    return load_document(pdf_file)


def test_pdf_text_is_the_report_text_exactly(pdf_doc):
    # pypdf was chosen over pdfplumber: on this text it returns every character (pdfplumber
    # dropped the middle dots in 2×2), keeps first-line indents and is ~9x faster.
    assert squash(pdf_doc.text) == squash("".join(report_paragraphs(0, 30)))
    assert not re.search(r"— ?\d+ ?—", pdf_doc.text)  # page footers dropped
    assert pdf_doc.metadata["format"] == "pdf"
    assert pdf_doc.metadata["page_count"] == len(pdf_doc.metadata["pages"]) >= 4


def test_pdf_metadata_from_file_and_text(pdf_doc):
    assert pdf_doc.title == "溧阳市2025年政府工作报告"  # the PDF's own title, made specific
    assert pdf_doc.metadata["year"] == 2025
    assert pdf_doc.metadata["body"] == "溧阳市人民政府"


def test_pdf_passages_map_back_and_know_their_page(pdf_file, pdf_doc):
    from pypdf import PdfReader

    starts = pdf_doc.metadata["pages"]
    raw_pages = [squash(p.extract_text()) for p in PdfReader(str(pdf_file)).pages]
    passages = passages_of(pdf_doc)
    assert len({p.page for p in passages}) == len(raw_pages)
    for p in passages:
        assert squash(pdf_doc.text[p.start:p.end]) == squash(p.text), p
        page = sum(1 for s in starts if s <= p.start)
        assert p.page == page
        assert squash(p.text)[:12] in raw_pages[page - 1]  # the passage starts on the page it cites


def test_sentence_cut_by_a_page_break_is_one_passage(pdf_doc):
    starts = pdf_doc.metadata["pages"][1:]
    spanning = [p for p in passages_of(pdf_doc) if any(p.start < s < p.end for s in starts)]
    assert spanning, "expected a sentence across a page break"
    whole = squash("".join(report_paragraphs(0, 30)))
    for p in spanning:
        assert "\n" not in p.text and squash(p.text) in whole
        assert p.page == 1 + sum(1 for s in starts if s <= p.start)  # cited at the page it starts on


def test_pdf_page_text_rules():
    lines = ["  一、2024年工作回顾", "  过去的一年，我们在市委坚强领导下，在市人大的监督支持下，紧紧团结和",
             "依靠全市人民，完成了任务。", "  一年来，我们坚持稳字当头，以韧劲强韧性，经济发展稳中有升，全年",
             "— 1 —"]
    result = assemble([page_lines("\n".join(lines)), page_lines("3\n增长6%。")])
    assert result.text.split("\n\n")[:3] == ["一、2024年工作回顾",
                                            "过去的一年，我们在市委坚强领导下，在市人大的监督支持下，紧紧团结和\n依靠全市人民，完成了任务。",
                                            "一年来，我们坚持稳字当头，以韧劲强韧性，经济发展稳中有升，全年"]
    assert result.text[result.pages[1]:] == "增长6%。" and result.text[result.pages[1] - 2:result.pages[1]] == "\n\n"


def test_running_header_is_dropped(tmp_path):
    paras = report_paragraphs(0, 30)
    doc = load_document(make_pdf(tmp_path / "h.pdf", paras, header="溧阳市第十七届人民代表大会第四次会议文件"))
    assert "会议文件" not in doc.text
    assert squash(doc.text) == squash("".join(paras))
    pages = [["页眉 第1页", "正文甲"], ["页眉 第2页", "正文乙"], ["页眉 第3页", "正文丙", "脚注"]]
    assert drop_running_lines(pages) == [["正文甲"], ["正文乙"], ["正文丙", "脚注"]]


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128"])
def test_encrypted_pdfs(pdf_file, tmp_path, algorithm):
    from pypdf import PdfWriter

    for name, user in (("locked.pdf", "secret"), ("restricted.pdf", "")):
        writer = PdfWriter(clone_from=str(pdf_file))
        writer.encrypt(user_password=user, owner_password="owner", algorithm=algorithm)
        writer.write(str(tmp_path / name))
    with pytest.raises(DocumentError, match="encrypted with a password"):
        load_document(tmp_path / "locked.pdf")
    try:
        import cryptography  # noqa: F401  (pypdf needs it for AES)
    except ImportError:
        if algorithm.startswith("AES"):
            with pytest.raises(DocumentError, match="encrypted"):
                load_document(tmp_path / "restricted.pdf")
            return
    # only an owner password (copy/print restrictions), as on many published reports: readable
    assert load_document(tmp_path / "restricted.pdf").text == load_document(pdf_file).text


def test_scanned_and_broken_pdfs_are_refused_clearly(tmp_path):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(tmp_path / "scan.pdf"))
    c.rect(100, 100, 200, 300, fill=1)  # a page with an image-like drawing and no text
    c.save()
    with pytest.raises(DocumentError, match="scanned"):
        load_document(tmp_path / "scan.pdf")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 10)
    with pytest.raises(DocumentError, match="broken.pdf"):
        load_document(tmp_path / "broken.pdf")


def test_page_without_text_keeps_later_page_numbers(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(tmp_path / "mixed.pdf"))
    for page in (["一、2024年工作回顾", "经济运行整体向好。"], None, ["乡村振兴全面深化。"]):
        if page:
            c.setFont("STSong-Light", 12)
            for i, line in enumerate(page):
                c.drawString(72 if line.startswith("一、") else 96, 700 - 20 * i, line)  # indented paragraphs
        else:
            c.rect(72, 72, 400, 600, fill=1)  # a scanned page: an image, no text
        c.showPage()
    c.save()
    doc = load_document(tmp_path / "mixed.pdf")
    assert doc.metadata["pages_without_text"] == [2]
    assert [(p.text, p.page) for p in passages_of(doc)] == [("经济运行整体向好。", 1), ("乡村振兴全面深化。", 3)]


def test_docx_paragraphs_and_table_rows(tmp_path):
    paras = report_paragraphs(0, 12)
    path = make_docx(tmp_path / "part.docx", paras, title="",
                     table=[["指标", "2024年"], ["地区生产总值", "1650亿元"]])
    doc = load_document(path)
    blocks = doc.text.split("\n\n")
    assert blocks[0] == paras[0] and blocks[1:3] == ["指标 | 2024年", "地区生产总值 | 1650亿元"]
    assert blocks[3:] == paras[1:]
    assert doc.metadata["format"] == "docx" and doc.metadata["year"] == 2025
    assert doc.title == "溧阳市2025年政府工作报告"
    assert "pages" not in doc.metadata
    for p in passages_of(doc):
        assert p.page is None and squash(doc.text[p.start:p.end]) == squash(p.text)


def test_docx_title_property_and_bad_word_files(tmp_path):
    doc = load_document(make_docx(tmp_path / "t.docx", report_paragraphs(0, 5), title="溧阳市2025年政府工作报告（全文）"))
    assert doc.title == "溧阳市2025年政府工作报告（全文）"
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 500)
    with pytest.raises(DocumentError, match="save it as .docx"):
        load_document(tmp_path / "old.doc")
    (tmp_path / "fake.docx").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 500)  # encrypted Word files are OLE, not zip
    with pytest.raises(DocumentError, match="not a .docx file"):
        load_document(tmp_path / "fake.docx")


def test_markdown_headings_keep_offsets(tmp_path):
    paras = report_paragraphs(0, 12)
    md = "# " + paras[0] + "\n\n" + "\n\n".join(("## " + p) if p.startswith("一、") else p for p in paras[1:])
    path = tmp_path / "report.md"
    path.write_text(md, encoding="utf-8")
    doc = load_document(path)
    assert len(doc.text) == len(md) and "#" not in doc.text
    passages = passages_of(doc)
    assert any(p.section.startswith("一、2024年工作回顾") for p in passages)
    for p in passages:
        assert squash(md[p.start:p.end].replace("#", "")) == squash(p.text)


def test_gb18030_text_report(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes("\n\n".join(report_paragraphs(0, 10)).encode("gb18030"))
    doc = load_document(path)
    assert doc.metadata == {"year": 2025, "body": "溧阳市人民政府", "format": "text"}
    assert doc.title == "溧阳市2025年政府工作报告"


def test_unsupported_and_empty_files(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"PK")
    with pytest.raises(DocumentError, match="unsupported file type"):
        load_document(tmp_path / "a.xlsx")
    (tmp_path / "empty.pdf").write_bytes(b"")
    with pytest.raises(DocumentError, match="empty"):
        load_document(tmp_path / "empty.pdf")
