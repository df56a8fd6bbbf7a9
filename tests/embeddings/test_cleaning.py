from embeddings.cleaning import clean
from embeddings.loaders import bundled_report_path


def report():
    return bundled_report_path().read_text(encoding="utf-8")


def test_every_clean_character_maps_back_to_the_same_original_character():
    raw = report()
    c = clean(raw)
    assert len(c.offsets) == len(c.text)
    for ch, off in zip(c.text, c.offsets):
        if ch != "\n":
            assert raw[off] == ch
    assert c.offsets == sorted(c.offsets)


def test_sentence_cut_by_a_page_break_is_joined():
    c = clean(report())
    # the original has a blank line between "“四个论英雄”^[2]的" and "导向持续强化"
    assert "“四个论英雄”的导向持续强化" in c.text
    assert "新增就业1.3万人，扶持再就业和创业5400人" in c.text


def test_headings_and_finished_paragraphs_are_not_joined():
    c = clean("一、2024年工作回顾\n\n经济运行整体向好。增长6%。\n\n企业发展承压前行。")
    assert c.text.split("\n\n") == ["一、2024年工作回顾", "经济运行整体向好。增长6%。", "企业发展承压前行。"]


def test_synthetic_page_break_inside_a_long_sentence():
    first = "全年地区生产总值突破1650亿元，增长6%，产业体系提档升级，低空经济、合成生物等未来产业加速"
    c = clean(first + "\n\n布局。下一句。")
    assert c.text == first + "布局。下一句。"


def test_a_paragraph_opening_with_the_possessive_goes_on_the_one_before():
    """河北省 2002/2003 as a web page printed them: …实行“以县为主” / 的基础教育管理体制… (no sentence
    opens with 的); 的确 does."""
    c = clean("全面推进素质教育。实行“以县为主”\n\n的基础教育管理体制，巩固提高“普九”成果。\n\n的确，任务艰巨。")
    assert c.text.split("\n\n") == ["全面推进素质教育。实行“以县为主”的基础教育管理体制，巩固提高“普九”成果。", "的确，任务艰巨。"]
    lines = clean("既积极向上，又体现了\n全面建设小康社会\n的阶段性目标；留有余地。\n新的一段。")
    assert "全面建设小康社会的阶段性目标" in lines.text


def test_spaces_inside_numbers_and_units_go_but_latin_words_keep_theirs():
    c = clean("改新建高标准农田 6.31 万亩，办理建议 193 件，“Real Estate Investment Trusts”的缩写。")
    assert "6.31万亩" in c.text and "建议193件" in c.text
    assert "Real Estate Investment Trusts" in c.text


def test_footnote_markers_are_removed_and_remembered():
    raw = "新增省级“三站三中心”^[3]10家。\n\n名词解释\n\n3. **三站三中心**：博士后科研工作站。"
    c = clean(raw)
    assert "“三站三中心”10家" in c.text and "^[" not in c.text and "**" not in c.text
    assert [f.number for f in c.footnotes] == [3]
    assert c.text[c.footnotes[0].position:].startswith("10家")


def test_bundled_report_has_all_17_footnotes():
    assert sorted(f.number for f in clean(report()).footnotes) == list(range(1, 18))


def test_stray_line_breaks_inside_a_paragraph_are_removed():
    c = clean("各位代表，风正时济，\n自当破浪前行。")
    assert c.text == "各位代表，风正时济，自当破浪前行。"


def test_a_scrapers_escapes_and_comment_marks_are_blanks_and_offsets_stay_the_files():
    raw = "<!--\n-->\n<U+00A0><U+00A0>国务院总理朱镕基\n\n<U+00A0>各位代表：\n\n　　现在，我代表国务院向大会作政府工作报告。"
    c = clean(raw)
    assert c.text.split("\n\n")[:2] == ["国务院总理朱镕基", "各位代表："]
    i = c.text.index("朱镕基")
    assert raw[c.offsets[i]:c.offsets[i] + 3] == "朱镕基"


def test_a_space_after_every_digit_is_read_as_one_number_and_offsets_stay_the_files():
    """国务院 1998 as gov.cn printed it: 1 9 9 7 年…7 4 7 7 2 亿元…8 ．8 ％; 2023 2024 stays two numbers."""
    raw = "1 9 9 7 年国内生产总值达到7 4 7 7 2 亿元，去年经济增长8 ．8 ％，表中2023 2024两列。"
    c = clean(raw)
    assert c.text == "1997年国内生产总值达到74772亿元，去年经济增长8．8％，表中2023 2024两列。"
    i = c.text.index("74772")
    assert raw[c.offsets[i]:c.offsets[i + 4] + 1] == "7 4 7 7 2"


def test_the_address_is_never_joined_to_the_line_before_it():
    """国务院 2001: the delivery line, the speaker and 各位代表： were one paragraph (a 40-character
    line read as cut by a page break)."""
    raw = ("——2001年3月5日在第九届全国人民代表大会第四次会议上\n <U+00A0><U+00A0> 国务院总理朱镕基\n\n"
           "<U+00A0> 各位代表：\n\n　　从今年开始，我国将实施新世纪第一个五年计划。")
    assert clean(raw).text.split("\n\n")[1] == "各位代表："
