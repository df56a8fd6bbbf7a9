import re

from embeddings.chunking import CONTEXT_CHARS, DEFAULT_MAX_CHARS, _is_lead, _pack, in_context, split_sentences
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


def test_a_passage_is_shown_between_the_ends_of_its_neighbours_in_its_paragraph():
    # a fact told across a cut (完成营造林…。河湖生态补水…) is whole in either cited passage
    doc = load_document(bundled_report_path())
    passages = passages_of(doc)
    pairs = [(a, b) for a, b in zip(passages, passages[1:]) if b.before or a.after]
    assert len(pairs) > 50
    for a, b in pairs:
        assert a.text.endswith(b.before) and b.text.startswith(a.after)
        assert len(b.before) <= CONTEXT_CHARS and len(a.after) <= CONTEXT_CHARS
        assert not (b.before and b.before in b.index_text) and not (a.after and a.after in a.index_text)
    for p in passages:
        if p.before or p.after:
            assert p.shown_start <= p.start < p.end <= p.shown_end
            assert lenient(doc.text[p.shown_start:p.shown_end]) == lenient(p.before + p.text + p.after)
    # a paragraph's first passage has nothing before it, its last nothing after
    firsts = [b for a, b in zip(passages, passages[1:]) if b.start - a.end > 1 or a.section != b.section]
    assert firsts and not any(p.before for p in firsts)


def test_the_context_is_a_sentence_or_when_long_a_clause():
    text = "全年完成营造林987万亩。河湖生态补水13.9亿立方米。新增水面40平方公里。"
    sentences = split_sentences(text)
    cut = sentences[0][1]
    pieces = [(0, cut), (cut, len(text))]
    assert [text[s:e] for s, e in in_context(pieces, sentences, text)] == [
        text[:sentences[1][1]], text]
    long = "坚持生态优先，统筹山水林田湖草沙系统治理，" * 3 + "完成营造林987万亩。"
    text = long + "河湖生态补水13.9亿立方米，" + "新增水面40平方公里和河长477公里，" * 3 + "成效明显。"
    sentences = split_sentences(text)
    pieces = [(0, len(long)), (len(long), len(text))]
    first, second = in_context(pieces, sentences, text)
    assert text[second[0]:len(long)] == "完成营造林987万亩。"
    assert text[len(long):first[1]] == "河湖生态补水13.9亿立方米，"
    # a sentence with no clause short enough is not shown
    text = "甲" * 80 + "。" + "乙" * 80 + "。"
    sentences = split_sentences(text)
    pieces = [(0, 81), (81, len(text))]
    assert in_context(pieces, sentences, text) == pieces
