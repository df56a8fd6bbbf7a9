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

With ``--queries`` it asks every set's questions instead (the quality test's run, some five
minutes) and keeps the vectors of every text the system encoded as a query (questions, their
parts, the answer windows the decider compares) in ``tests/data/query_vectors/<report>.npz``:
run it after a change to how questions are searched or answered moves many of those texts
(``test_few_queries_needed_the_model`` says when).
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
QUERIES = ROOT / "tests" / "data" / "query_vectors"


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
    parser.add_argument("--queries", action="store_true", help="the query vectors of every set's questions instead")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or default_data_dir()
    encoder = Encoder(None, data_dir)
    encoder.warm_up()
    if args.queries:
        return _queries(encoder, data_dir)
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


def _queries(encoder, data_dir: Path) -> int:
    """Ask every set (as the quality test does) and write each report's query vectors."""
    import quality_sets as quality
    QUERIES.mkdir(parents=True, exist_ok=True)
    written = set()

    def save(report: Path, queries) -> None:
        from embeddings.vector_cache import text_key as key  # the passages' content hash
        texts = list(queries.seen)
        keys = np.array([key(t) for t in texts], "S64")
        vectors = np.stack([queries.known[key(t)] for t in texts]).astype(np.float32) if texts \
            else np.zeros((0, int(encoder.dim)), np.float32)
        path = QUERIES / f"{report.stem}.npz"
        written.add(path.name)
        if _same(path, encoder.model_id, keys, vectors):
            print(f"{report.stem}: {len(texts)} query texts, unchanged")
            return
        np.savez_compressed(path, model=np.array(encoder.model_id), keys=keys, vectors=vectors)
        print(f"{report.stem}: {len(texts)} query texts ({queries.encoded} new)")

    for _ in quality.measure(quality.SETS + quality.FRESH, data_dir, encoder, on_report=save):
        pass
    for stale in QUERIES.glob("*.npz"):
        if stale.name not in written:
            stale.unlink()
            print(f"removed {stale.name} (no set uses that report)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
