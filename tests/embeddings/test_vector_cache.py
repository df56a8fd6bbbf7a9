"""Passage vectors are remembered across indexes by content hash; a bad cache file costs only time."""
import numpy as np

from embeddings.vector_cache import FILE_NAME, CachingEncoder, VectorCache, caching, text_key

TEXTS = ["地区生产总值增长5%左右", "城镇新增就业50万人", "新建改建农村公路1000公里"]


def test_a_second_encoding_of_the_same_passages_reads_the_cache(tmp_path, fake_encoder):
    enc = caching(fake_encoder, tmp_path)
    first = enc.encode_passages(TEXTS)
    assert fake_encoder.encoded == 3
    again = caching(fake_encoder, tmp_path).encode_passages(TEXTS[1:] + ["今年要新增托位2000个"])
    assert fake_encoder.encoded == 4  # only the new passage went to the model
    assert np.allclose(again[:2], first[1:]) and again.dtype == np.float32
    assert (tmp_path / FILE_NAME).is_file()


def test_the_cache_is_per_model_and_per_dimension(tmp_path, fake_encoder):
    caching(fake_encoder, tmp_path).encode_passages(TEXTS)
    cache = VectorCache(tmp_path / FILE_NAME)
    keys = [text_key(t) for t in TEXTS]
    assert len(cache.get(fake_encoder.model_id, keys, fake_encoder.dim)) == 3
    assert cache.get("another-model", keys, fake_encoder.dim) == {}
    assert cache.get(fake_encoder.model_id, keys, 128) == {}  # same name, other model: a miss


def test_a_damaged_cache_file_only_costs_time(tmp_path, fake_encoder):
    (tmp_path / FILE_NAME).write_bytes(b"not a database at all" * 100)
    messages = []
    enc = CachingEncoder(fake_encoder, VectorCache(tmp_path / FILE_NAME, messages.append))
    out = enc.encode_passages(TEXTS)
    assert out.shape == (3, fake_encoder.dim) and fake_encoder.encoded == 3
    assert len(messages) == 1 and "unusable" in messages[0]
    enc.encode_passages(TEXTS)  # one warning, not one per call
    assert len(messages) == 1


def test_other_attributes_are_the_encoders(tmp_path, fake_encoder):
    enc = caching(fake_encoder, tmp_path)
    assert enc.model_id == fake_encoder.model_id and enc.dim == fake_encoder.dim
    assert enc.encode_queries(["GDP"]).shape == (1, fake_encoder.dim)
    assert caching(enc, tmp_path) is enc and caching(fake_encoder, None) is fake_encoder


def test_two_indexes_of_one_report_encode_it_once(tmp_path, fake_encoder):
    """The real indexing path: the report alone, then in an index of its own name again."""
    from pathlib import Path

    from ui.config import Settings
    from ui.runtime import build_system
    report = Path(__file__).resolve().parents[2] / "data" / "reports" / "beijing-2026.txt"
    a = build_system(Settings(data_dir=tmp_path, index_name="a", corpus=[str(report)]), encoder=fake_encoder,
                     log=lambda m: None)
    encoded = fake_encoder.encoded
    messages = []
    b = build_system(Settings(data_dir=tmp_path, index_name="b", corpus=[str(report)]), encoder=fake_encoder,
                     log=messages.append)
    assert encoded > 100 and fake_encoder.encoded == encoded
    assert any(f"(0 encoded, 0 reused, {encoded} from the vector cache" in m for m in messages), messages
    assert np.array_equal(a.index.vectors, b.index.vectors)
