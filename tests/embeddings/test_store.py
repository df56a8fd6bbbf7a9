"""Index on disk: reuse, rebuild on change, damage detection, atomic commit."""
import json
import numpy as np
import pytest

from embeddings import store
from embeddings.indexer import build_index, ensure_index
from embeddings.loaders import Document, bundled_report_path, load_document


def docs():
    return [load_document(bundled_report_path())]


def quiet(_msg):
    pass


def test_round_trip_keeps_everything(tmp_path, fake_encoder):
    index, encoded = build_index(docs(), fake_encoder)
    assert encoded == len({p.index_text for p in index.passages})
    store.save(index, tmp_path)
    loaded = store.load(tmp_path)
    assert [p.to_dict() for p in loaded.passages] == [p.to_dict() for p in index.passages]
    assert np.array_equal(loaded.vectors, index.vectors)
    assert loaded.model_id == fake_encoder.model_id
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["dim"] == 64 and manifest["passages"] == len(index.passages)
    assert manifest["documents"]["liyang-2025-government-work-report.txt"]["year"] == 2025


def test_unchanged_corpus_is_reused_without_encoding(tmp_path, fake_encoder):
    ensure_index(docs(), fake_encoder, tmp_path, log=quiet)
    before = fake_encoder.encoded
    ensure_index(docs(), fake_encoder, tmp_path, log=quiet)
    assert fake_encoder.encoded == before


def test_changed_corpus_is_rebuilt_reusing_unchanged_passages(tmp_path, fake_encoder):
    first = ensure_index(docs(), fake_encoder, tmp_path, log=quiet)
    changed = docs()
    changed[0].text = changed[0].text.replace("1650亿元", "1700亿元")
    before = fake_encoder.encoded
    second = ensure_index(changed, fake_encoder, tmp_path, log=quiet)
    assert 1 <= fake_encoder.encoded - before <= 3  # only the passage that changed
    assert any("1700亿元" in p.text for p in second.passages)
    assert store.load(tmp_path).corpus_hash != first.corpus_hash


def test_model_change_rebuilds_everything(tmp_path, fake_encoder):
    ensure_index(docs(), fake_encoder, tmp_path, log=quiet)
    fake_encoder.model_id = "another-model"
    before = fake_encoder.encoded
    index = ensure_index(docs(), fake_encoder, tmp_path, log=quiet)
    assert fake_encoder.encoded - before == len({p.index_text for p in index.passages})
    assert store.read_manifest(tmp_path)["model_id"] == "another-model"


@pytest.mark.parametrize("damage", ["truncate-vectors", "garble-passages", "garble-manifest", "delete-faiss", "empty-manifest"])
def test_damaged_index_is_detected_and_rebuilt(tmp_path, fake_encoder, damage):
    ensure_index(docs(), fake_encoder, tmp_path, log=quiet)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    files = {k: tmp_path / v["name"] for k, v in manifest["files"].items()}
    if damage == "truncate-vectors":
        data = files["vectors"].read_bytes()
        files["vectors"].write_bytes(data[: len(data) // 2])
    elif damage == "garble-passages":
        files["passages"].write_bytes(b"\x00garbage" * 10)
    elif damage == "garble-manifest":
        (tmp_path / "manifest.json").write_text("{not json")
    elif damage == "delete-faiss":
        files["faiss"].unlink()
    else:
        (tmp_path / "manifest.json").write_text("")
    if "manifest" in damage:  # the copy written beside it recovers the index as it was
        assert store.load(tmp_path).recovered
        (tmp_path / store.MANIFEST_COPY).write_text("{")  # and with the copy damaged too:
    with pytest.raises(store.IndexLoadError) as err:
        store.load(tmp_path)
    assert str(tmp_path) in str(err.value) or "manifest" in str(err.value)
    messages = []
    index = ensure_index(docs(), fake_encoder, tmp_path, log=messages.append)
    assert len(index.passages) > 100
    assert not store.load(tmp_path).recovered  # healthy again, manifest and copy
    assert store.read_manifest(tmp_path, copy=False) == json.loads((tmp_path / store.MANIFEST_COPY).read_text())
    assert any("rebuilding" in m for m in messages)


def test_a_damaged_manifest_is_recovered_from_its_copy_without_encoding(tmp_path, fake_encoder):
    ensure_index(docs(), fake_encoder, tmp_path, log=quiet)
    good = store.read_manifest(tmp_path)
    data = (tmp_path / "manifest.json").read_bytes()
    (tmp_path / "manifest.json").write_bytes(data[: len(data) // 3])  # truncated
    encoded = fake_encoder.encoded
    messages: list[str] = []
    index = ensure_index(docs(), fake_encoder, tmp_path, log=messages.append)
    assert fake_encoder.encoded == encoded and len(index.passages) == good["passages"]
    assert any("recovered the index from" in m for m in messages), messages
    assert store.read_manifest(tmp_path, copy=False)["files"] == good["files"]  # the manifest is repaired


@pytest.mark.parametrize("kind", ["symlink to /dev/zero", "fifo", "longer than recorded"])
def test_only_regular_files_of_the_recorded_size_are_read(tmp_path, fake_encoder, kind):
    import os

    ensure_index(docs(), fake_encoder, tmp_path, log=quiet)
    vectors = tmp_path / store.read_manifest(tmp_path)["files"]["vectors"]["name"]
    vectors.unlink()
    if kind == "fifo":
        os.mkfifo(vectors)  # opening it for reading would block for ever if the loader tried
    elif kind.startswith("symlink"):
        vectors.symlink_to("/dev/zero")
    else:
        vectors.write_bytes(b"\x93NUMPY" + b"\0" * 10_000_000)
    for copy in (store.MANIFEST, store.MANIFEST_COPY):
        assert (tmp_path / copy).exists()
    with pytest.raises(store.IndexLoadError, match="not a regular file|damaged"):
        store.load(tmp_path)
    index = ensure_index(docs(), fake_encoder, tmp_path, log=quiet)
    assert len(store.load(tmp_path).passages) == len(index.passages)


def test_loaded_vectors_are_memory_mapped(tmp_path, fake_encoder):
    ensure_index(docs(), fake_encoder, tmp_path, log=quiet)
    index = store.load(tmp_path)
    assert not index.vectors.flags.owndata and not index.vectors.flags.writeable
    assert index.vectors.shape == (len(index.passages), fake_encoder.dim)
    assert index.search(index.vectors[0], 1)[0][0] == 0


def test_unwritable_cache_falls_back_to_memory(tmp_path, fake_encoder):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    messages = []
    index = ensure_index(docs(), fake_encoder, blocker / "idx", log=messages.append)
    assert len(index.passages) > 100
    assert any("cannot write the index" in m for m in messages)
    assert blocker.read_text().startswith("a file")


def test_failed_save_leaves_previous_index_intact(tmp_path, fake_encoder, monkeypatch):
    ensure_index(docs(), fake_encoder, tmp_path, log=quiet)
    good = store.read_manifest(tmp_path)

    def boom(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(store.os, "replace", boom)
    changed = [Document("x.txt", "x.txt", "一、测试\n\n经济运行整体向好。增长很多。")]
    ensure_index(changed, fake_encoder, tmp_path, log=quiet)
    monkeypatch.undo()
    assert store.read_manifest(tmp_path) == good
    assert len(store.load(tmp_path).passages) == good["passages"]
