"""Hostile documents: other encodings, empty, binary, huge, damaged, odd files — read right or refused clearly.

A report in GB18030/GBK/UTF-8-BOM/CRLF reads exactly as the UTF-8 one; anything unreadable is a
:class:`DocumentError` naming the file and the reason; ``report-qa index DIR`` indexes the good
files, names each bad one and exits 1. Random and mutated files never raise anything else.
"""
from __future__ import annotations

import io
import json
import os
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from embeddings import store
from embeddings.indexer import passages_of
from embeddings.loaders import (MAX_BINARY_BYTES, MAX_DOCUMENT_BYTES, Document, DocumentError,
                                bundled_report_path, load_document)

REPORT = bundled_report_path().read_text(encoding="utf-8")
FUZZ = settings(max_examples=100, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def spans(doc: Document) -> list[tuple[str, str, int, int]]:
    return [(p.text, p.section, p.start, p.end) for p in passages_of(doc)]


@pytest.fixture(scope="module")
def utf8_doc(tmp_path_factory) -> Document:
    return load_document(write(tmp_path_factory.mktemp("utf8"), "report.txt", REPORT.encode("utf-8")))


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-8 CRLF", "gb18030 CRLF", "utf-16",
                                      "utf-16 CRLF"])
def test_the_report_in_other_encodings_reads_exactly_the_same(tmp_path, utf8_doc, encoding):
    codec, _, newline = encoding.partition(" ")
    text = REPORT.replace("\n", "\r\n") if newline else REPORT
    doc = load_document(write(tmp_path, "report.txt", text.encode(codec)))
    assert doc.text == REPORT
    assert (doc.title, doc.metadata, doc.content_hash) == (utf8_doc.title, utf8_doc.metadata, utf8_doc.content_hash)
    assert spans(doc) == spans(utf8_doc)


def test_big_endian_utf16_with_a_bom_reads_the_same(tmp_path, utf8_doc):
    doc = load_document(write(tmp_path, "report.txt", b"\xfe\xff" + REPORT.encode("utf-16-be")))
    assert doc.text == REPORT and spans(doc) == spans(utf8_doc)


EMPTY = {"zero bytes": b"", "whitespace": b" \n\n\t\r\n ", "only a BOM": b"\xef\xbb\xbf",
         "only a UTF-16 BOM": b"\xff\xfe", "UTF-16 spaces": "\u3000 \n".encode("utf-16"),
         "BOM and newlines": b"\xef\xbb\xbf\n\n", "ideographic spaces": "\u3000\u3000\n".encode("utf-8"),
         "GB18030 spaces": "\u3000\u3000".encode("gb18030")}


@pytest.mark.parametrize("name", list(EMPTY), ids=list(EMPTY))
@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_empty_documents_are_refused(tmp_path, name, suffix):
    path = write(tmp_path, f"blank{suffix}", EMPTY[name])
    with pytest.raises(DocumentError, match=r"empty|no text") as err:
        load_document(path)
    assert str(path) in str(err.value)


BINARY = {
    "PNG image": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
    "zip archive": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 300,
    "ELF program": b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 300,
    "control characters": bytes(range(1, 32)) * 40,
    "undecodable bytes": b"\xff\xfe\xfd\x80\x81" * 200,  # starts like a UTF-16 BOM
    "random bytes behind a UTF-16 BOM": b"\xff\xfe" + bytes((i * 7919 + 13) % 251 for i in range(4000)),
}


@pytest.mark.parametrize("name", list(BINARY), ids=list(BINARY))
def test_binary_files_named_txt_are_refused(tmp_path, name):
    path = write(tmp_path, "report.txt", BINARY[name])
    with pytest.raises(DocumentError, match=r"binary|cannot decode") as err:
        load_document(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("suffix, limit", [(".txt", MAX_DOCUMENT_BYTES), (".md", MAX_DOCUMENT_BYTES),
                                           (".pdf", MAX_BINARY_BYTES), (".docx", MAX_BINARY_BYTES)])
def test_huge_files_are_refused_without_reading_them(tmp_path, suffix, limit):
    path = tmp_path / f"huge{suffix}"
    with open(path, "wb") as f:  # sparse: no disk space, no time
        f.truncate(limit + 1)
    started = time.perf_counter()
    with pytest.raises(DocumentError, match=f"{limit + 1} bytes is over the {limit} byte limit"):
        load_document(path)
    assert time.perf_counter() - started < 0.5


def test_special_files_are_refused_without_hanging(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # reading it would block forever
    with pytest.raises(DocumentError, match="not a regular file"):
        load_document(fifo)
    (tmp_path / "zero.txt").symlink_to("/dev/zero")  # endless: never read
    with pytest.raises(DocumentError, match="not a regular file"):
        load_document(tmp_path / "zero.txt")
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(DocumentError, match="is a directory"):
        load_document(tmp_path / "folder.txt")
    with pytest.raises(DocumentError, match="unsupported file type"):
        load_document("/dev/zero")
    with pytest.raises(DocumentError, match="no such file"):
        load_document(tmp_path / "missing.txt")


# --- fuzz: whatever the bytes, a Document or a DocumentError --------------------------------

def report_docx() -> bytes:
    import docx

    d = docx.Document()
    for para in REPORT.split("\n\n")[:12]:
        d.add_paragraph(para)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def report_pdf() -> bytes:
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A5)
    for page in range(2):
        c.setFont("STSong-Light", 10)
        for i, para in enumerate(REPORT.split("\n\n")[page * 6:page * 6 + 6]):
            c.drawString(40, 540 - 20 * i, para[:30])
        c.showPage()
    c.save()
    return buf.getvalue()


SAMPLES = {".txt": REPORT[:3000].encode("gb18030"), ".md": ("# 标题\n\n" + REPORT[:3000]).encode("utf-8")}


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """``data`` with a few bytes overwritten, a slice cut out, or random bytes spliced in."""
    b = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(0, len(b) - 1)))
        kind = draw(st.sampled_from(["overwrite", "cut", "splice", "truncate"]))
        if kind == "overwrite":
            b[at:at + 8] = draw(st.binary(min_size=8, max_size=8))
        elif kind == "cut":
            del b[at:at + draw(st.integers(1, 500))]
        elif kind == "splice":
            b[at:at] = draw(st.binary(max_size=64))
        else:
            del b[at:]
    return bytes(b)


def load_or_refuse(path: Path) -> None:
    try:
        doc = load_document(path)
    except DocumentError as exc:
        assert str(path) in str(exc) and "Traceback" not in str(exc)
        return
    assert doc.text.strip() and isinstance(doc.title, str)
    json.dumps(doc.metadata)  # the manifest must be able to hold it
    for p in passages_of(doc):
        assert 0 <= p.start <= p.end <= len(doc.text)


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".txt", ".md", ".pdf", ".docx"]))
def test_random_bytes_are_read_or_refused(tmp_path, data, suffix):
    load_or_refuse(write(tmp_path, f"random{suffix}", data))


@pytest.mark.parametrize("heading", ["一、", "（一）", "一、  ", "第一部分、"])
def test_a_numbered_heading_with_no_title_is_read(tmp_path, heading):
    """A line holding only a heading's number (一、, as a damaged copy has it) is read, not a crash
    (the fuzz test below once found 一、 with nothing after it raising IndexError)."""
    text = f"政府工作报告\n\n{heading}\n\n2024年全市地区生产总值增长5%。\n\n二、2025年工作安排\n\n今年要新增就业1万人。\n"
    load_or_refuse(write(tmp_path, "bare.txt", text.encode("utf-8")))


@FUZZ
@given(data=st.one_of(mutated(SAMPLES[".txt"]), mutated(SAMPLES[".md"])), suffix=st.sampled_from([".txt", ".md"]))
def test_mutated_text_reports_are_read_or_refused(tmp_path, data, suffix):
    load_or_refuse(write(tmp_path, f"mutated{suffix}", data))


@FUZZ
@given(st.data())
def test_mutated_pdfs_are_read_or_refused(tmp_path, pdf_bytes, data):
    load_or_refuse(write(tmp_path, "mutated.pdf", data.draw(mutated(pdf_bytes))))


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return report_pdf()


def _docx_with(part: str, content: bytes | None = None, corrupt_stream: bool = False) -> bytes:
    """The report .docx with one part's XML replaced, or one part's deflate stream damaged."""
    src = zipfile.ZipFile(io.BytesIO(report_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            z.writestr(name, content if name == part and content is not None else src.read(name))
    data = bytearray(out.getvalue())
    if corrupt_stream:  # overwrite the middle of document.xml's compressed bytes, keep the zip directory intact
        info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(part)
        begin = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        middle = begin + info.compress_size // 2
        data[middle:middle + 16] = b"\xff" * 16
    return bytes(data)


@pytest.mark.parametrize("damage", ["deflate stream", "empty document.xml", "broken XML", "broken content types"])
def test_damaged_word_files_are_refused_clearly(tmp_path, damage):
    data = {"deflate stream": lambda: _docx_with("word/document.xml", corrupt_stream=True),
            "empty document.xml": lambda: _docx_with("word/document.xml", b""),
            "broken XML": lambda: _docx_with("word/document.xml", b"<w:document><w:body>"),
            "broken content types": lambda: _docx_with("[Content_Types].xml", b"<Types/>")}[damage]()
    path = write(tmp_path, "damaged.docx", data)
    with pytest.raises(DocumentError, match="damaged.docx"):
        load_document(path)


def test_word_zip_bomb_is_refused_before_unpacking(tmp_path):
    """A 1 MB .docx whose document.xml unpacks to 600 MB of zeros."""
    src = zipfile.ZipFile(io.BytesIO(report_docx()))
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            if name != "word/document.xml":
                z.writestr(name, src.read(name))
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            block = b"\0" * (1 << 20)
            for _ in range(600):
                f.write(block)
    assert path.stat().st_size < 2 * 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(DocumentError, match="bomb.docx: its parts unpack to .* over the .* byte limit"):
        load_document(path)
    assert time.perf_counter() - started < 1.0


# --- a folder with bad files among good ones -----------------------------------------------

@pytest.fixture
def fake_model(monkeypatch, fake_encoder):
    fake_encoder.warm_up = lambda: None
    monkeypatch.setattr("ui.runtime.Encoder", lambda *a, **k: fake_encoder)
    return fake_encoder


def test_index_folder_keeps_the_good_files_and_names_the_bad(tmp_path, fake_model, capsys):
    from ui import cli

    folder = tmp_path / "reports"
    (folder / "sub").mkdir(parents=True)
    write(folder, "liyang-gb18030.txt", REPORT.replace("\n", "\r\n").encode("gb18030"))
    write(folder / "sub", "notes.md", ("# 补充说明\n\n" + "\n\n".join(REPORT.split("\n\n")[30:36])).encode("utf-8-sig"))
    bad = {"empty.txt": b"", "photo.txt": BINARY["PNG image"], "scan.pdf": b"%PDF-1.4 broken",
           "old.docx": b"\xd0\xcf\x11\xe0" + b"\0" * 500, "garbled.md": BINARY["undecodable bytes"]}
    for name, data in bad.items():
        write(folder, name, data)
    with open(folder / "huge.txt", "wb") as f:
        f.truncate(MAX_DOCUMENT_BYTES + 1)
    write(folder, "ignored.xlsx", b"PK")  # not a report type: not even tried
    data = tmp_path / "data"

    code = cli.main(["index", str(folder), "--data-dir", str(data), "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 1  # something was skipped …
    for name in [*bad, "huge.txt"]:
        assert f"skipped: {folder / name}:" in err, name
    assert "Traceback" not in err and "ignored.xlsx" not in err
    assert "passages from 2 document(s)" in out  # … and the rest is indexed and saved
    index = store.load(data / "indexes" / "default")
    assert set(index.documents) == {"liyang-gb18030.txt", "notes.md"}
    assert any("1650亿元" in p.text for p in index.passages)

    code = cli.main(["ask", "去年GDP多少？", "--json", "--data-dir", str(data)])
    out, err = capsys.readouterr()
    assert code == 0 and "1650亿元" in json.loads(out)["answer"]


def test_folder_with_only_bad_files_is_a_clear_error(tmp_path, fake_model, capsys):
    from ui import cli

    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "photo.txt", BINARY["PNG image"])
    code = cli.main(["index", str(tmp_path), "--data-dir", str(tmp_path / "data"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "report-qa: error: no readable documents to index" in err
    assert "empty.txt" in err and "photo.txt" in err and "Traceback" not in err


# --- pathological structure -----------------------------------------------------------------

def test_outline_depth_is_bounded_for_repeated_headings():
    from embeddings.cleaning import clean
    from embeddings.structure import parse

    blocks = parse(clean("一、标题\n\n经济运行。\n\n" * 300))
    assert max(len(b.path) for b in blocks) <= 8  # a few outline levels, a topic, a lead sentence


def test_passages_stay_short_when_the_outline_is_not_found():
    text = REPORT.replace("一、", "一 ")  # another numbering style: no heading is recognised
    passages = passages_of(Document("other-style.txt", "other-style.txt", text))
    assert max(len(p.text) for p in passages) <= 4 * 120
