"""The retriever's hybrid search: every hit carries both legs' scores."""
import numpy as np

from embeddings.indexer import build_index
from embeddings.loaders import bundled_report_path, load_document
from qa.query import prepare
from qa.retrieve import Retriever


def test_a_passage_only_bm25_found_still_gets_its_embedding_cosine(fake_encoder):
    """The answer step reads every hit's cosine: one the dense leg ranked below its depth is not 0."""
    index, _ = build_index([load_document(bundled_report_path())], fake_encoder)
    retriever = Retriever(index, fake_encoder, depth=3)  # a shallow dense leg: most hits are BM25's
    retriever.warm_up()
    query = prepare("去年新增城镇就业多少人？")
    hits = retriever.search(query, k=10)
    vector = fake_encoder.encode_queries([query.search_text])[0]
    assert len(hits) == 10
    for hit in hits:
        expected = float(np.asarray(index.vectors[hit.row], dtype=np.float32) @ vector)
        assert abs(hit.dense - expected) < 1e-4, hit
    assert sum(1 for h in hits if h.bm25 > 0) > 3  # more than the dense leg's three: filled in
