from embeddings.cleaning import clean
from embeddings.loaders import bundled_report_path
from embeddings.structure import cn_number, lead_sentence, parse


def blocks():
    return parse(clean(bundled_report_path().read_text(encoding="utf-8")))


def test_parts_and_sub_sections_are_recognised():
    headings = [b.path for b in blocks() if b.kind == "heading"]
    assert headings[0] == ("一、2024年工作回顾",)
    assert ("二、2025年工作安排",) in headings
    # 一、 under part 二 restarts numbering: it is a sub-section, not a new part
    assert ("二、2025年工作安排", "一、千方百计稳定经济增长，提振市场信心，积蓄回升向好新势能") in headings
    assert ("三、全面加强政府自身建设",) in headings


def test_topic_and_lead_sentence_give_the_section_path():
    para = next(b for b in blocks() if b.text.startswith("经济运行整体向好。"))
    assert para.path == ("一、2024年工作回顾", "一年来，我们坚持稳字当头，以韧劲强韧性，经济发展稳中有升", "经济运行整体向好")
    follow = next(b for b in blocks() if b.text.startswith("新增国家专精特新"))
    assert follow.path[-1] == "企业发展承压前行"  # a paragraph without a lead inherits the previous one


def test_glossary_entries_have_terms_and_numbers():
    glossary = [b for b in blocks() if b.kind == "glossary"]
    assert [b.number for b in glossary] == list(range(1, 18))
    assert glossary[1].term == "四个论英雄"
    assert glossary[16].term == "REITs"


def test_helpers():
    assert cn_number("三") == 3 and cn_number("十") == 10 and cn_number("十二") == 12
    assert lead_sentence("经济运行整体向好。一般公共预算收入增长5.1%。") == "经济运行整体向好"
    assert lead_sentence("过去的一年，我们在市委坚强领导下，在市人大、市政协的监督支持下，紧紧团结。") == ""


def test_a_glossary_title_naming_its_report_opens_the_glossary():
    """江西 2026: 附件 / 《政府工作报告》有关内容名词注释 / 1.“2030启航计划”：… ."""
    from embeddings.structure import glossary_title
    text = ("三、2026年工作安排\n今年要建设和美乡村先行村500个。\n附件\n《政府工作报告》有关内容名词注释\n"
            "1.“2030启航计划”：面向2030年的科技专项计划。\n2.“四融一共”和美乡村：景村融合、产村融合、共同富裕。\n")
    glossary = [b for b in parse(clean(text)) if b.kind == "glossary"]
    assert [b.term for b in glossary] == ["“2030启航计划”", "“四融一共”和美乡村"]
    assert glossary_title("报告中的名词解释") and glossary_title("附件2 名词解释")
    assert not glossary_title("加强名词解释工作") and not glossary_title("一、名词解释工作")


def test_notes_titled_fuzhu_are_the_glossary():
    """国务院 2012 closes with 附注： / 1、“三网”融合：… / 6、新农合：…2011年，新农合参保人数达到8．32亿: its
    nine notes were read as paragraphs of the part that plans 2012 (round 34). 附 alone before a
    colon still introduces the title (附：名词解释)."""
    from embeddings.structure import glossary_title
    text = ("三、2012年主要任务\n今年要提高新农合补助标准。\n附注：\n"
            "1、“三网”融合：是指电信网、广播电视网和互联网融合发展。\n2、新农合：全称新型农村合作医疗。\n")
    glossary = [b for b in parse(clean(text)) if b.kind == "glossary"]
    assert [b.term for b in glossary] == ["“三网”融合", "新农合"]
    assert glossary_title("附注：") and glossary_title("附：名词解释") and not glossary_title("附")
