"""Write the passage vectors the quality test reads instead of encoding every report again.

    .venv/bin/python scripts/refresh_test_vectors.py [--data-dir DIR]

The quality test (``tests/qa/test_dev_quality.py``) indexes some 50 reports with the real model.
Encoding their ~10,000 passages is most of the suite's time on a 2-core machine, and a clean
clone has no vector cache. So, as ``llm`` does with content hashes, the vectors the real model
gave each passage are kept in ``tests/data/passage_vectors/<report>.npz`` (model id, SHA-256 of
each passage's text, float32 vectors). The test puts them in its data directory's vector cache;
a passage whose text changed (chunking, cleaning) is not found there and is encoded as usual, and
``test_the_committed_vectors_are_the_models`` checks a sample against the live model.

Run this after a change to how reports are cut into passages (the test says when too many are
missing). It encodes with the data directory's own vector cache, so only new passages cost time.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "qa"))

OUT = ROOT / "tests" / "data" / "passage_vectors"


SAME = 1e-5  # vectors closer than this to the committed ones are the same (the test allows 1e-4)


def _same(path: Path, model_id: str, keys: np.ndarray, vectors: np.ndarray) -> bool:
    """Whether the committed file at ``path`` already holds these passages' vectors of this model."""
    if not path.exists():
        return False
    with np.load(path, allow_pickle=False) as z:
        return (str(z["model"]) == model_id and np.array_equal(z["keys"], keys)
                and z["vectors"].shape == vectors.shape and float(np.abs(z["vectors"] - vectors).max(initial=0.0)) < SAME)


def main(argv: list[str] | None = None) -> int:
    from embeddings.indexer import analyse
    from embeddings.loaders import load_document
    from embeddings.model import Encoder, default_data_dir
    from embeddings.vector_cache import caching, text_key
    import quality_sets as quality

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="data directory (model and vector cache)")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or default_data_dir()
    encoder = Encoder(None, data_dir)
    encoder.warm_up()
    cached = caching(encoder, data_dir, log=print)
    reports = list(dict.fromkeys(report for _, report in quality.SETS + quality.FRESH))
    OUT.mkdir(parents=True, exist_ok=True)
    written = set()
    for report in reports:
        texts = list(dict.fromkeys(p.index_text for p in analyse(load_document(report))[0]))
        vectors = np.asarray(cached.encode_passages(texts), np.float32)
        path = OUT / f"{report.stem}.npz"
        keys = np.array([text_key(t) for t in texts], "S64")
        written.add(path.name)
        if _same(path, encoder.model_id, keys, vectors):
            print(f"{report.stem}: {len(texts)} passages, unchanged")
            continue  # rewriting float noise (another cache, another backend) would only grow the history
        np.savez_compressed(path, model=np.array(encoder.model_id), keys=keys, vectors=vectors)
        print(f"{report.stem}: {len(texts)} passages")
    for stale in OUT.glob("*.npz"):
        if stale.name not in written:
            stale.unlink()
            print(f"removed {stale.name} (no set uses that report)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
