"""Index operations that never lose data (issue 13) and start-ups that read only what changed (issue 14).

Through ``ui.runtime.build_system`` — what ``index``, ``ask`` and ``serve`` do — with the bigram
``FakeEncoder``: a truncated manifest, a document missing at one start, a file name that is not
UTF-8, a read-only data directory, files touched but not changed.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from embeddings import store
from embeddings.loaders import bundled_report_path
from qa.pipeline import ReportQA
from ui import runtime
from ui.config import Settings

REPORT = bundled_report_path().read_text(encoding="utf-8")


def write_reports(folder: Path) -> dict[str, Path]:
    """Two other cities' reports: the bundled one cut short, renamed, with their own GDP figures."""
    folder.mkdir(parents=True, exist_ok=True)
    first = "\n\n".join(REPORT.split("\n\n")[:12])
    out = {}
    for name, city, gdp in (("a.txt", "宜兴", "2761亿元"), ("b.txt", "金坛", "1234亿元")):
        out[name] = folder / name
        out[name].write_text(first.replace("溧阳", city).replace("1650亿元", gdp), encoding="utf-8")
    return out


def build(settings: Settings, encoder, messages: list[str] | None = None, **kw):
    return runtime.build_system(settings, encoder=encoder, log=(messages if messages is not None else []).append, **kw)


def gdp(system, doc: str) -> str:
    return ReportQA(system.index, system.encoder).ask("去年GDP多少？", doc=doc).answer


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """Names of the documents the start-up reads (parses) from disk."""
    seen: list[str] = []
    real = runtime.load_document

    def counting(path, *a, **k):
        seen.append(Path(path).name)
        return real(path, *a, **k)

    monkeypatch.setattr(runtime, "load_document", counting)
    return seen


def test_a_truncated_manifest_keeps_every_document(tmp_path, fake_encoder):
    files = write_reports(tmp_path / "reports")
    build(Settings(data_dir=tmp_path / "data", corpus=[str(tmp_path / "reports")]), fake_encoder)
    manifest = tmp_path / "data" / "indexes" / "default" / store.MANIFEST
    manifest.write_bytes(manifest.read_bytes()[:200])
    encoded = fake_encoder.encoded
    messages: list[str] = []
    system = build(Settings(data_dir=tmp_path / "data"), fake_encoder, messages)  # corpus from the index
    assert set(system.index.documents) == set(files)
    assert "2761亿元" in gdp(system, "a.txt") and "1234亿元" in gdp(system, "b.txt")
    assert fake_encoder.encoded == encoded
    assert any("recovered" in m for m in messages), messages
    assert not any("liyang" in d for d in system.index.documents)


def test_a_missing_document_is_kept_until_the_user_removes_it(tmp_path, fake_encoder):
    files = write_reports(tmp_path / "reports")
    data = tmp_path / "data"
    build(Settings(data_dir=data, corpus=[str(p) for p in files.values()]), fake_encoder)
    moved = files["b.txt"].rename(tmp_path / "b-elsewhere.txt")  # e.g. a network share not mounted
    messages: list[str] = []
    system = build(Settings(data_dir=data), fake_encoder, messages)
    assert set(system.index.documents) == {"a.txt", "b.txt"}
    assert "1234亿元" in gdp(system, "b.txt")
    assert any("b.txt cannot be read now; keeping the copy indexed before" in m for m in messages), messages
    system = build(Settings(data_dir=data), fake_encoder)  # and at the next start, still
    assert set(system.index.documents) == {"a.txt", "b.txt"}
    moved.rename(files["b.txt"])
    # a named file that cannot be read is kept too; a file not named is removed
    system = build(Settings(data_dir=data, corpus=[str(files["a.txt"])]), fake_encoder)
    assert set(system.index.documents) == {"a.txt"}
    assert set(store.read_manifest(data / "indexes" / "default")["documents"]) == {"a.txt"}


def test_a_file_name_that_is_not_utf8_is_read_and_named(tmp_path, fake_encoder):
    files = write_reports(tmp_path / "reports")
    gbk = os.fsdecode("报告-宜兴.txt".encode("gb18030"))  # as unzip writes a Windows archive's name
    odd = tmp_path / "reports" / gbk
    odd.write_bytes(files["a.txt"].read_bytes().replace("2761亿元".encode(), "3333亿元".encode()))
    undecodable = tmp_path / "reports" / os.fsdecode(b"\xff\xfe-report.txt")
    undecodable.write_bytes(files["b.txt"].read_bytes())
    messages: list[str] = []
    system = build(Settings(data_dir=tmp_path / "data", corpus=[str(tmp_path / "reports")]), fake_encoder,
                   messages)
    assert "报告-宜兴.txt" in system.index.documents
    assert "3333亿元" in gdp(system, "报告-宜兴.txt") and "2761亿元" in gdp(system, "a.txt")
    assert "\\xff\\xfe-report.txt" in system.index.documents
    assert any("not UTF-8" in m and "报告-宜兴.txt" in m for m in messages), messages
    manifest = store.read_manifest(tmp_path / "data" / "indexes" / "default")  # written, readable, re-openable
    paths = {Path(d["path"]).name for d in manifest["documents"].values()}
    assert gbk in paths and Path(next(p for p in (d["path"] for d in manifest["documents"].values())
                                      if Path(p).name == gbk)).is_file()
    reads: list[str] = []
    system = build(Settings(data_dir=tmp_path / "data"), fake_encoder, reads)  # next start: corpus from the index
    assert len(system.index.documents) == 4 and any("up to date" in m for m in reads), reads


def test_unchanged_files_are_not_read_again(tmp_path, fake_encoder, reads):
    files = write_reports(tmp_path / "reports")
    data = tmp_path / "data"
    build(Settings(data_dir=data, corpus=[str(tmp_path / "reports")]), fake_encoder)
    assert sorted(reads) == ["a.txt", "b.txt"]
    reads.clear()
    messages: list[str] = []
    build(Settings(data_dir=data), fake_encoder, messages)
    assert reads == [] and any("none read again" in m for m in messages), messages
    os.utime(files["a.txt"], ns=(1, 1))  # touched, same bytes: re-hashed, not re-read
    build(Settings(data_dir=data), fake_encoder)
    assert reads == []
    recorded = store.read_manifest(data / "indexes" / "default")["documents"]["a.txt"]["file"]
    assert recorded["mtime_ns"] == 1  # remembered, so the next start does not hash it again
    files["b.txt"].write_text(files["b.txt"].read_text(encoding="utf-8").replace("1234亿元", "1300亿元"),
                              encoding="utf-8")
    system = build(Settings(data_dir=data), fake_encoder)
    assert reads == ["b.txt"] and "1300亿元" in gdp(system, "b.txt")
    (tmp_path / "reports" / "a.txt.meta.json").write_text(json.dumps({"year": 2031}), encoding="utf-8")
    system = build(Settings(data_dir=data), fake_encoder)
    assert reads == ["b.txt", "a.txt"] and system.index.documents["a.txt"]["year"] == 2031


def test_index_fails_when_nothing_can_be_saved(tmp_path, fake_encoder, monkeypatch, capsys):
    from ui import cli

    monkeypatch.setattr("ui.runtime.Encoder", lambda *a, **k: fake_encoder)
    monkeypatch.setattr("ui.runtime.make_encoder", lambda settings: fake_encoder)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    files = write_reports(tmp_path / "reports")
    code = cli.main(["index", str(files["a.txt"]), "--data-dir", str(blocker / "cache"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "nothing was saved" in err and "Traceback" not in err


def test_a_full_disk_leaves_no_temporary_file_and_the_next_run_cleans_old_ones(tmp_path, fake_encoder,
                                                                                monkeypatch):
    files = write_reports(tmp_path / "reports")
    data = tmp_path / "data"
    index_dir = data / "indexes" / "default"
    build(Settings(data_dir=data, corpus=[str(files["a.txt"])]), fake_encoder)
    (index_dir / ".manifest-old.tmp").write_text("{", encoding="utf-8")  # from a run killed while saving
    real_fsync = os.fsync

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "fsync", full)
    with pytest.raises(OSError, match="nothing was saved"):
        build(Settings(data_dir=data, corpus=[str(p) for p in files.values()]), fake_encoder, must_save=True)
    monkeypatch.setattr(store.os, "fsync", real_fsync)
    assert sorted(p.name for p in index_dir.iterdir() if p.name.endswith(".tmp")) == []
    assert set(store.read_manifest(index_dir)["documents"]) == {"a.txt"}  # the old index as it was
    (index_dir / ".vectors-old.tmp").write_bytes(b"half")
    build(Settings(data_dir=data, corpus=[str(p) for p in files.values()]), fake_encoder, must_save=True)
    assert not list(index_dir.glob("*.tmp")) and not list(index_dir.glob(".*.tmp"))
