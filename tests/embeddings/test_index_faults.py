"""Faults around the index on disk: nothing is lost, nothing wrong is served, no traceback.

Fast tests use the bigram ``FakeEncoder`` on malformed manifests, stale temporary files, a
same-size damaged file, an index of another corpus or of a same-named model of another size.
Slow tests run the real ``report-qa`` command: ``kill -9`` in the middle of encoding, two
indexers at once, and a read-only cache. They start from a copy of the session's index (the
bundled report, real model) with the converted model linked in, so nothing is converted twice.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from embeddings import store
from embeddings.indexer import PAUSE_ENV, ensure_index
from embeddings.loaders import Document, DocumentError, bundled_report_path, load_document
from qa.pipeline import ReportQA

REPORT_ID = "liyang-2025-government-work-report.txt"


def docs() -> list[Document]:
    return [load_document(bundled_report_path())]


def indexed(directory: Path, encoder) -> dict:
    ensure_index(docs(), encoder, directory, log=lambda m: None)
    return json.loads((directory / store.MANIFEST).read_text(encoding="utf-8"))


# --- malformed metadata (fast) -------------------------------------------------------------

def _set(key, value):
    return lambda m: m.update({key: value})


def _file(field, value):
    return lambda m: m["files"]["vectors"].update({field: value})


MANIFESTS = {
    "documents is a list": _set("documents", ["a", "b"]),
    "document entry is a string": _set("documents", {REPORT_ID: "x"}),
    "documents null": _set("documents", None),
    "model_id missing": lambda m: m.pop("model_id"),
    "model_id an object": _set("model_id", {"name": "x"}),
    "dim not a number": _set("dim", "384"),
    "passage count wrong": _set("passages", 3),
    "files a list": _set("files", []),
    "file name absolute": _file("name", "/etc/passwd"),
    "file name climbs out": _file("name", "../../manifest.json"),
    "file name a dot-file": _file("name", ".lock"),
    "checksum missing": lambda m: m["files"]["vectors"].pop("sha256"),
}


@pytest.mark.parametrize("damage", list(MANIFESTS), ids=list(MANIFESTS))
def test_malformed_manifest_is_recovered_from_its_copy(tmp_path, fake_encoder, damage):
    manifest = indexed(tmp_path, fake_encoder)
    good = json.loads(json.dumps(manifest))
    MANIFESTS[damage](manifest)
    (tmp_path / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert store.load(tmp_path).recovered
    messages: list[str] = []
    index = ensure_index(docs(), fake_encoder, tmp_path, log=messages.append)
    assert any("recovered the index" in m for m in messages) and not any("rebuilding" in m for m in messages)
    assert {p.doc_id for p in index.passages} == {REPORT_ID}
    assert store.read_manifest(tmp_path, copy=False)["files"] == good["files"]  # repaired, nothing re-encoded


@pytest.mark.parametrize("damage", list(MANIFESTS), ids=list(MANIFESTS))
def test_malformed_manifest_is_refused_and_rebuilt(tmp_path, fake_encoder, damage):
    manifest = indexed(tmp_path, fake_encoder)
    MANIFESTS[damage](manifest)
    for name in (store.MANIFEST, store.MANIFEST_COPY):  # the manifest and its copy
        (tmp_path / name).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(store.IndexLoadError, match="damaged|inconsistent"):
        store.load(tmp_path)
    messages: list[str] = []
    index = ensure_index(docs(), fake_encoder, tmp_path, log=messages.append)
    assert any("rebuilding" in m for m in messages), messages
    assert {p.doc_id for p in index.passages} == {REPORT_ID}
    assert len(store.load(tmp_path).passages) == len(index.passages)  # healthy again


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"format_version": 1, "dim": NaN}', "[1, 2]",
                                  "\ufeff{}", '"manifest"'], ids=["deeply nested", "NaN", "array", "BOM", "string"])
def test_garbled_manifest_json_is_refused(tmp_path, fake_encoder, text):
    indexed(tmp_path, fake_encoder)
    (tmp_path / store.MANIFEST).write_text(text, encoding="utf-8")
    assert store.read_manifest(tmp_path)["recovered"]  # from the copy
    (tmp_path / store.MANIFEST_COPY).write_text(text, encoding="utf-8")
    with pytest.raises(store.IndexLoadError, match="manifest"):
        store.read_manifest(tmp_path)
    assert len(ensure_index(docs(), fake_encoder, tmp_path, log=lambda m: None).passages) > 100


def test_startup_never_switches_to_the_bundled_report_over_a_damaged_manifest(tmp_path, fake_encoder):
    """``corpus_paths`` (every command's first step) reads the manifest's copy; with both damaged
    it is an error saying what to do, not a silent switch to the bundled report."""
    from ui.config import Settings
    from ui.runtime import corpus_paths, load_documents

    settings = Settings(data_dir=tmp_path)
    other = tmp_path / "other.txt"
    other.write_text("一、宜兴市2025年工作安排\n\n全年新建口袋公园28个。", encoding="utf-8")
    loaded, _ = load_documents([other], lambda m: None)
    ensure_index(loaded, fake_encoder, settings.index_dir, log=lambda m: None)
    manifest = json.loads((settings.index_dir / store.MANIFEST).read_text(encoding="utf-8"))
    manifest["documents"] = ["not", "a", "mapping"]
    (settings.index_dir / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert corpus_paths(settings) == [other.resolve()]
    (settings.index_dir / store.MANIFEST_COPY).write_text("{", encoding="utf-8")
    with pytest.raises(DocumentError, match="report-qa index"):
        corpus_paths(settings)
    assert corpus_paths(Settings(data_dir=tmp_path / "fresh")) == [bundled_report_path()]  # no index yet


# --- damaged or foreign data (fast) --------------------------------------------------------

def test_same_size_damage_is_repaired_by_one_rebuild(tmp_path, fake_encoder):
    """A flipped bit keeps the file's size; the rebuild must rewrite the file, not keep the bad copy."""
    manifest = indexed(tmp_path, fake_encoder)
    path = tmp_path / manifest["files"]["passages"]["name"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(store.IndexLoadError, match="checksum"):
        store.load(tmp_path)
    ensure_index(docs(), fake_encoder, tmp_path, log=lambda m: None)
    store.load(tmp_path)
    encoded = fake_encoder.encoded
    messages: list[str] = []
    ensure_index(docs(), fake_encoder, tmp_path, log=messages.append)
    assert fake_encoder.encoded == encoded and any("up to date" in m for m in messages), messages


def test_index_of_another_corpus_is_not_served(tmp_path, fake_encoder):
    other = [Document("other.txt", "other.txt", "一、其他城市\n\n全年地区生产总值突破9999亿元。房价每平方米2万元。")]
    ensure_index(other, fake_encoder, tmp_path / "other", log=lambda m: None)
    here = tmp_path / "here"
    shutil.copytree(tmp_path / "other", here)  # e.g. a backup restored into the wrong folder
    messages: list[str] = []
    index = ensure_index(docs(), fake_encoder, here, log=messages.append)
    assert {p.doc_id for p in index.passages} == {REPORT_ID}
    assert any("1 added" in m and "1 removed" in m for m in messages), messages
    answer = ReportQA(index, fake_encoder).ask("全年地区生产总值突破多少亿元？")
    assert "9999" not in answer.answer + "".join(c.text for c in answer.citations)


class _SmallerFake:
    """The same model name, but the folder now holds a model of another size."""

    def __init__(self, base) -> None:
        self.base, self.model_id, self.dim = base, base.model_id, 32

    def encode_passages(self, texts, batch_size=32, progress=False):
        return self.base.encode_passages(texts)[:, :32]

    def encode_queries(self, texts):
        return self.base.encode_queries(texts)[:, :32]


def test_model_of_another_size_under_the_same_name_rebuilds(tmp_path, fake_encoder):
    indexed(tmp_path, fake_encoder)
    smaller = _SmallerFake(fake_encoder)
    messages: list[str] = []
    index = ensure_index(docs(), smaller, tmp_path, log=messages.append)
    assert index.dim == 32 and any("32-dimensional" in m and "rebuilding" in m for m in messages), messages
    assert "1650亿元" in ReportQA(index, smaller).ask("去年GDP多少？").answer
    index = ensure_index(docs() + [Document("n.txt", "n.txt", "一、测试\n\n经济运行整体向好。")], smaller, tmp_path,
                         log=lambda m: None)
    assert index.dim == 32 and store.load(tmp_path).dim == 32


def test_stale_temporary_files_do_not_break_the_next_run(tmp_path, fake_encoder):
    """What a crash while saving leaves behind: temp files and an unreferenced half-written file."""
    manifest = indexed(tmp_path, fake_encoder)
    (tmp_path / ".vectors-abc123.tmp").write_bytes(b"\x93NUMPY half")
    (tmp_path / ".manifest-abc123.tmp").write_text('{"format_version": 1, "fil', encoding="utf-8")
    (tmp_path / "vectors-0000000000000000.npy").write_bytes(b"\x93NUMPY half")
    assert store.read_manifest(tmp_path) == manifest  # the committed manifest is untouched
    changed = docs()
    changed[0].text = changed[0].text.replace("1650亿元", "1700亿元")
    index = ensure_index(changed, fake_encoder, tmp_path, log=lambda m: None)
    assert any("1700亿元" in p.text for p in store.load(tmp_path).passages)
    assert len(index.passages) == manifest["passages"]
    assert not (tmp_path / ".vectors-abc123.tmp").exists() and not (tmp_path / "vectors-0000000000000000.npy").exists()


def test_index_files_are_readable_by_a_service_account(tmp_path, fake_encoder):
    """Files get the mode of any new file (umask applies), not mkstemp's 0600: an index built by
    an administrator can be served by another account."""
    indexed(tmp_path, fake_encoder)
    umask = os.umask(0o022)
    os.umask(umask)
    for path in tmp_path.iterdir():
        if path.name != ".lock":
            assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path.name


@pytest.mark.slow
def test_unwritable_data_dir_answers_from_memory_through_the_cli(tmp_path, real_encoder, monkeypatch, capsys):
    """``--data-dir`` below a regular file: the index cannot be saved, the answer still comes."""
    from ui import cli

    monkeypatch.setattr("ui.runtime.Encoder", lambda *a, **k: real_encoder)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    notice = tmp_path / "notice.txt"
    notice.write_text("一、宜兴市2025年工作安排\n\n全年新建口袋公园28个，新增停车位3000个。", encoding="utf-8")
    code = cli.main(["ask", "新建口袋公园多少个？", "--json", "--data-dir", str(blocker / "cache"),
                     "--corpus", str(notice)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "28个" in json.loads(out.out)["answer"]
    assert "cannot write the index" in out.err and "Traceback" not in out.err
    assert blocker.read_text(encoding="utf-8") == "not a folder"


# --- the real command under faults (slow) --------------------------------------------------

def _command() -> list[str]:
    exe = Path(sys.executable).with_name("report-qa")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ui.cli"]


def _env(data: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORT_QA_")}
    env.update(REPORT_QA_DATA_DIR=str(data), HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1", TOKENIZERS_PARALLELISM="false")
    return env


def run_cli(data: Path, *args: str, prefix: tuple[str, ...] = (), timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, *_command(), *args], env=_env(data), capture_output=True, text=True,
                          timeout=timeout)


def seed(session_data: Path, data: Path) -> Path:
    """A fresh data dir holding a copy of the session's index of the bundled report and its model."""
    (data / "indexes").mkdir(parents=True)
    (data / "models").symlink_to(session_data / "models", target_is_directory=True)
    shutil.copytree(session_data / "indexes" / "default", data / "indexes" / "default")
    store.load(data / "indexes" / "default")
    return data


@pytest.fixture
def seeded(real_system, data_dir, tmp_path) -> Path:
    return seed(Path(data_dir), tmp_path / "data")


def other_report(folder: Path, paragraphs: int = 25) -> Path:
    """Another city's report: the bundled one cut short, other punctuation and GDP, so its passages are new."""
    text = bundled_report_path().read_text(encoding="utf-8")
    cut = "\n\n".join(text.split("\n\n")[:paragraphs])
    path = folder / "other.txt"
    path.write_text(cut.replace("，", "、").replace("溧阳", "宜兴").replace("1650亿元", "2761亿元"), encoding="utf-8")
    return path


def index_files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.name != ".lock"}


@pytest.fixture(scope="module")
def killed(real_system, data_dir, tmp_path_factory) -> dict:
    """A seeded data dir after ``report-qa index`` (bundled report + another) got SIGKILL mid-encoding."""
    tmp = tmp_path_factory.mktemp("killed")
    data = seed(Path(data_dir), tmp / "data")
    index_dir = data / "indexes" / "default"
    before = index_files(index_dir)
    other = other_report(tmp)
    log = tmp / "index.log"
    paused = tmp / "paused"
    env = {**_env(data), PAUSE_ENV: str(paused)}  # the indexer waits after its first encoded passage
    with open(log, "wb") as out:
        proc = subprocess.Popen([*_command(), "index", str(bundled_report_path()), str(other)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while not paused.exists():  # encoding has started and will not finish
            assert proc.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "encoding never started"
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return {"data": data, "index_dir": index_dir, "before": before, "other": other}


@pytest.mark.slow
def test_kill_9_while_encoding_keeps_the_previous_index(killed, real_encoder):
    index_dir = killed["index_dir"]
    assert index_files(index_dir) == killed["before"]  # not a byte of the committed index changed
    from ui.runtime import load_documents

    messages: list[str] = []
    served, _ = load_documents([bundled_report_path()], messages.append)  # what the next start does
    index = ensure_index(served, real_encoder, index_dir, log=messages.append)
    assert any("up to date" in m for m in messages) and not any("rebuilding" in m for m in messages), messages
    assert "1650亿元" in ReportQA(index, real_encoder).ask("去年GDP多少？").answer
    assert index_files(index_dir) == killed["before"]


@pytest.mark.slow
def test_after_the_kill_two_indexers_at_once_finish_the_job(killed, real_encoder):
    """The next runs, two at the same time over the leftovers of the killed one (and of a kill while saving)."""
    index_dir = killed["index_dir"]
    (index_dir / ".vectors-killed.tmp").write_bytes(b"\x93NUMPY")
    (index_dir / ".manifest-killed.tmp").write_text('{"format_version": 1', encoding="utf-8")
    args = ["index", str(bundled_report_path()), str(killed["other"]), "--no-progress"]
    procs = [subprocess.Popen([*_command(), *args], env=_env(killed["data"]), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        results = [p.communicate(timeout=240) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0, err
        assert "passages from 2 document(s)" in out and "Traceback" not in err
    errs = [err for _, err in results]
    assert sum("1 added, 1 unchanged" in e for e in errs) == 1 and sum("up to date" in e for e in errs) == 1, errs
    index = store.load(index_dir)  # checksums verified
    assert set(index.documents) == {REPORT_ID, "other.txt"}
    kept = {store.MANIFEST, store.MANIFEST_COPY, *(f["name"] for f in store.read_manifest(index_dir)["files"].values())}
    assert {p.name for p in index_dir.iterdir() if not p.name.startswith(".")} == kept
    assert not (index_dir / ".vectors-killed.tmp").exists()
    answer = ReportQA(index, real_encoder).ask("去年GDP多少？", doc="other.txt")
    assert "2761亿元" in answer.answer, answer.answer


def _read_only_prefix() -> tuple[str, ...]:
    """Run as a user for whom mode bits count: root without the capabilities that bypass them."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.skip("running as root and setpriv is not installed: chmod cannot make a folder read-only")
    caps = "-dac_override,-dac_read_search,-fowner"
    prefix = (setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}", "--")
    probe = subprocess.run([*prefix, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"setpriv cannot drop capabilities here: {probe.stderr.decode(errors='replace')}")
    return prefix


def _chmod_tree(root: Path, writable: bool) -> None:
    for folder, dirs, files in os.walk(root):  # does not follow the models symlink
        for path in [Path(folder), *(Path(folder) / n for n in files)]:
            if not path.is_symlink():
                mode = stat.S_IMODE(path.stat().st_mode)
                path.chmod(mode | stat.S_IWUSR if writable else mode & ~0o222)


@pytest.mark.slow
def test_read_only_cache_serves_its_index(seeded):
    """A service account that may not write the cache still answers from the index it finds there."""
    prefix = _read_only_prefix()
    index_dir = seeded / "indexes" / "default"
    before = index_files(index_dir)
    _chmod_tree(seeded, writable=False)
    try:
        r = run_cli(seeded, "ask", "去年GDP多少？", "--json", prefix=prefix)
    finally:
        _chmod_tree(seeded, writable=True)
    assert r.returncode == 0, r.stderr
    assert "1650亿元" in json.loads(r.stdout)["answer"]
    assert "up to date" in r.stderr and "cannot lock" in r.stderr and "Traceback" not in r.stderr
    assert index_files(index_dir) == before


@pytest.mark.slow
def test_index_on_a_read_only_cache_exits_non_zero(seeded, tmp_path):
    """``report-qa index`` must not succeed when it can save nothing, whatever it was asked to add."""
    prefix = _read_only_prefix()
    index_dir = seeded / "indexes" / "default"
    before = index_files(index_dir)
    other = other_report(tmp_path, paragraphs=5)
    _chmod_tree(seeded, writable=False)
    try:
        results = [run_cli(seeded, "index", *files, "--no-progress", prefix=prefix)
                   for files in ([str(bundled_report_path())], [str(bundled_report_path()), str(other)])]
    finally:
        _chmod_tree(seeded, writable=True)
    for r in results:
        assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
        assert "nothing was saved" in r.stderr and "Traceback" not in r.stderr
    assert index_files(index_dir) == before
