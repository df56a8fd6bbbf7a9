import re

from embeddings.chunking import BEFORE_CHARS, DEFAULT_MAX_CHARS, _is_lead, _pack, split_sentences, with_before
from embeddings.indexer import passages_of
from embeddings.loaders import bundled_report_path, load_document


def lenient(s):
    return re.sub(r"\^\[\d+\]|\*\*|\s", "", s)


def test_passages_point_exactly_into_the_original_file():
    doc = load_document(bundled_report_path())
    for p in passages_of(doc):
        assert lenient(doc.text[p.start:p.end]) == lenient(p.text)
        assert p.text[0] == doc.text[p.start] and p.text[-1] == doc.text[p.end - 1]


def test_passages_are_small_and_keep_their_section():
    passages = passages_of(load_document(bundled_report_path()))
    paragraphs = [p for p in passages if p.kind == "paragraph"]
    assert len(passages) > 100
    assert sum(len(p.text) <= DEFAULT_MAX_CHARS for p in paragraphs) / len(paragraphs) > 0.9
    gdp = next(p for p in passages if "1650亿元" in p.text)
    assert gdp.section.startswith("一、2024年工作回顾")
    assert all(p.section for p in passages if p.kind != "front")


def test_glossary_passage_is_findable_from_the_term_and_usage_links_to_it():
    passages = passages_of(load_document(bundled_report_path()))
    entry = next(p for p in passages if p.kind == "glossary" and p.term == "三站三中心")
    assert "院士工作站" in entry.text and "新增省级“三站三中心”10家" in entry.index_text
    user = next(p for p in passages if "新增省级“三站三中心”10家" in p.text)
    assert 3 in user.footnotes


def test_sentences_split_at_chinese_ends_and_long_ones_at_semicolons():
    text = "第一句。第二句！第三句？"
    assert [text[s:e] for s, e in split_sentences(text)] == ["第一句。", "第二句！", "第三句？"]
    long = "；".join(["这是一个相当长的分句" * 3] * 6) + "。"
    parts = split_sentences(long, max_chars=80)
    assert len(parts) > 1 and "".join(long[s:e] for s, e in parts) == long


def test_a_short_lead_sentence_opens_the_next_passage_instead_of_ending_one():
    # a report's topic lead (“新三样”助力出口提质升级。) belongs with the sentences that spell it out
    text = ("创新细化配套措施，推动政策直达快享，新能源汽车、家用电器零售额快速增长。"
            "打造多业态融合消费场景，举办省旅发大会，全年接待游客人次、旅游总花费均增长10%以上。"
            "“新三样”助力出口提质升级。推动外贸扩大规模、优化结构，出口总值增长6.3%。"
            "电动汽车、锂电池、光伏产品出口表现突出、增长77.6%。")
    pieces = [text[s:e] for s, e in _pack(split_sentences(text), 100, text)]
    assert pieces[1].startswith("“新三样”助力出口提质升级。") and "电动汽车" in pieces[1]
    assert "".join(pieces) == text
    # a short sentence carrying a figure is not a lead, and without the text nothing moves
    assert not _is_lead("出口增长6.3%。") and _is_lead("以旧换新激发消费活力。")
    assert [text[s:e] for s, e in _pack(split_sentences(text), 100)][0].endswith("出口提质升级。")


def test_a_passage_is_shown_after_the_end_of_the_one_before_in_its_paragraph():
    # a fact told across a cut (完成营造林…。河湖生态补水…) is whole in one cited passage
    doc = load_document(bundled_report_path())
    passages = passages_of(doc)
    shown = [(a, b) for a, b in zip(passages, passages[1:]) if b.before]
    assert len(shown) > 50
    for a, b in shown:
        assert a.text.endswith(b.before) and len(b.before) <= BEFORE_CHARS
        assert b.before_start < b.start and lenient(doc.text[b.before_start:b.end]) == lenient(b.before + b.text)
        assert b.before not in b.index_text  # retrieval reads the passage's own text
    # the first passage of a paragraph has nothing before it
    firsts = [b for a, b in zip(passages, passages[1:]) if b.start - a.end > 1 or a.section != b.section]
    assert firsts and not any(p.before for p in firsts)


def test_the_sentence_before_is_the_last_one_or_when_long_its_last_clause():
    text = "全年完成营造林987万亩。河湖生态补水13.9亿立方米。新增水面40平方公里。"
    sentences = split_sentences(text)
    pieces = [(0, sentences[0][1]), (sentences[1][0], len(text))]
    assert [text[s:e] for s, e in with_before(pieces, sentences, text)] == [text[:sentences[0][1]], text]
    long = "坚持生态优先，统筹山水林田湖草沙系统治理，" * 3 + "完成营造林987万亩。"
    text = long + "河湖生态补水13.9亿立方米。"
    sentences = split_sentences(text)
    pieces = [(0, len(long)), (len(long), len(text))]
    assert text[with_before(pieces, sentences, text)[1][0]:len(long)] == "完成营造林987万亩。"
    # a last sentence with no clause short enough is not repeated
    text = "甲" * 80 + "。" + "乙乙。"
    sentences = split_sentences(text)
    pieces = [(0, 81), (81, len(text))]
    assert with_before(pieces, sentences, text) == pieces
