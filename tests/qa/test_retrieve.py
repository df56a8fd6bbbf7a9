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


def test_a_quoted_name_word_search_cuts_up_is_found_whole(fake_encoder, tmp_path):
    """“一圈一带两区”指的是哪几块: jieba cuts the name into 一圈/一带/两区, which other passages hold
    more often; the one passage holding the whole name comes first."""
    from qa.pipeline import ReportQA
    paras = ["一、2025年工作回顾", "2025年是关键的一年。"]
    paras += [f"推进一带建设第{i}期，两区协同发展，一圈联动，一带两区项目{i}个开工。" for i in range(1, 30)]
    paras += ["“一圈一带两区”发展格局加快构建。沈阳都市圈跨域通办事项260项。"]
    path = tmp_path / "report.txt"
    path.write_text("\n\n".join(paras), encoding="utf-8")
    index, _ = build_index([load_document(path)], fake_encoder)
    qa = ReportQA(index, fake_encoder, mode="bm25")
    _, hits = qa.search("“一圈一带两区”指的是哪几块？")
    assert "“一圈一带两区”" in index.passages[hits[0].row].text
    _, plain = qa.search("一圈一带两区指的是哪几块？")  # unquoted: word search alone
    assert "“一圈一带两区”" not in index.passages[plain[0].row].text
