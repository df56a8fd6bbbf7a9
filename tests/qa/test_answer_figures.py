"""What counts as a figure of the asked kind, beside what the question asks about (no model needed).

These are the checks that decline a question when the report gives a figure about something
else: the income figure for a minimum wage, a growth rate for a level, a percentage for a count.
"""
from embeddings.chunking import Passage
from qa.answer import _defines, defined_term, has_figure, restates, unit_ok
from qa.query import carry_subject, prepare, split_question
from qa.text import normalize


def _passage(text: str, section: str, **fields) -> Passage:
    """A passage of document "d" holding ``text`` whole."""
    return Passage("d", text, section, 0, len(text), **fields)


def ok(question: str, window: str, missing: tuple[str, ...] = ()) -> bool:
    return unit_ok(prepare(question), window, missing)


def test_a_names_digits_are_no_figure():
    """拓展5G应用 gives no count of 5G基站; 新建5G基站1.2万个 does."""
    assert not has_figure("拓展5G应用，建设充电桩，推广新能源汽车")
    assert not has_figure("重点地区细颗粒物（PM2.5）浓度明显下降，打造C919产业链")
    assert has_figure("新建5G基站1.2万个") and has_figure("PM2.5平均浓度下降到30微克")


def test_a_quoted_names_count_and_an_ordinal_are_no_amount():
    """提高残疾人“两项补贴”标准 says no amount (海拉尔/河北: 孤儿补贴提高多少 was answered by it), nor does
    第六次人口普查 (常住人口有多少); a 第几届 question still takes its ordinal as the figure."""
    assert not has_figure("提高残疾人“两项补贴”标准，推进“孤儿助学”项目")
    assert not has_figure("第六次人口普查工作圆满完成")
    assert has_figure("孤儿月生活补贴提高300元") and has_figure("新建“两所”学校4所")
    assert has_figure("成功举办第三届中国国际进口博览会", ordinal=True)
    assert not ok("海拉尔区现在常住人口有多少？", "第六次人口普查工作圆满完成；双拥工作取得新进展。")
    assert ok("去年成功举办的是第几届进博会？", "成功举办第三届中国国际进口博览会、中国国际服务贸易交易会。")


def test_a_clause_giving_only_a_change_speaks_of_the_clause_before():
    """全省完成国内生产总值5578亿元，增长8.7%: the rate asked (GDP增长率, growth rate) is the second clause's,
    whose subject is the first's (河北省 2002's English question was declined for want of it)."""
    window = "全省完成国内生产总值5578亿元，增长8.7%。"
    assert ok("去年GDP增长率是多少？", window)
    assert ok("What was Hebei's GDP growth rate in 2001?", window)
    assert not ok("去年农民收入增长率是多少？", window)


def test_a_run_of_continuing_clauses_speaks_of_the_clause_that_opens_it():
    """国家财政收入比上年增加1501亿元，总额首次突破万亿元，达到11377亿元: 总额 and 达到 go on about
    国家财政收入 (国务院 2000's 财政收入总额 was declined: its figure sat two clauses after the subject)."""
    window = "国家财政收入比上年增加1501亿元，总额首次突破万亿元，达到11377亿元。"
    assert ok("去年国家财政收入总额是多少", window)
    assert not ok("去年粮食产量多少？", window)
    # the run stops at a clause with a subject of its own (推进税制改革)
    assert not ok("去年国家财政收入总额是多少", "国家财政收入稳步增长，推进税制改革，总额达到11377亿元。")
    # 规模以上工业 names a subject of its own
    assert not ok("去年财政收入是多少", "财政收入稳步增长，规模以上工业增加值达到1137亿元。")


def test_a_year_is_not_a_figure_but_an_amount_of_the_same_digits_is():
    assert not has_figure("回望2022，我们共同走过了不平凡的一年")
    assert not has_figure("2025年是“十四五”收官之年")
    assert has_figure("中欧班列开行超2000列")
    assert has_figure("增长5.5%") and has_figure("新建三个")


def test_an_items_number_is_no_figure_but_all_of_it_is_an_amount():
    assert not has_figure("6、新农合：全称新型农村合作医疗")  # a glossary entry's number
    assert not has_figure("（3）推进改革") and not has_figure("1.实用性规划")
    assert has_figure("6、新农合补助240元") and has_figure("1.5万亿元")
    assert has_figure("分娩发生的政策范围内住院医疗费用全额报销")
    assert has_figure("人员编制原则上减一半") and has_figure("减半征收")  # half of it
    assert has_figure("三年内裁减军队员额五十万") and has_figure("三百亿")  # a magnitude in words
    assert not has_figure("十万火急")
    assert has_figure("力争五到十年内取得突破性进展") and has_figure("用三年时间完成改造")  # years in words
    assert not has_figure("新中国成立五十年来")


def test_the_figure_must_sit_in_a_clause_naming_the_subject():
    window = "每年实施20项重点民生实事，财政民生支出突破万亿元、占比稳定在80%左右，居民人均可支配收入增长34.3%。"
    assert not ok("去年居民人均可支配收入是多少元？", window)  # 元 is in another clause
    assert ok("去年居民人均可支配收入增长了多少？", window)


def test_a_count_is_not_a_percentage_or_a_sum_of_money():
    assert not ok("现在常住人口有多少？", "常住人口城镇化率达到67.5%、5年提高4.5个百分点")
    assert not ok("常住人口有多少？", "脱贫人口家庭人均纯收入达11930元")
    assert ok("常住人口有多少？", "全市常住人口达到80.1万人")
    assert not ok("全省有多少人口？", "人口自然增长率控制在6.8‰以内")  # a rate per thousand counts no one
    # 占全国人口多少 asks a share of the people, not a count of them (国务院 1998)
    assert ok("基本普及九年义务教育的地区占全国人口多少？", "占全国人口65％的地区基本普及九年义务教育")


def test_a_level_is_not_a_growth_rate_unless_a_change_is_asked():
    assert not ok("现在一年的GDP有多少？", "地区生产总值增长5.5%、居经济大省和中部地区前列")
    assert ok("现在一年的GDP有多少？", "地区生产总值迈上6万亿元台阶，达到62661亿元")
    assert ok("去年GDP涨了多少？", "地区生产总值增长5.5%")
    assert ok("今年家里的网费能便宜多少？", "中小企业宽带和专线平均资费再降15%")
    # both figures of 分别增加…和… are changes; 扩大到60% is where it gets to, a level
    assert not ok("现在城镇职工基本养老保险参保的总人数有多少？", "城镇职工基本养老保险、基本医疗保险参保人数分别增加1753万和2028万")
    assert ok("今年免费孕前优生检查试点要扩大到多少县？", "将免费孕前优生健康检查试点范围扩大到60%的县（市、区）")
    assert ok("今年二氧化硫排放要减多少？", "二氧化硫、氮氧化物排放量分别下降3%")  # 减多少 asks a change
    # 有多少了 asks how much there is now: its 少了 is no change asked (保定 2026)
    assert not ok("保定GDP现在有多少了？", "地区生产总值年均增长5.6%，规上工业增加值年均增长7.4%")
    assert ok("保定GDP现在有多少了？", "地区生产总值达到5002.5亿元")
    # …的人有多少 counts people, though 养老金 names money (广东 2025)
    assert ok("广东现在开个人养老金账户的人有多少了？", "率先试点全品类养老金融产品，个人养老金开户数近1800万")
    # a clause opening with the level the figure rose from says more of the clause before it
    assert ok("城镇居民一年人均收入有多少？", "城镇居民家庭人均可支配收入，由1997年的5160元增加到2002年的7703元")



def test_a_figures_clause_borrows_its_subject_from_a_time_led_clause_or_a_purpose_clause():
    # 去年达到54641万吨 says more of 粮食产量 before it; …423亿元，用于…就业 says what the money is for
    assert ok("去年全国粮食产量多少？", "粮食产量屡创历史新高，去年达到54641万吨，连续7年增产")
    assert ok("今年拿多少钱促进就业？", "今年中央财政拟投入423亿元，用于扶助和促进就业")
    assert not ok("今年拿多少钱促进就业？", "今年中央财政拟投入423亿元，推进医药卫生体制改革")


def test_the_asked_unit_age_and_magnitude():
    assert not ok("去年一共接待了多少亿人次游客？", "接待游客、实现旅游总花费分别增长11.8%、11.5%")
    assert ok("去年一共接待了多少亿人次游客？", "全年接待游客11亿人次")
    assert not ok("“两癌”免费筛查多大年龄的妇女能参加？", "落实“两癌”免费筛查3500人以上")
    assert not ok("一般公共预算收入总共是多少亿元？", "行政村集体经济经营性收入均突破100万元")


def test_a_phrase_inside_a_word_the_report_lacks_does_not_lend_its_terms():
    window = "地区生产总值增长6.5%，全体居民人均可支配收入增长5.6%，城乡居民人均可支配收入分别达到40678元和24761元"
    # 工资 → 收入 in the thesaurus, but 最低工资 is a different thing and the report never says it
    assert not ok("今年的最低工资标准是多少？", window, ("最低工资",))


def test_english_figure_questions_check_through_their_report_terms():
    assert ok("What was the urbanization rate last year?", "城镇化率达到65.55%")
    assert not ok("What was the total GDP in 2025, in yuan?", "全省地区生产总值增长4.2%，粮食总产量1640.06亿斤")
    # consumer prices are a rate (CPI 涨幅2%), a housing price is money
    assert ok("What is the consumer price (CPI) target for 2026?", "居民消费价格指数涨幅2%左右")
    assert not ok("What is the average housing price?", "商品房销售面积增长2%")


def test_an_answer_that_only_names_the_term_again_is_no_definition():
    assert restates("继续办好10件惠民实事。", normalize("今年的10件惠民实事具体是哪10件？"))
    assert not restates("建设联通境内外的物流通道枢纽，完善消费商贸枢纽", normalize("循环枢纽包括哪几种枢纽？"))


def test_the_items_spelling_out_a_term_are_no_restatement():
    """需求收缩、供给冲击、预期转弱三重压力 names no noun the question lacks (its items are verbs), but
    as the term's spelled-out list (a definition window) it answers 三重压力是哪三个 (国务院 2022)."""
    from qa.answer import Choice, _unsupported, shipped
    question = prepare("报告里说的经济发展面临的“三重压力”是哪三个？", 2022)
    text = "我国经济发展面临需求收缩、供给冲击、预期转弱三重压力"
    assert restates(text, normalize(question.text))
    plain = Choice(0, text, 0.6, 5.0, {"coverage": 0.6, "rank": 1.0}, margin=1.0)
    listed = Choice(0, text, 0.6, 5.0, {"coverage": 0.6, "rank": 1.0, "definition": 1.0}, margin=1.0)
    assert _unsupported(question, plain, shipped()) == "only names what is asked about"
    assert _unsupported(question, listed, shipped()) != "only names what is asked about"


def test_a_term_asked_without_quotes_is_defined_by_the_marks_listed_before_it():
    """报告说的现代企业制度具体是啥样的 (国务院 1994): 产权清晰、责权明确、政企分开、管理科学的现代企业制度
    spells it out; a window that only names it does not."""
    term = defined_term(normalize("报告说的现代企业制度具体是啥样的？"))
    assert term == ["现代企业制度"]
    assert _defines(normalize("建立产权清晰、责权明确、政企分开、管理科学的现代企业制度"), term)
    assert not _defines(normalize("探索建立现代企业制度的有效途径"), term)
    assert defined_term(normalize("今年GDP目标是多少")) == []


def test_a_later_part_borrows_the_first_parts_quoted_name_and_subject():
    first, second = split_question("去年新增了多少家“四上”企业？今年目标又是多少家？")
    carried = carry_subject(first, second)
    assert "四上" in carried and "企业" in carried
    assert carry_subject("浙江城镇新增就业去年完成多少", "今年又定了多少？").endswith("就业")



def test_a_benefit_paid_to_each_person_is_an_amount_of_money():
    window = "落实好生育津贴、育儿补贴、婚育假、学前一年免费教育、满3岁即入园等政策"
    assert not ok("今年给每个孩子发多少育儿补贴？", window)
    assert ok("今年给每个孩子发多少育儿补贴？", "发放育儿补贴每孩每年3600元")
    assert ok("80岁以上老人交医保，财政补贴多少？", "80岁以上老人参加医保财政补贴90%")


def test_a_phrase_and_its_official_terms_cover_the_question_alike():
    """GDP and 地区生产总值 are one alternative: a window in the question's own word covers it as
    fully as one in the report's, and the thesaurus terms do not outweigh the question's words."""
    from qa.answer import _coverage, _weights
    idf = {"gdp": 3.0, "增长": 1.0, "地区": 1.5, "生产总值": 2.5, "国内": 2.0, "海洋": 4.0}
    weights = _weights(prepare("去年GDP增长了多少？"), idf, [])
    own = _coverage("全年GDP增长4%", weights)
    official = _coverage("地区生产总值增长3.7%", weights)
    assert own == official == 1.0
    assert _coverage("海洋经济增长6%", weights) < 0.5  # only 增长


def test_a_share_of_the_subject_is_not_its_amount_or_growth():
    assert not ok("贵州的GDP总量现在有多少了？", "服务业增加值占地区生产总值比重达56.2%")
    assert not ok("2025年地区生产总值增长了多少？", "工业增加值占地区生产总值比重提高到25.5%")
    assert ok("2025年地区生产总值增长了多少？", "全年地区生产总值增长4.9%")
    assert ok("服务业占GDP比重多少？", "服务业增加值占地区生产总值比重达56.2%")  # a share asked
    assert ok("去年空气质量优良天数比率是多少？", "空气质量优良天数比率96.1%")  # a rate, not a share
    assert ok("农村自来水普及率是多少？", "农村规模化供水工程覆盖人口比例达90.5%")  # a rate named 比例


def test_how_much_better_asks_for_a_change():
    """空气变好了多少: the fall of an index answers it, as 增长了多少 takes a growth rate."""
    q = prepare("去年的空气变好了多少？")
    assert unit_ok(q, "2023年下半年空气综合指数较上半年下降26.5%")


def test_a_thesaurus_term_for_part_of_a_word_does_not_name_the_whole_word():
    """一般公共预算收入 is not named by 可支配收入 (the thesaurus term of its part 收入) alone."""
    from qa.answer import _absent, _alternative
    keys = (("一般公共预算收入", (_alternative("一般公共预算收入", "收入", "可支配收入"),)),)
    idf = {"一般公共预算收入": 4.0}
    assert _absent(normalize("居民人均可支配收入超过3万元"), keys, idf, 4.0) == 1.0
    assert _absent(normalize("一般公共预算收入增长5%"), keys, idf, 4.0) == 0.0
    assert _alternative("收入", "收入", "可支配收入") == ("可支配收入",)


def test_a_per_head_amount_is_never_in_billions():
    window = "地方一般公共预算收入5853.9亿元，增长3.9%；城乡居民人均可支配收入分别增长4.4%、5.6%"
    assert not ok("去年农村居民人均可支配收入是多少元？", window)
    assert ok("去年农村居民人均可支配收入是多少元？", "农村居民人均可支配收入达到20870元")
    assert ok("去年一般公共预算收入是多少？", window)  # not per head: the 亿元 figure stands


def test_an_amount_of_change_is_not_the_level_asked():
    assert not ok("国家助学贷款每人每年最高能贷多少钱？", "国家助学贷款每人每年最高额度增加4000元")
    assert ok("国家助学贷款每年最高额度增加了多少？", "国家助学贷款每人每年最高额度增加4000元")
    assert ok("低保标准现在每月多少钱？", "低保最低月标准提高到1190元")  # 提高到: the new level


def test_a_batch_is_not_a_count():
    assert not ok("今年计划新开工改造多少个城镇老旧小区？", "再开工改造一批城镇老旧小区，支持加装电梯")
    assert ok("今年计划新开工改造多少个城镇老旧小区？", "新开工改造城镇老旧小区5.3万个")


def test_a_later_part_keeps_the_first_parts_everyday_phrase():
    """经济增长 → 国内生产总值: 今年的增长目标 is about the same indicator, in the report's words."""
    carried = carry_subject("去年经济增长了多少？", "今年的增长目标定的是多少？")
    assert "经济增长" in carried
    assert ok(carried, "今年发展主要预期目标是：国内生产总值增长5.5%左右")


def test_the_kind_of_thing_a_what_question_asks_for():
    from qa.answer import asked_head
    assert asked_head("今年在失能老人照护上要推行什么保险制度？") == "保险制度"
    assert asked_head("天津到2035年要基本建成一个什么样的城市？") == "城市"
    assert asked_head("今年辽宁高考有什么新政策？") == ""  # too vague for an answer to name
    assert asked_head("去年GDP多少？") == ""


def test_a_window_names_the_asked_kind_whole_or_by_its_last_word():
    from qa.answer import _head_absent
    from qa.text import normalize
    assert _head_absent("保险制度", normalize("加强失能失智老年人照护服务"))
    assert not _head_absent("保险制度", normalize("推行长期护理保险制度"))
    assert not _head_absent("乡镇卫生院", normalize("推动紫荆关卫生院和塘湖卫生院省级医疗区域次中心建设"))


def test_a_five_year_summary_sentence_naming_the_asked_year_speaks_about_it():
    from qa.answer import candidates
    text = "五年来，旅居产业快速发展，2025年旅居人数超550万、平均居住83天。地区生产总值年均增长5%。"
    p = _passage(text, "过去五年", role="review_multi", years=[2021, 2022, 2023, 2024, 2025])
    found = candidates(prepare("去年来旅居的有多少人？", 2026), [p], {"旅居": 5.0, "人数": 2.0})
    named = [c for c in found if "550万" in c.text and "年均" not in c.text]
    other = [c for c in found if "年均增长5%" in c.text and "550万" not in c.text]
    assert named and all(c.features["several_years"] == 0.0 and c.features["year_match"] == 1.0 for c in named)
    assert other and all(c.features["several_years"] == 1.0 for c in other)


def test_a_sentence_summing_up_several_years_is_not_about_the_one_year_asked():
    """近三年累计 in a passage reviewing last year: its 10.08% is not last year's drop."""
    from qa.answer import candidates
    text = "单位国内生产总值能耗比上年下降4.59%。近三年累计，单位国内生产总值能耗下降10.08%。"
    p = _passage(text, "一、2008年工作回顾", role="review", years=[2008])
    found = candidates(prepare("去年单位国内生产总值能耗降了多少？", 2009), [p], {"能耗": 5.0, "单位": 1.0})
    span = [c for c in found if "10.08%" in c.text and "4.59%" not in c.text]
    year = [c for c in found if "4.59%" in c.text and "10.08%" not in c.text]
    assert span and all(c.features["several_years"] == 1.0 and c.features["year_match"] == 0.0 for c in span)
    assert year and all(c.features["several_years"] == 0.0 and c.features["year_match"] == 1.0 for c in year)
    # 贵州 2026: …一般公共预算收入、税收收入年均分别增长4.5%、3% sums up five years too
    text = "全年地区生产总值增长4.9%，一般公共预算收入增长2.5%。一般公共预算收入、税收收入年均分别增长4.5%、3%。"
    p = _passage(text, "一、2025年工作回顾", role="review", years=[2025])
    found = candidates(prepare("一般公共预算收入去年涨了多少？", 2026), [p], {"一般公共预算收入": 5.0})
    span = [c for c in found if "4.5%" in c.text and "2.5%" not in c.text]
    assert span and all(c.features["several_years"] == 1.0 and c.features["year_match"] == 0.0 for c in span)


def test_a_five_year_summary_sentence_naming_another_year_clashes_with_the_asked_one():
    """2021年GDP asked; 预计2022年…12.8万亿元 speaks about 2022, so it clashes; 比2020年 names no year."""
    from qa.answer import candidates
    text = "过去五年，预计2022年全省地区生产总值达12.8万亿元。地区生产总值比2020年增长百分之十一。"
    p = _passage(text, "过去五年", role="review_multi", years=[2018, 2019, 2020, 2021, 2022])
    found = candidates(prepare("2021年广东GDP是多少？", 2023), [p], {"地区生产总值": 5.0})
    other_year = [c for c in found if "12.8万亿元" in c.text and "2020" not in c.text]
    compared = [c for c in found if "比2020年" in c.text and "2022" not in c.text]
    assert other_year and all(c.features["year_clash"] == 1.0 and c.features["year_match"] == 0.0
                              for c in other_year)
    assert compared and all(c.features["year_clash"] == 0.0 for c in compared)


def test_a_glossary_term_is_named_by_the_name_it_quotes():
    """横琴“双15%”是啥政策 asks for the entry 横琴“双15%”税收优惠政策: its whole definition is a candidate."""
    from qa.answer import candidates
    text = ("横琴“双15%”税收优惠政策：对横琴粤澳深度合作区符合条件的产业企业减按15%的税率征收企业所得税；"
            "对在合作区工作的境内外高端人才和紧缺人才，其个人所得税负超过15%的部分予以免征。")
    p = _passage(text, "名词解释", kind="glossary", term="横琴“双15%”税收优惠政策", role="glossary")
    found = candidates(prepare("横琴“双15%”是啥政策？", 2023), [p], {"横琴": 5.0, "政策": 1.0})
    whole = [c for c in found if c.features.get("definition") == 1.0]
    assert whole and whole[0].text.endswith("予以免征。") and whole[0].text.startswith("对横琴")
    other = Passage("d", "“三区三线”：农业、生态、城镇空间。", "名词解释", 0, 17, kind="glossary", term="“三区三线”",
                    role="glossary")
    assert not [c for c in candidates(prepare("横琴“双15%”是啥政策？", 2023), [other], {"横琴": 5.0})
                if c.features.get("definition") == 1.0]


def test_two_parts_quoted_from_overlapping_words_of_one_passage_are_one_span():
    """去年GDP和投资各多少 answered from one sentence: one quote, not the shared words twice."""
    from qa.answer import Choice, _joined
    text = "主要经济指标稳中有进，全年地区生产总值完成176.6亿元，同比增长5.5%；固定资产投资完成45.4亿元，同比增长13.9%。"
    passages = [Passage("a.txt", text, "", 0, len(text)), Passage("a.txt", "另一段：固定资产投资完成45.4亿元。", "", 0, 17)]
    pieces, cited = ["主要经济指标稳中有进，全年地区生产总值完成176.6亿元，同比增长5.5%"], [0]
    assert _joined(pieces, cited, Choice(0, "同比增长5.5%；固定资产投资完成45.4亿元，同比增长13.9%", 1.0, 1.0), passages)
    assert pieces == [text[:-1]] and cited == [0]
    # words apart in the passage, or the same words in another passage, stay two quotes
    assert not _joined(["主要经济指标稳中有进"], [0], Choice(0, "同比增长13.9%", 1.0, 1.0), passages)
    assert not _joined(pieces, cited, Choice(1, "固定资产投资完成45.4亿元", 1.0, 1.0), passages)


def test_the_registered_and_the_surveyed_unemployment_rates_are_siblings():
    from qa.answer import sibling_clash
    window = normalize("城镇新增就业132万人，城镇调查失业率控制在5.5%以内")
    assert sibling_clash(normalize("去年城镇登记失业率是多少？"), window, True)
    assert not sibling_clash(normalize("去年城镇调查失业率是多少？"), window, True)


def test_how_many_more_were_admitted_is_a_change():
    """又多招了多少 asks for a change: a growth rate answers it."""
    assert ok("重点大学招贫困地区农村学生去年又多招了多少？", "重点高校招收贫困地区农村学生人数又增长10.5%。")


def test_a_sentence_opening_with_the_asked_year_inside_a_five_year_review():
    """The State Council's 2013 report reviews five years in one part; a sentence of it opening with
    2012年，… gives 2012's figures in clauses that no longer name the year."""
    from qa.answer import candidates
    text = ("我们始终注重处理好发展和结构的关系，五年来经济年均增长9.3%。2012年，在世界经济增长减速的情况下，"
            "我们合理把握政策力度，国内生产总值增长7.8%，城镇新增就业1266万人。")
    passage = Passage(doc_id="d", text=text, section="一、过去五年工作回顾", start=0, end=len(text),
                      role="review_multi", years=[2008, 2009, 2010, 2011, 2012])
    query = prepare("去年GDP涨了多少？", 2013)
    found = [c for c in candidates(query, [passage], {}, []) if "7.8%" in c.text and "2012" not in c.text]
    assert found and all(c.features.get("year_match") and not c.features.get("year_clash") for c in found)


def test_a_later_part_borrows_the_rate_not_the_amount():
    """去年财政赤字率是多少？今年打算提到多少？: jieba cuts 财政赤字/率, and the second part asked about
    财政赤字 (an amount) got 财政赤字1.2万亿元 instead of 赤字率在2%左右 (国务院 2013, round 15)."""
    borrowed = carry_subject("去年财政赤字率是多少？", "今年打算提到多少？")
    # (财政赤字/率 or 财政/赤字率, as the words jieba was taught decide: the rate either way)
    assert "赤字率" in borrowed and "财政赤字 " not in borrowed + " "
    assert "失业率" in carry_subject("去年城镇登记失业率是多少？", "今年目标呢？")
    q = prepare("今年打算提到多少？ 财政赤字率", 2013)  # the second part, with the rate it borrowed
    assert not unit_ok(q, "今年拟安排财政赤字1.2万亿元")
    assert unit_ok(q, "今年增加赤字后，赤字率在2%左右")


def test_the_reports_own_last_year_inside_a_five_year_review():
    """财政赤字占国内生产总值的比重从2009年的2.8%降到去年的1.5%左右 (国务院 2013): 去年 is the report's
    reviewed year, 2009 only the starting point."""
    from qa.answer import candidates
    text = "五年来财政运行平稳。财政赤字占国内生产总值的比重从2009年的2.8%降到去年的1.5%左右，赤字率保持在安全水平。"
    passage = Passage(doc_id="d", text=text, section="一、过去五年工作回顾", start=0, end=len(text),
                      role="review_multi", years=[2008, 2009, 2010, 2011, 2012])
    found = [c for c in candidates(prepare("去年财政赤字率是多少？", 2013), [passage], {}, []) if "1.5%" in c.text]
    assert found and all(c.features.get("year_match") and not c.features.get("several_years") for c in found)


def test_how_much_was_cut_asks_for_a_change():
    """减了多少 of spending (国务院 2014, first seen in round 16) is answered by the cut's rate; a
    level of money is asked only when no change is."""
    window = "中央国家机关“三公”经费减少35%，31个省份本级公务接待费减少26%。"
    assert ok("去年中央机关“三公”经费减了多少？", window)
    assert ok("去年三公经费减少了多少？", window)
    assert not ok("去年三公经费是多少钱？", window)


def test_how_a_task_is_done_reads_on_past_its_short_lead_sentence():
    """打算怎么打击炒房 (国务院 2010, first seen in round 16): the measures follow the lead sentence
    naming the task (三是抑制投机性购房。), so a window carries on past it, as for a list or a term."""
    from qa.answer import candidates
    text = "三是抑制投机性购房。加大差别化信贷、税收政策执行力度。完善商品房预售制度。"
    p = _passage(text, "二、主要任务", role="plan", years=[2010])
    idf = {"投机性": 5.0, "购房": 3.0}
    texts = [c.text for c in candidates(prepare("政府打算怎么打击炒房？", 2010), [p], idf)]
    assert any(t.startswith("三是抑制投机性购房。加大差别化信贷") for t in texts)
    assert not any(t.startswith("三是抑制投机性购房。加大") for t in
                   (c.text for c in candidates(prepare("投机性购房去年怎么样？", 2010), [p], idf)))


def test_a_what_to_do_question_reads_on_past_a_numbered_lead_but_not_into_the_next_item():
    """今年基本药物制度上要干什么 (国务院 2009, round 39): 干什么 asks what is done, like 怎么; the window
    after the lead stops before 三是, the next task."""
    from qa.answer import candidates
    text = "二是建立国家基本药物制度。今年要统一制定和发布国家基本药物目录，出台医保报销政策。三是健全基层医疗卫生服务体系。今年要完成乡镇卫生院建设任务。"
    p = _passage(text, "二、主要任务", role="plan", years=[2009])
    idf = {"基本药物": 5.0, "制度": 2.0}
    texts = [c.text for c in candidates(prepare("今年基本药物制度上要干什么？", 2009), [p], idf)]
    assert "二是建立国家基本药物制度。今年要统一制定和发布国家基本药物目录，出台医保报销政策。" in texts
    assert not any(t.startswith("二是建立") and "三是" in t for t in texts)


def test_a_figure_of_speech_is_no_count():
    """亿万家庭 and 千家万户 hold no count: 多少家 is not answered by 牵动亿万家庭 (广东 2024, round 39)."""
    assert not has_figure("老人和孩子牵动亿万家庭") and not has_figure("走进千家万户")
    assert has_figure("建成三千家") and has_figure("新增两万人") and has_figure("千家企业")
    assert not ok("社区食堂一共建了多少家？", "老人和孩子牵动亿万家庭，我们要呵护好“一老一小”。")


def test_a_change_a_head_per_year_speaks_of_the_clause_before():
    """人均每年增长10%左右 has no subject of its own: the pension of the clause before rose so much
    (国务院 2009, round 39)."""
    assert ok("今年退休工人的养老钱能涨多少？", "今明两年继续提高企业退休人员基本养老金，人均每年增长10%左右。")
    assert not ok("今年退休工人的养老钱能涨多少？", "新建养老服务中心，覆盖10%左右的县。")


def test_full_width_figures_are_read_as_figures_and_quoted_as_written():
    """Older web copies write ２００２年的１０．２万亿元: a year and an amount to the answer step, and the
    quote keeps the report's own characters (first seen on 国务院 2003, round 17)."""
    from qa.answer import compose, unit_ok
    from qa.text import fold_width
    text = "国内生产总值从１９９７年的７．４万亿元增加到２００２年的１０．２万亿元，平均每年增长７．７％。"
    assert fold_width(text) == "国内生产总值从1997年的7.4万亿元增加到2002年的10.2万亿元，平均每年增长7.7%。"
    assert fold_width("（一）ＧＤＰ，；") == "（一）GDP，；"  # Chinese punctuation stays
    assert fold_width("全年增长19·5％，城镇居民·农民") == "全年增长19.5%，城镇居民·农民"  # 国务院 1999's point
    assert len(fold_width(text)) == len(text)
    p = _passage(text, "一、过去五年政府工作的回顾", role="review_multi",
                years=[1998, 1999, 2000, 2001, 2002])
    q = prepare("去年国内生产总值是多少？", 2003)
    a = compose(q, [p], {"国内生产总值": 5.0}, normalize(text), signals=[(0.9, 10.0)])
    assert not a.declined and "１０．２万亿元" in a.answer and a.answer.split("[")[0] in text
    assert unit_ok(prepare("全国社保基金攒了多少钱？", 2003), "建立了全国社会保障基金，已积累资金１２４２亿元。")


def test_a_year_no_part_of_a_summary_speaks_about_clashes():
    """1996年 asked of 从1997年的…增加到2002年的…: the sentence is about other years only."""
    from qa.answer import candidates
    text = "全国财政收入从１９９７年的８６５１亿元增加到２００２年的１８９１４亿元。"
    p = _passage(text, "过去五年", role="review_multi", years=[1998, 1999, 2000, 2001, 2002])
    found = candidates(prepare("1996年全国财政收入是多少？", 2003), [p], {"财政收入": 5.0})
    assert found and all(c.features["year_clash"] == 1.0 for c in found if "亿元" in c.text)
    said = "今年中央财政预算用于支持这项改革的资金将达305亿元。"
    p = _passage(said, "过去五年", role="review_multi", years=[1998, 1999, 2000, 2001, 2002])
    found = candidates(prepare("今年中央财政拿多少钱支持农村税费改革？", 2003), [p], {"农村税费改革": 5.0})
    assert found and all(c.features["year_match"] == 1.0 and not c.features["year_clash"] for c in found)


def test_a_clause_without_a_subject_of_its_own_is_about_the_one_before():
    assert ok("全国社保基金攒了多少钱？", "建立了全国社会保障基金，已积累资金1242亿元。")
    assert not ok("全国社保基金攒了多少钱？", "建立了全国社会保障基金，高校资金1242亿元。")  # a subject of its own
    assert not ok("地铁8号线总投资多少？", "优化基础设施投资，推动机场三期")  # 推动 opens a subject of its own
    assert ok("去年全市粮食产量多少？", "全市粮食产量再创新高，达到153万吨")
    # figures given respectively for what the clause before lists; a count done within the year
    assert ok("企业退休人员的养老金每月涨了多少？", "企业退休人员基本养老金、城镇低保标准再次提高，月人均分别提高221元、90元。")
    assert ok("今年平价蔬菜超市要建几个？", "逐步在成规模的小区全部设置平价蔬菜超市，年内完成20个。")


def test_the_figure_after_the_asked_year_is_that_years():
    """从１９９７年的７．４万亿元增加到２００２年的１０．２万亿元 answers 去年 (2002) in a 2003 report."""
    from qa.answer import candidates
    text = "国内生产总值从１９９７年的７．４万亿元增加到２００２年的１０．２万亿元，平均每年增长７．７％。"
    p = _passage(text, "过去五年", role="review_multi", years=[1998, 1999, 2000, 2001, 2002])
    found = candidates(prepare("去年国内生产总值是多少？", 2003), [p], {"国内生产总值": 5.0})
    assert [c for c in found if "２００２年的１０．２" in c.text or "2002年的10.2" in c.text]
    assert all(c.features["year_match"] == 1.0 for c in found if "2002年的10.2" in c.text)


def test_a_counted_unit_asked_wants_that_unit():
    assert not ok("今年廉租房要建多少套？", "今年中央用于廉租住房制度建设的资金68亿元")
    assert ok("今年廉租房要建多少套？", "新建廉租住房63万套")
    assert not ok("去年外贸顺差是多少美元？", "城乡居民人均可支配收入5000元")


def test_the_front_matters_date_answers_only_about_the_report():
    """新华社北京２００８年３月１９日电 is not when the Olympics open (国务院 2008, round 17)."""
    from qa.answer import candidates
    text = "新华社北京２００８年３月１９日电"
    p = _passage(text, "", role="front")
    assert all(c.features.get("date_miss") for c in candidates(prepare("北京奥运会哪天开幕？", 2008), [p], {"奥运会": 5.0}))
    assert any(c.features.get("date_ok") for c in candidates(prepare("这份报告是哪天发布的？", 2008), [p], {"报告": 1.0}))
    assert ok("去年养老机构新增了多少张床位？", "新增养老床位5000张")  # the unit after the figure


def test_a_window_naming_another_year_than_the_one_written_out_is_no_answer():
    """2007年的目标 asked of the 2006 report: its 2006年…目标 is declined, its own year's is not."""
    from qa.answer import Choice, _unsupported, own_years, shipped
    window = "2006年国民经济和社会发展的主要预期目标是：国内生产总值增长8%左右"
    assert own_years(window) == {2006} and own_years("比2005年增长9.9%，2003年以来累计") == set()
    clash = Choice(0, window, 1.0, 9.0, {"year_clash": 1.0, "coverage": 1.0, "rank": 1.0}, margin=1.0)
    assert _unsupported(prepare("2007年的GDP增长目标定的多少？", 2006), clash, shipped()) == "about another year"
    assert _unsupported(prepare("2006年的GDP增长目标定的多少？", 2006), clash, shipped()) != "about another year"


def test_a_period_asked_is_not_matched_by_a_window_about_one_of_its_years():
    """“十一五”期间 asked: 2006年…降低4%左右 (one year's target) does not match the years; the period's does."""
    from qa.answer import candidates
    text = ("2006年的主要预期目标是：单位国内生产总值能耗降低4%左右。"
            "“十一五”期间单位国内生产总值能源消耗降低20%左右。")
    p = _passage(text, "三、2006年工作", role="plan", years=[2006])
    found = candidates(prepare("十一五期间单位GDP能耗要降多少？", 2006), [p], {"能耗": 5.0, "单位": 1.0})
    one = [c for c in found if "4%" in c.text and "20%" not in c.text]
    period = [c for c in found if "20%" in c.text and "4%" not in c.text]
    assert one and all(not c.features.get("year_match") for c in one)
    assert period and all(c.features.get("year_match") for c in period)


def test_a_five_year_flow_or_average_is_not_the_asked_years_figure_but_a_closing_level_may_be():
    """去年…新增多少 asked of a five-year review: 城镇新增就业5771万人 and 年均增长15.9% sum up the
    period (declined, or another window chosen); 覆盖24%的县, the level it ends with, may answer."""
    from qa.answer import _other_years, candidates
    text = "城镇新增就业5771万人。进出口总额年均增长15.9%。新型农村社会养老保险试点覆盖24%的县。"
    p = _passage(text, "一、“十一五”时期的回顾", role="review_multi",
                years=[2006, 2007, 2008, 2009, 2010])
    idf = {"新增": 2.0, "就业": 3.0, "进出口": 4.0, "总额": 2.0, "覆盖": 2.0, "县": 1.0}
    flow = [c for c in candidates(prepare("去年城镇新增就业多少？", 2011), [p], idf) if "5771" in c.text]
    rate = [c for c in candidates(prepare("去年进出口总额增长了多少？", 2011), [p], idf) if c.text.startswith("进出口")]
    level = [c for c in candidates(prepare("去年新农保试点覆盖了多少县？", 2011), [p], idf) if "24%" in c.text
             and "5771" not in c.text and "15.9" not in c.text]
    assert flow and all(_other_years(c.features) for c in flow)
    assert rate and all(_other_years(c.features) for c in rate)
    assert level and not any(_other_years(c.features) for c in level)
    # a question about the period itself is answered by it
    period = [c for c in candidates(prepare("十一五期间城镇新增就业多少？", 2011), [p], idf) if "5771" in c.text]
    assert period and not any(_other_years(c.features) for c in period)


def test_a_five_year_review_reaching_a_level_gives_the_last_years_level():
    """从6333公里增加到7809公里 in a review of five years: 7809 is the length at its end, the asked
    year's (到2020年有多少公里), not a flow over the period; 新增农村公路6000公里 is one."""
    from qa.answer import _other_years, candidates
    text = "高速公路从6333公里增加到7809公里，实现县县通高速。五年新增农村公路6000公里。"
    p = _passage(text, "一、“十三五”时期的回顾", role="review_multi",
                years=[2016, 2017, 2018, 2019, 2020])
    idf = {"高速公路": 5.0, "公里": 2.0, "农村公路": 5.0}
    level = [c for c in candidates(prepare("去年高速公路有多少公里？", 2021), [p], idf)
             if "7809" in c.text and "6000" not in c.text]
    flow = [c for c in candidates(prepare("去年新增农村公路多少公里？", 2021), [p], idf)
            if "6000" in c.text and "7809" not in c.text]
    assert level and not any(_other_years(c.features) for c in level)
    assert flow and all(_other_years(c.features) for c in flow)
    # a change asked (增长了多少): the period's growth from one level to the other is no year's
    change = [c for c in candidates(prepare("去年高速公路里程增长了多少？", 2021), [p], idf)
              if "7809" in c.text and "6000" not in c.text]
    assert change and all(_other_years(c.features) for c in change)


def test_a_count_of_people_named_by_their_kind_wants_a_count():
    """多少游客 asks a number of people: 生产总值96.3亿元 is no answer, 接待游客120万人次 is."""
    from qa.answer import unit_ok
    assert not unit_ok(prepare("去年接待了多少游客？", 2017), "全县生产总值完成96.3亿元")
    assert unit_ok(prepare("去年接待了多少游客？", 2017), "全年接待游客120万人次")
    assert not unit_ok(prepare("今年招几名老师？", 2017), "教育投入3.2亿元")
    assert unit_ok(prepare("今年底要让多少学生进永久校舍？", 2009), "确保今年底95%以上的学生都能在永久性校舍中学习")


def test_gdp_as_a_denominator_does_not_cover_a_question_about_gdp():
    """单位GDP能耗下降5% is about energy use: it covers a GDP question less than 全省生产总值突破4万亿元."""
    from qa.answer import candidates
    text = "严格落实能源消费总量和强度“双控”制度，单位GDP能耗下降5%以上。全省生产总值突破4万亿元、增长6.5%。"
    p = _passage(text, "一、2021年工作回顾", role="review", years=[2021])
    idf = {"gdp": 4.0, "总量": 2.0, "生产总值": 4.0, "能耗": 4.0}
    found = candidates(prepare("去年的GDP总量到多少了？", 2022), [p], idf)
    energy = max(c.features["coverage"] for c in found if "能耗" in c.text and "生产总值" not in c.text)
    output = max(c.features["coverage"] for c in found if "生产总值" in c.text and "能耗" not in c.text)
    assert output > energy
    asked = candidates(prepare("去年单位GDP能耗降了多少？", 2022), [p], idf)
    assert max(c.features["coverage"] for c in asked if "能耗" in c.text and "生产总值" not in c.text) > 0.5


def test_how_long_is_answered_by_a_duration():
    """多长时间/多久 asks how long: 利用三年左右时间 and 仅需4小时 say it, 完成16个老旧小区改造 does not."""
    from qa.answer import choice_has_time
    q = prepare("老旧小区改造要花多长时间？", 2019)
    assert choice_has_time(q, "利用三年左右时间对老旧小区进行改造")
    assert choice_has_time(prepare("坐火车去成都要多久？", 2023), "到成都仅需4小时")
    assert not choice_has_time(q, "完成16个老旧小区环境综合整治")
    assert not choice_has_time(q, "实施三年行动计划")


def test_a_later_part_asking_only_the_forecast_borrows_the_subject():
    """…收入去年是多少？今年预计涨多少？ and …今年的控制目标又是多少？ name no subject of their own."""
    from qa.query import sub_queries
    parts = sub_queries(prepare("城镇居民人均可支配收入去年是多少？今年预计涨多少？", 2019))
    assert "可支配" in parts[1].text and parts[1].offsets == (0,)
    parts = sub_queries(prepare("去年物价实际涨了多少？今年的控制目标又是多少？", 2011))
    assert "物价" in parts[1].text


def test_per_cent_how_many_wants_a_percentage():
    """增长了百分之多少 is answered by 增长8.5%, not by 投资项目申报101个."""
    assert not ok("去年固定资产投资增长了百分之多少？", "固定资产投资项目实现在线审批，投资项目申报101个。")
    assert ok("去年固定资产投资增长了百分之多少？", "固定资产投资增长8.5%。")


def test_how_many_things_is_not_answered_by_a_measured_quantity():
    """多少个充电桩 asks a count of things: 新增装机600万千瓦 measures power; 建成充电桩1200个 counts."""
    q = prepare("今年要建多少个新能源汽车充电桩？", 2021)
    assert not unit_ok(q, "可再生能源新增装机600万千瓦以上")
    assert unit_ok(q, "新建充电桩1200个")
    assert unit_ok(prepare("今年要建多少公里高速公路？", 2021), "新建高速公路600公里")
    assert unit_ok(prepare("去年固定资产投资涨了几个点？", 2021), "固投增长3%")  # points, not things


def test_how_large_an_area_is_answered_by_an_area():
    """住房面积有多大 asks an area: 人均可支配收入达到7150元 holds a figure, but of money."""
    q = prepare("去年城镇居民人均住房面积有多大？", 2004)
    assert not unit_ok(q, "城镇居民人均可支配收入达到7150元，增长7％")
    assert unit_ok(q, "城镇居民人均住房面积达到25.3平方米")
    assert unit_ok(prepare("洞庭湖退田还湖还了多大面积？", 2003), "洞庭湖退田还湖６００平方公里")
    assert unit_ok(prepare("去年粮食播种面积多少？", 2025), "粮食播种面积51.11万亩")


def test_value_added_is_a_level_not_a_change():
    """增加值 names an indicator (value added), not a rise: 规上工业增加值是多少 asks so many 元."""
    q = prepare("去年规模以上工业增加值是多少？", 2013)
    assert not unit_ok(q, "规模以上工业企业达54家")
    assert unit_ok(q, "全年完成规模以上工业增加值80亿元")
    assert unit_ok(prepare("去年规模以上工业增加值增长了多少？", 2013), "规模以上工业增加值增长12%")


def test_a_rate_keeps_the_level_it_reaches():
    """增长7%，达到14.6亿元: no window ends at the rate when the next clause gives its level."""
    from qa.answer import _line_windows
    text = "主要预期目标是：地区生产总值增长8%，达到296亿元；公共财政预算收入增长7%，达到14.6亿元；固定资产投资增长12%；"
    windows = list(_line_windows(text, 90, False))
    assert "公共财政预算收入增长7%，达到14.6亿元；" in windows
    assert not any(w.endswith("增长7%，") or w.endswith("增长8%，") for w in windows)
    assert "固定资产投资增长12%；" in windows


def test_a_rise_asked_needs_a_change_in_the_window():
    """增长了多少 is not answered by a level (旅客年吞吐量突破150万人次); a reduction asked (减了多少) is
    answered by its amount, however it is worded (降低企业税负5700多亿元)."""
    from qa.answer import CHANGE_SAID_RE, RISE_ASKED_RE
    assert RISE_ASKED_RE.search("旅客吞吐量比前年增长了多少？") and RISE_ASKED_RE.search("去年CPI全年涨了多少？")
    assert not RISE_ASKED_RE.search("营改增去年一共给企业减了多少税？")
    assert not CHANGE_SAID_RE.search("旅客年吞吐量突破150万人次，出入境人数突破3.5万人次。")
    for said in ("高新技术产业增加值增长率达到30.3%", "居民消费价格涨幅回落到2.6%", "比上年增加2000亿元",
                 "从6333公里增加到7809公里", "收入翻一番"):
        assert CHANGE_SAID_RE.search(said), said


def test_a_purse_that_swells_asks_a_change():
    """钱袋子鼓了多少 asks how much incomes grew: a growth rate answers it (not only so many 元)."""
    assert ok("去年老百姓的钱袋子鼓了多少？", "居民人均可支配收入增长6.3%。")
    assert not ok("去年居民人均可支配收入是多少？", "居民人均可支配收入增长6.3%。")


def test_a_level_keeps_its_rate():
    """达到2.99亿美元，同比增长12.9%: no window ends at the level when the next clause gives its rate."""
    from qa.answer import _line_windows
    windows = list(_line_windows("新增外贸出口企业45家，全县外贸出口总额达到2.99亿美元，同比增长12.9%。", 90, False))
    assert "全县外贸出口总额达到2.99亿美元，同比增长12.9%。" in windows
    assert not any(w.endswith("2.99亿美元，") for w in windows)
    assert "新增外贸出口企业45家，" in windows  # a count without a rate after it ends where it is


def test_a_level_is_offered_with_and_without_its_difference_from_another_year():
    """达1656亿美元，比1995年底增加920亿美元: the level alone answers 有多少, with its difference 多了多少."""
    from qa.answer import _line_windows
    windows = list(_line_windows("国家外汇储备2000年底达1656亿美元，比1995年底增加920亿美元。", 90, False))
    assert "国家外汇储备2000年底达1656亿美元，" in windows
    assert "国家外汇储备2000年底达1656亿美元，比1995年底增加920亿美元。" in windows


def test_a_figure_the_question_states_is_no_answer_to_it():
    """今年目标是86万，那去年实际新增了多少: 城镇新增就业86万人 repeats the asker's own figure."""
    from qa.answer import candidates, given_figures
    assert given_figures("去年城镇新增就业6790人，那农村牧区劳动力转移就业有多少人？") == ("6790",)
    assert given_figures("今年GDP目标还是5%吗？") == ()  # the figure is what it asks about
    assert given_figures("去年GDP增长多少？") == ()
    text = "实施稳岗扩容提质行动，城镇新增就业86万人。去年城镇新增就业92万人。"
    p = _passage(text, "", role="plan", years=[2026])
    found = candidates(prepare("今年城镇新增就业目标是86万，那去年实际新增了多少？", 2026), [p], {"就业": 3.0, "新增": 2.0})
    assert all(c.features.get("unit_miss") for c in found if "86万" in c.text and "92万" not in c.text)
    assert any(not c.features.get("unit_miss") for c in found if "92万" in c.text)


def test_a_ratio_to_the_population_does_not_cover_the_population():
    """每万城镇常住人口配备18名社区工作者 is no answer to 常住人口一共多少; asked per 10,000 it is."""
    from qa.answer import candidates
    text = "如期完成每万城镇常住人口配备18名社区工作者目标。"
    p = _passage(text, "", role="review", years=[2025])
    idf = {"常住人口": 5.0, "社区工作者": 5.0}
    alone = max(c.features["coverage"] for c in candidates(prepare("现在常住人口一共多少？", 2026), [p], idf))
    per = max(c.features["coverage"] for c in candidates(prepare("每万常住人口配备几名社区工作者？", 2026), [p], idf))
    assert alone < 0.5 < per


def test_sentences_after_one_opening_with_a_year_speak_of_that_year():
    """2005年，初步核算达到…。人均生产总值达到1.48万元。全部财政收入完成…: each sentence is 2005's, until
    one names another year."""
    from qa.answer import _opening_year
    text = ("全省生产总值提前实现目标。2005年，初步核算达到10116.6亿元。人均生产总值达到1.48万元。"
            "全部财政收入完成1035.2亿元。2003年以来城镇新增就业116万人。城镇登记失业率控制在目标以内。")
    assert _opening_year(text, "全部财政收入完成1035.2亿元") == {2005}
    assert _opening_year(text, "人均生产总值达到1.48万元") == {2005}
    assert _opening_year(text, "全省生产总值提前实现目标") == set()
    assert _opening_year(text, "城镇登记失业率控制在目标以内") == set()  # 2003年以来 came between


def test_a_figure_the_window_dates_by_the_reports_own_last_year_is_that_years():
    """去年末储蓄存款余额达到13605亿元 inside a part that plans (河北省 2010): last year's figure,
    not this year's; a 去年 in a clause without the figure dates nothing."""
    from qa.answer import candidates
    text = "着力引导消费需求，我省居民储蓄率较高，去年末储蓄存款余额达到13605亿元，消费潜力很大。"
    p = _passage(text, "三、2010年主要任务", role="plan", years=[2010])
    found = candidates(prepare("去年末储蓄存款余额有多少？", 2010), [p], {"储蓄存款": 5.0, "余额": 2.0})
    assert any("13605亿元" in c.text and c.features["year_match"] == 1.0 and not c.features.get("year_clash")
               for c in found)
    text = "提出居民消费价格涨幅3%左右，综合考虑了去年价格变动的翘尾因素。"
    p = _passage(text, "二、2010年主要任务", role="plan", years=[2010])
    found = candidates(prepare("去年居民消费价格涨了多少？", 2010), [p], {"居民消费价格": 5.0})
    assert all(c.features.get("year_clash") for c in found if "3%" in c.text)


def test_a_per_head_gdp_does_not_cover_a_question_about_gdp():
    from qa.answer import candidates
    text = "全省生产总值增长5.5%。人均地区生产总值从2020年的10.5万元提高到2025年的14万元左右。"
    p = _passage(text, "一、2025年工作回顾", role="review", years=[2025])
    weights = {"地区生产总值": 5.0, "生产总值": 5.0}
    per_head = [c for c in candidates(prepare("去年地区生产总值增长多少？", 2026), [p], weights) if c.text.startswith("人均")]
    assert per_head and all(c.features["coverage"] == 0.0 for c in per_head)
    asked = [c for c in candidates(prepare("去年人均地区生产总值多少？", 2026), [p], weights) if c.text.startswith("人均")]
    assert asked and all(c.features["coverage"] > 0.0 for c in asked)


def test_last_years_result_is_no_answer_to_this_years_goal_when_the_report_has_a_plan_part():
    """今年社零预期增长多少 of 河北省 2007, whose plan part gives no such goal: the review's 增长15% is
    2006's result. Without a part that plans among the passages (a report whose structure was not
    found), the window is only weighed, as before."""
    from qa.answer import candidates
    review = "社会消费品零售总额3396亿元，增长15%。"
    plan = "今年经济社会发展的主要目标是：全省生产总值增长11%以上。"
    passages = [_passage(review, "一、2006年工作回顾", role="review", years=[2006]),
                _passage(plan, "二、2007年工作目标要求", role="plan", years=[2007])]
    q = prepare("今年社会消费品零售总额预期增长多少？", 2007)
    found = candidates(q, passages, {"社会消费品零售总额": 5.0})
    assert any(c.features["past_for_goal"] and "15%" in c.text for c in found)
    assert not any(c.features["past_for_goal"] for c in candidates(q, passages[:1], {"社会消费品零售总额": 5.0}))
    # an amount asked of 今年 alone asks the plan's figure too (今年孤儿补贴再提高多少 → not last year's 提高300元)
    this_year = candidates(prepare("今年社会消费品零售总额再增长多少？", 2007), passages, {"社会消费品零售总额": 5.0})
    assert any(c.features["past_for_goal"] and "15%" in c.text for c in this_year)
    last_year = candidates(prepare("去年社会消费品零售总额增长多少？", 2007), passages, {"社会消费品零售总额": 5.0})
    assert not any(c.features["past_for_goal"] for c in last_year)


def test_a_goal_of_the_year_asked_answers_in_place_of_last_years_result():
    """河北省 2023: 今年技术合同成交额目标 matched last year's 技术合同成交额增长13% best (its word, not the
    plan's 成交总额), and that window was declined; the plan's figure, nearly as good a match, answers.
    Another indicator's goal (a window covering much less of the question) does not."""
    from qa.answer import choose
    review = "新建院士合作重点单位34家，吸纳京津技术合同成交额增长13%以上。"
    plan = "深入推进京津研发、河北转化，全年技术合同成交总额1500亿元以上。"
    other = "今年经济社会发展的主要预期目标是：地区生产总值增长6%左右。"
    p_review = _passage(review, "一、2022年工作回顾", role="review", years=[2022])
    p_plan = _passage(plan, "三、2023年工作安排", role="plan", years=[2023])
    p_other = _passage(other, "二、2023年总体要求", role="plan", years=[2023])
    idf = {"技术": 3.0, "合同": 4.0, "成交额": 3.0, "成交": 4.0}
    q = prepare("今年全省技术合同成交额目标是多少？", 2023)
    choice = choose(q, [p_review, p_plan], idf, signals=[(0.9, 10.0), (0.88, 7.0)])
    assert "1500亿元" in choice.text
    choice = choose(q, [p_review, p_other], idf, signals=[(0.9, 10.0), (0.88, 7.0)])
    assert "13%" in choice.text  # declined later as last year's result


def test_a_five_year_outlooks_goal_answers_a_target_asked_for_its_last_year():
    """全部财政收入力争达到2000亿元左右 in a part setting the goals of 2006–2010: the target “by 2010”;
    2010年达到1.7万亿元 dates its figure by the year written before it, whatever other year the
    sentence names (2005年价)."""
    from qa.answer import candidates
    text = "生产总值年均增长11%左右，2010年达到1.7万亿元(2005年价)。全部财政收入力争达到2000亿元左右。"
    p = _passage(text, "二、“十一五”时期的发展目标", role="outlook",
                years=[2006, 2007, 2008, 2009, 2010])
    idf = {"财政收入": 5.0, "生产总值": 4.0}
    goal = [c for c in candidates(prepare("到2010年全部财政收入的目标是多少？", 2006), [p], idf)
            if "2000亿元" in c.text and "1.7" not in c.text]
    assert goal and all(c.features["year_match"] == 1.0 and c.features["several_years"] == 0.0 for c in goal)
    level = [c for c in candidates(prepare("到2010年生产总值要达到多少？", 2006), [p], idf)
             if "1.7万亿元" in c.text and "2000" not in c.text]
    assert level and all(c.features["year_match"] == 1.0 for c in level)
    # not for a question that asks no goal: the five years' sentence naming no year stays none's
    said = [c for c in candidates(prepare("2010年全部财政收入是多少？", 2006), [p], idf)
            if "2000亿元" in c.text and "1.7" not in c.text]
    assert said and all(c.features["year_match"] == 0.0 for c in said)


def test_how_long_is_answered_by_a_period_of_so_many_years():
    from qa.answer import choice_has_time
    q = prepare("脱贫县的过渡期是多长时间？", 2021)
    assert choice_has_time(q, "对脱贫县从脱贫之日起设立5年过渡期，保持主要帮扶政策总体稳定。")
    assert choice_has_time(q, "利用三年左右时间完成改造")
    assert not choice_has_time(q, "加快建设5个国家级新区")
    assert choice_has_time(prepare("长江停航了多长时间？", 1999), "长江部分航段中断航运1个多月")
    # 明年 answers 什么时候 (放在明年进行)
    assert choice_has_time(prepare("县级政府的机构改革什么时候进行？", 1999), "县级和乡镇政府的机构改革放在明年进行。")
    # a season's start is a time too (确保今年入冬前…完成), a season named as a topic is not
    q = prepare("灾损农房今年什么时候能建好？", 2024)
    assert choice_has_time(q, "确保今年入冬前2.16万户灾损农房新建任务全面完成。")
    assert not choice_has_time(q, "推进冬季清洁取暖改造。")


def test_a_numbered_term_listed_just_before_it():
    """贯彻A、B、C“三项政策”: the three items come before the term (国务院 1999)."""
    from qa.enumerations import listed_before, numbered_term
    text = "今年要继续围绕贯彻按保护价敞开收购农民余粮、粮食收储企业实行顺价销售、粮食收购资金实行封闭运行“三项政策”和加快改革。"
    span = listed_before(text, numbered_term("“三项政策”具体是哪三项？"))
    assert span and text[span[0]:span[1]].endswith("封闭运行“三项政策”") and "顺价销售" in text[span[0]:span[1]]
    assert listed_before(text, numbered_term("“四项政策”是哪四项？")) is None


def test_a_rise_in_prices_is_a_rate_and_a_price_is_money():
    """国务院 1998: the ceiling for the rise in retail prices is 3%, no sum of 元."""
    assert ok("What is this year's ceiling for the rise in retail prices?", "商品零售价格涨幅控制在3％以内")
    assert not ok("What is the price of a bus ticket?", "公交票价下调20%")


def test_a_five_years_average_growth_is_not_the_years_growth():
    """1997年国内生产总值达到74772亿元，…平均每年增长11％ names 1997, but its growth is the five
    years' average: 去年经济增长8.8% answers how much the economy grew last year."""
    from qa.answer import candidates
    review = "1997年国内生产总值达到74772亿元，按可比价格计算，平均每年增长11％。顺利完成了“八五”计划。"
    last = "去年经济增长8．8％，商品零售价格涨幅为0．8％，这种“高增长、低通胀”的良好态势，是多年来没有过的。"
    passages = [Passage(doc_id="d", start=0, end=len(t), text=t, section="一、关于过去五年的政府工作",
                        role="review_multi", years=(1993, 1994, 1995, 1996, 1997)) for t in (review, last)]
    query = prepare("去年全国经济增长了多少？", 1998)
    cs = candidates(query, passages, {"经济": 1.0, "增长": 1.0, "国内生产总值": 2.0}, doc_years={"d": 1998})
    averaged = [c for c in cs if "平均每年增长11" in c.text and "1997" in c.text]
    assert averaged and all(c.features["several_years"] == 1.0 for c in averaged)


def test_one_character_read_two_ways_covers_both_words():
    """新（改）建高标准农田300万亩: a question's 新建 and 改建 are both there (四川 2026)."""
    from qa.text import both_spellings
    assert both_spellings(normalize("新（改）建高标准农田300万亩以上")) == "新建改建高标准农田300万亩以上"
    assert both_spellings(normalize("增长5%(预期)")) == normalize("增长5%(预期)")  # no character after: left alone


def test_a_goal_for_the_asked_year_measured_from_a_base_year_is_that_years():
    """国务院 2001: 到2010年国内生产总值比2000年翻一番 is the goal for 2010 (2000 is only its base); a
    review's 2025年总量比2020年增加… stays about neither year alone."""
    from qa.answer import candidates
    text = "为到2010年国内生产总值比2000年翻一番奠定坚实基础。"
    p = _passage(text, "二、“十五”期间的奋斗目标和指导方针", role="outlook",
                years=[2001, 2002, 2003, 2004, 2005])
    found = [c for c in candidates(prepare("到2010年国内生产总值要达到什么目标？", 2001), [p], {"国内生产总值": 5.0},
                                   doc_years={"d": 2001}) if "2010" in c.text]
    assert found and all(c.features["year_match"] == 1.0 and c.features["year_clash"] == 0.0 for c in found)


def test_a_growth_goal_named_between_the_rise_and_its_rate_gives_the_change():
    """经济增长速度的调控目标定为8% answers “what growth target”; a level reached does not."""
    from qa.answer import GROWTH_RE
    assert GROWTH_RE.search("今年经济增长速度的调控目标定为8%，物价上涨幅度比去年的实际涨幅低一些")
    assert GROWTH_RE.search("地区生产总值预期增长5%左右")
    assert not GROWTH_RE.search("增长的目标是让年末人口达到8%的城镇化")  # no goal word right before the figure
    assert not GROWTH_RE.search("地区生产总值达到1650亿元")


def test_an_english_value_asked_is_an_amount_not_a_rate():
    """total import and export value: 进出口总额5.95万亿元, not 进出口增长27.4%; value added growth is a rate."""
    q = prepare("What was the total import and export value in 2025?")
    assert not unit_ok(q, "跨境电商平台进出口增长27.4%。")
    assert unit_ok(q, "社会消费品零售总额达4.64万亿元，进出口总额5.95万亿元、增长6%。")
    assert unit_ok(prepare("What is the value-added growth of industry?"), "规上工业增加值增长6.5%")


def test_a_percentage_spelled_out_in_words_is_read_as_one():
    """国务院 1994–1996 print 百分之二十七点八: read as 27.8%, padded to the same length so a window's
    place in the read text is its place in the report's."""
    from qa.text import read_figures
    for text, digits in (("回落到百分之二十七点八，", "27.8%"), ("定为百分之八至九。", "8%至9%"),
                         ("控制在百分之十五左右", "15%左右"), ("增长百分之一百零五", "105%"),
                         ("增长百分之四至百分之五。", "4%至5%")):
        read = read_figures(text)
        assert len(read) == len(text) and digits in read
    assert read_figures("到二〇三五年基本建成") == "到2035年基本建成"  # a year in words (天津 2026)
    assert read_figures("二零二五") == "二零二五" and read_figures("零售额") == "零售额"
    assert read_figures("百分之几") == "百分之几"  # a question word, no figure
    assert read_figures("１０．２万亿元") == "10.2万亿元"  # full-width figures are folded as before
    assert has_figure(read_figures("增长百分之五")) and not has_figure("增长百分之")


def test_a_level_falling_from_one_rate_to_another_gives_the_change():
    """固定资产投资增长幅度由上年的58.6%回落到27.8% answers 增长了多少; a goal set with a comma
    between (增长速度的宏观调控目标，定为8%至9%) is a growth goal."""
    from qa.answer import CHANGE_SAID_RE, GROWTH_RE
    assert CHANGE_SAID_RE.search("固定资产投资增长幅度由上年的58.6%回落到27.8%")
    assert GROWTH_RE.search("今年经济增长速度的宏观调控目标，定为 8%至9%。")


def test_a_word_the_report_writes_only_inside_a_compound_is_absent_from_a_window_without_it():
    """接待游客 is one word to the dictionary and the report never writes it, but it writes 游客: a
    window about 客运量 lacks what is asked; an everyday word's thesaurus guess (宝宝 → 托育) does not count."""
    from qa.answer import _absent, _key_words
    keys = _key_words("去年全区接待游客多少万人次？")
    idf = {"游客": 4.0, "人次": 2.0}
    assert _absent(normalize("铁路、航空客运量双双超过千万人次"), keys, idf, 5.0) > 0.5
    assert _absent(normalize("全区游客人次增长14%"), keys, idf, 5.0) == 0.0
    assert _absent(normalize("新生儿出生即参保"), _key_words("宝宝刚生下来就能有医保吗？"), {"托育": 5.0}, 5.0) == 0.0


def test_a_window_listing_a_quoted_terms_members_or_saying_what_it_is_defines_it():
    from qa.answer import _defines
    assert _defines(normalize("持续强化城镇燃气、电动自行车、建筑保温材料等“一件事”全链条整治"), ["一件事"])
    assert _defines(normalize("负责“米袋子”就是负责本省的粮食供应"), ["米袋子"])
    assert not _defines(normalize("持续深化“一件事”全链条整治，突出抓好重点领域"), ["一件事"])


def test_a_year_something_is_to_be_done_by_answers_when():
    """预计在1993年完成基本法起草工作 answers 什么时候 (国务院 1992); a bare year the sentence is about does not."""
    from qa.answer import choice_has_time
    q = prepare("澳门基本法预计什么时候完成起草？", 1992)
    assert choice_has_time(q, "预计在1993年完成基本法起草工作")
    assert choice_has_time(q, "力争到2027年建成")
    assert not choice_has_time(q, "2025年是“十四五”收官之年")


def test_a_goal_whose_figure_follows_in_a_clause_of_its_own():
    """今年经济增长速度的宏观调控目标，定为8%至9% (国务院 1995): the figure's clause says only how much of
    the goal the clause before names."""
    assert ok("今年经济增长目标是多少？", "综合分析各方面的条件，今年经济增长速度的宏观调控目标，定为 8%至9%。")
    assert not ok("今年经济增长目标是多少？", "综合分析各方面的条件，今年物价涨幅，定为 8%至9%。")


def test_a_count_may_name_its_noun_with_another_measure_word():
    """多少户家庭 is answered by 149.5万个…家庭; a count of something else in 户 or 个 is not it."""
    assert ok("去年有多少户家庭领到了育儿补贴？", "149.5万个婴幼儿所在家庭享受育儿补贴")
    assert not ok("去年有多少户家庭领到了育儿补贴？", "57.6万名儿童享受减免幼儿园学前一年保育教育费")
    assert ok("去年改造了多少户老旧小区？", "老旧小区改造8.36万户")


def test_a_growth_asked_is_answered_by_a_window_giving_a_change_not_a_share():
    """GDP growth asked: 研发经费…相当于全市生产总值的比例达到4.5% gives a share, ranked first; the
    window with 增长5.4% is chosen over it (before, the share was chosen and then declined)."""
    from qa.answer import choose
    share = "全社会研发经费支出相当于全市生产总值的比例达到4.5%左右。"
    growth = "全市生产总值达到5.67万亿元、增长5.4%，好于预期。"
    passages = [_passage(t, "一、2025年工作回顾", role="review", years=[2025]) for t in (share, growth)]
    query = prepare("What was Shanghai's GDP growth rate last year?", 2026)
    found = choose(query, passages, {"生产总值": 5.0, "研发经费": 4.0}, signals=[(0.9, 10.0), (0.88, 8.0)])
    assert found is not None and "5.4%" in found.text
    assert not found.features.get("no_change")


def test_a_shorter_form_the_thesaurus_gives_covers_the_question_word():
    """粮食总产量 asked, the report writes 粮食总产达446.1亿斤: the window covers the question."""
    from qa.answer import candidates
    text = "粮食总产达446.1亿斤，农业产业化积极推进。"
    p = _passage(text, "一、2025年工作回顾", role="review", years=[2025])
    found = candidates(prepare("2025年粮食总产量是多少？", 2026), [p], {"粮食": 3.0, "总产量": 5.0, "总产": 5.0})
    assert max(c.features["coverage"] for c in found) == 1.0


def test_a_rank_asked_is_answered_by_a_place_in_a_ranking():
    """唐山港…吞吐量在世界上排第几 → 稳居世界第二; a clause with only a growth rate does not rank it."""
    q = prepare("唐山港沿海货物吞吐量在世界上排第几？", 2026)
    assert unit_ok(q, "进出口总值增长53.1%，唐山港沿海货物吞吐量稳居世界第二，石家庄国际陆港实现跨越式发展。")
    assert not unit_ok(q, "进出口总值增长53.1%，唐山港沿海货物吞吐量增长5%。")
    assert not unit_ok(q, "唐山港沿海货物吞吐量第3次突破7亿吨")  # the third time is no rank


def test_a_window_covering_only_the_frame_of_a_question_about_something_the_report_never_says_is_declined():
    """房价 is nowhere in the report: 居民消费价格总体平稳 covers only 去年 and 涨; 敬老院建设 covers
    the question through the thesaurus and is not declined by this rule."""
    from qa.answer import Choice, _unsupported, shipped
    q = prepare("去年房价是涨了还是跌了？", 2026)
    window = Choice(0, "居民消费价格总体平稳", 0.03, 6.0, {"coverage": 0.03, "rank": 1.0, "missing": 0.5}, margin=1.0)
    assert _unsupported(q, window, shipped(), ["房价"]) == "the report does not speak of what is asked"
    assert _unsupported(q, window, shipped(), []) != "the report does not speak of what is asked"
    covered = Choice(0, "重点推进敬老院建设", 0.77, 6.0, {"coverage": 0.77, "rank": 1.0}, margin=1.0)
    assert _unsupported(prepare("今年养老院方面有什么建设安排？", 2026), covered, shipped(),
                        ["养老院"]) != "the report does not speak of what is asked"


def test_a_word_the_thesaurus_teaches_whole_is_named_by_its_parts_in_one_clause():
    """粮食总产量, taught to jieba whole, is named by 粮食播种面积…、总产量132.4亿斤, not by 粮食 and 产量
    in two clauses."""
    from qa.answer import _names_phrase
    from qa.text import add_words, normalize
    add_words(["粮食总产量"])
    assert _names_phrase(("粮食总产量",), normalize("粮食播种面积1584.6万亩、总产量132.4亿斤"))
    assert not _names_phrase(("粮食总产量",), normalize("粮食安全责任制落实，蔬菜总产量增长"))
    assert not _names_phrase(("房价",), normalize("居民消费价格总体平稳"))


def test_a_plan_periods_yearly_rate_is_not_this_years_goal():
    """“十五五”期间GDP每年要增长多少: 今年…增长5% is one year's goal, 年均增长5%左右 the period's."""
    from qa.answer import candidates
    year = "今年经济社会发展主要预期目标是：地区生产总值增长5%左右。"
    period = "“十五五”时期的主要目标是：地区生产总值年均增长5%左右。"
    passages = [_passage(year, "三、2026年重点工作", role="plan", years=[2026]),
                _passage(period, "二、“十五五”时期主要目标", role="outlook",
                        years=[2026, 2027, 2028, 2029, 2030])]
    for question in ("“十五五”期间GDP每年要增长多少？", "What average annual GDP growth is targeted for the 15th Five-Year Plan?"):
        found = candidates(prepare(question, 2026), passages, {"地区生产总值": 5.0, "年均": 2.0})
        assert all(c.features["year_match"] == 0.0 for c in found if "今年" in c.text), question
        assert any(c.features["year_match"] == 1.0 for c in found if "年均" in c.text), question
    # a level at the period's end is not a yearly rate: this year's window keeps its year
    found = candidates(prepare("“十五五”末GDP要达到多少？", 2026), passages, {"地区生产总值": 5.0})
    assert any(c.features["year_match"] == 1.0 for c in found if "今年" in c.text)


def test_a_total_asked_is_about_what_it_totals():
    """规上工业增加值总额 asked: 社会消费品零售总额达4.64万亿元 names 总额 but totals something else;
    …，总量达到4773.3亿元 after 地区生产总值 still gives the GDP's total."""
    assert not ok("去年规上工业增加值总额是多少亿元？",
                  "规上工业增加值、规上服务业营收分别增长6.5%和7%，社会消费品零售总额达4.64万亿元")
    assert ok("去年GDP总量是多少？", "地区生产总值增长6.0%、全省第二，高于全国、全省平均水平，总量达到4773.3亿元")


def test_a_count_in_any_measure_word_asks_for_a_figure():
    """几块金牌, 几台, 几辆: a count is asked whatever its measure word, so a window without a figure
    (取得优异成绩) does not answer it (国务院 1997: 亚特兰大奥运会中国拿了几块金牌 was answered so)."""
    assert not ok("亚特兰大奥运会中国拿了几块金牌？", "我国体育健儿在第26届奥运会上取得优异成绩。")
    assert ok("去年新建了几台充电桩？", "新建充电桩1200台。")
    assert ok("今年要新增几辆公交车？", "新增新能源公交车300辆。")


def test_the_window_saying_what_is_asked_without_its_figure_is_kept_and_declined():
    """中央财政赤字有多大, and the report says only that the deficit stayed within its budget: the
    window naming the deficit (no figure) is kept over a window with a figure about something else
    (国内生产总值达到67700多亿元), and the answer step declines it for want of a figure. A window
    covering nearly as much that has the figure still answers."""
    from qa.answer import choose
    deficit = "全年财政收入有较多增加，地方财政收大于支，中央财政赤字控制在预算目标之内。"
    gdp = "国内生产总值达到67700多亿元，按可比价格计算，比上年增长9.7%。"
    passages = [_passage(t, "一、1996年工作回顾", role="review", years=[1996]) for t in (gdp, deficit)]
    idf = {"中央财政": 4.0, "赤字": 6.0, "国内生产总值": 3.0, "财政收入": 3.0}
    query = prepare("1996年中央财政赤字有多大", 1997)
    found = choose(query, passages, idf, signals=[(0.9, 10.0), (0.88, 8.0)])
    assert found is not None and "赤字" in found.text and found.features.get("unit_miss")
    figure = "中央财政赤字为580亿元，比预算减少。"
    passages = [_passage(t, "一、1996年工作回顾", role="review", years=[1996]) for t in (deficit, figure)]
    found = choose(query, passages, idf, signals=[(0.9, 10.0), (0.88, 8.0)])
    assert found is not None and "580亿元" in found.text


def test_another_place_an_english_question_names_must_be_in_the_window():
    """What was Shanghai's GDP in 1996? asked of the State Council's report: the pipeline appends
    上海 (a place it spells that is not the report's), and the national GDP sentence is not its answer."""
    from qa.answer import candidates, english_place
    assert english_place("What was Shanghai's GDP in 1996? 上海") == "上海"
    assert english_place("What was the GDP in 1996?") == ""
    text = "国内生产总值达到67700多亿元，按可比价格计算，比上年增长9.7%。"
    passage = _passage(text, "一、1996年工作回顾", role="review", years=[1996])
    for question, miss in (("What was Shanghai's GDP in 1996? 上海", 1.0), ("What was China's GDP in 1996?", 0.0)):
        found = candidates(prepare(question, 1997), [passage], {"国内生产总值": 3.0})
        assert found and all(c.features["place_miss"] == miss for c in found)


def test_a_sum_followed_by_what_it_supports_is_about_that():
    """安排30亿元建设资金，支持国有煤矿安全技术改造: the clause after the sum says what it is for, as
    用于 does (国务院 2005: 今年国家安排多少钱支持国有煤矿安全技术改造 was declined for want of a figure)."""
    window = "国务院决定今年安排30亿元建设资金，支持国有煤矿安全技术改造，地方和企业也要增加安全生产投入。"
    assert ok("今年国家安排多少钱支持国有煤矿安全技术改造？", window)
    assert not ok("今年国家拿多少钱修农村公路？", window)


def test_a_sum_put_up_is_about_what_the_clause_after_it_does():
    """安排资金136亿元，办好34项民生实事 (西藏 2026, round 34): the sum is for the 民生实事 the next clause
    names, as with 用于; a count beside the subject (34项) is not the money asked."""
    window = "坚持民生为大，安排资金136亿元，办好34项民生实事。"
    assert ok("今年拿出多少钱办民生实事？", window)
    assert not ok("今年拿出多少钱修农村公路？", window)


def test_a_size_naming_a_kind_or_a_place_in_a_ranking_is_no_amount():
    """东莞长安成为全省第3个地区生产总值超千亿元镇 (广东 2025, round 34): 千亿元镇 is a kind of town and
    第3个 a rank, so its clause gives no amount of the province's GDP."""
    assert not has_figure("东莞长安成为全省第3个地区生产总值超千亿元镇。")
    assert not has_figure("大连迈入万亿级城市")
    assert has_figure("旅游总收入突破万亿元，海洋生产总值突破2万亿元。")
    assert has_figure("地区生产总值超千亿元")
    # unless which place of that size is asked
    assert has_figure("惠州博罗成为生产总值超千亿元县。", sized=True)
    assert ok("Which county in Guangdong passed 100 billion yuan in GDP last year?", "惠州博罗成为生产总值超千亿元县。")
    assert not ok("广东去年GDP有多少？", "东莞长安成为全省第3个地区生产总值超千亿元镇。")


def test_two_years_asked_each_are_two_questions_without_their_each():
    assert split_question("去年和今年各拿出多少钱办民生实事？") == ["去年拿出多少钱办民生实事？", "今年拿出多少钱办民生实事？"]
    assert split_question("去年和今年社零增速分别是多少？") == ["去年社零增速是多少？", "今年社零增速是多少？"]


def test_the_level_five_years_reached_is_their_last_years():
    """人口自然增长率下降到10.06‰ in 国务院 1998's review of five years is 1997's rate (round 34: 去年…降到
    多少 was declined as a figure of several years); their yearly average is not one year's figure."""
    from qa.answer import candidates
    text = "计划生育工作成绩显著，人口自然增长率下降到10.06‰。五年来国内生产总值年均增长11%。"
    passage = _passage(text, "一、过去五年的工作", role="review_multi", years=[1993, 1994, 1995, 1996, 1997])
    found = candidates(prepare("去年人口自然增长率降到多少了", 1998), [passage], {"人口自然增长率": 5.0})
    reached = [c for c in found if "10.06" in c.text and "年均" not in c.text]
    assert reached and all(c.features["several_years"] == 0.0 and c.features["year_match"] == 1.0 for c in reached)
    found = candidates(prepare("去年国内生产总值增长多少", 1998), [passage], {"国内生产总值": 5.0})
    assert all(c.features["several_years"] == 1.0 for c in found if "年均" in c.text)


def test_a_total_of_an_indicator_asks_its_amount():
    """GDP总量 asks the amount as 多少 does (河北 2003, 国务院 2013: 总量, a word the GDP sentence lacks,
    weighed as the thing asked about and the question was declined)."""
    from qa.answer import _key_words
    assert "总量" not in dict(_key_words("河北去年GDP总量多少？"))
    assert "gdp" in dict(_key_words("河北去年GDP总量多少？"))


def test_now_asked_fits_a_window_saying_now_in_the_part_that_plans():
    """国务院 1997: 现在全国有100多个城市建立了最低生活保障制度 stands in the part that plans 1997;
    现在有多少城市搞了低保 asks the present, which the report's own 现在 states (it was declined as a
    window of another year). A plan window that does not say 现在 still clashes."""
    from qa.answer import candidates
    now = "现在全国有100多个城市建立了最低生活保障制度，要逐步加以完善。"
    goal = "今年要在100个城市建立最低生活保障制度。"
    passages = [_passage(text, "二、1997年的主要任务", role="plan", years=[1997]) for text in (now, goal)]
    found = candidates(prepare("现在全国有多少城市搞了低保？", 1997), passages, {"最低生活保障": 5.0, "城市": 2.0})
    assert any(c.features["year_clash"] == 0.0 and c.features["year_match"] == 1.0 for c in found if "现在" in c.text)
    assert all(c.features["year_clash"] == 1.0 for c in found if "今年" in c.text)


def test_the_questions_most_specific_word_is_beside_the_figure_through_its_report_terms():
    """看病的保险 is 医保 in the report (保定 2021: 医保参保率达95%以上 was declined, its figure's clause
    not holding 保险 itself)."""
    from qa.answer import candidates
    text = "医保参保率达95%以上，基本养老金逐年提高。"
    passage = _passage(text, "一、过去五年工作回顾", role="review_multi", years=[2016, 2017, 2018, 2019, 2020])
    found = candidates(prepare("现在有多大比例的人交了看病的保险？", 2021), [passage], {"保险": 4.0, "参保率": 5.0, "医保": 5.0})
    assert found and all(c.features.get("rare_apart", 0.0) == 0.0 for c in found if "95%" in c.text)


def test_a_window_covering_only_the_missing_subjects_parts_and_vague_heads_does_not_speak_of_it():
    """最低工资标准 asked of 广东 2025, which never says 最低工资 (round 34): 孤儿基本生活保障省定最低标准
    …提高到2375元 covers 最低, 标准 and 到, which was enough to answer; the question about 孤儿 itself
    is still answered."""
    from qa.answer import Choice, _unsupported, candidates, shipped
    text = "集中供养孤儿基本生活保障省定最低标准从每人每月2295元提高到2375元。"
    passage = _passage(text, "三、2025年工作安排", role="plan", years=[2025])
    idf = {"最低": 4.7, "工资": 5.5, "标准": 2.5, "到": 3.1, "孤儿": 6.0, "生活保障": 5.0}
    q = prepare("今年最低工资标准调到多少？", 2025)
    found = candidates(q, [passage], idf, ["最低工资"])
    best = max(found, key=lambda c: c.features["coverage"])
    assert best.features["coverage"] >= 0.1 and best.features["core_coverage"] < 0.1
    choice = Choice(0, best.text, best.features["coverage"], 6.0, best.features, margin=1.0)
    assert _unsupported(q, choice, shipped(), ["最低工资"]) == "the report does not speak of what is asked"
    asked = candidates(prepare("今年孤儿基本生活保障标准提高到多少？", 2025), [passage], idf, [])
    assert all("core_coverage" not in c.features for c in asked)
    # a missing word the report writes at length (环城路: 环城道路) is covered
    road = "加快城市路网和环城道路建设。完成西出口路建设。"
    found = candidates(prepare("今年环城路有什么安排？", 2013), [Passage("d", road, "二、2013年工作", 0, len(road),
                                                                        role="plan", years=[2013])],
                       {"环城": 6.0, "安排": 1.0, "道路": 3.0}, ["环城路"])
    assert found and max(c.features["core_coverage"] for c in found) >= 0.1


def test_gdp_as_the_denominator_of_a_ratio_does_not_cover_gdp():
    """社会物流总费用与地区生产总值的比率降至13.6%: a ratio to GDP, no answer to GDP涨了多少 (广东 2026)."""
    from qa.answer import candidates
    text = "社会物流总费用与地区生产总值的比率降至13.6%左右。地区生产总值增长3.9%。"
    p = _passage(text, "一、2025年工作回顾", role="review", years=[2025])
    found = candidates(prepare("去年地区生产总值涨了多少？", 2026), [p], {"地区生产总值": 5.0, "生产总值": 5.0})
    ratio = [c for c in found if c.text.startswith("社会物流") and "3.9%" not in c.text]
    growth = [c for c in found if c.text.startswith("地区生产总值")]
    assert ratio and growth
    assert max(c.features["coverage"] for c in ratio) < min(c.features["coverage"] for c in growth)


def test_a_sum_over_several_years_is_not_one_years_figure():
    """五年共利用外资609亿美元 inside a passage reviewing one year is no answer to 1992年一年利用外资多少;
    PM2.5年平均浓度 is a yearly average, no span of years."""
    from qa.answer import PERIOD_TOTAL_RE, candidates
    text = "外汇储备有一定增加。五年共利用外资609亿美元，相当于前九年总和的1.6倍。"
    p = _passage(text, "", role="review", years=[])
    found = candidates(prepare("1992年一年利用外资多少亿美元？", 1993), [p], {"利用外资": 5.0})
    assert any("609亿美元" in c.text for c in found)
    assert all(c.features.get("period_figure") for c in found if "609亿美元" in c.text)
    assert PERIOD_TOTAL_RE.search("近3年累计投入") and PERIOD_TOTAL_RE.search("三年来，累计建成")
    assert not PERIOD_TOTAL_RE.search("设区城市pm2.5年平均浓度降至25微克") and not PERIOD_TOTAL_RE.search("2023年平均")


def test_a_growth_rate_named_then_reset_is_a_change():
    """国民经济增长速度由原定平均每年6%调高到8%至9% gives the growth rate asked (增速定为多少)."""
    from qa.answer import GROWTH_RE
    assert GROWTH_RE.search("按调整后的“八五”计划，国民经济增长速度由原定平均每年  6%调高到 8%至9%。")
    assert not GROWTH_RE.search("城镇化率由原定的60%调高到65%")


def test_a_window_naming_the_asked_year_alone_is_that_years():
    """1992年同1987年相比，…原煤产量增长20%，达到11亿吨, in a passage whose part dates nothing: 1992's
    level (1987 is only compared with), so 去年 of the 1993 report matches it."""
    from qa.answer import candidates, own_years
    assert own_years("1992年同1987年相比，钢产量增长42%") == {1992}
    assert own_years("与2020年末相比，增加了3万户") == set()
    text = "1992年同1987年相比，钢产量增长42%，达到8000万吨；原煤产量增长20%，达到11亿吨。"
    p = _passage(text, "", role="review", years=[])
    found = candidates(prepare("原煤去年产了多少？", 1993), [p], {"原煤": 5.0})
    assert any("11亿吨" in c.text and c.features.get("year_match") for c in found)
    found = candidates(prepare("原煤1990年产了多少？", 1993), [p], {"原煤": 5.0})
    assert not any(c.features.get("year_match") for c in found)


def test_a_unit_asked_reads_the_clause_giving_that_unit():
    """规模以上工业增加值是多少亿元: 规上工业总产值完成166.7亿元 gives the 亿元 (the sibling's), the 增加值
    only a rate; asked 增长多少, the 增加值's rate answers."""
    from qa.answer import sibling_clash
    window = normalize("规模以上工业总产值完成166.7亿元，同比增长16.2%；规模以上工业增加值增速达到12%。")
    assert sibling_clash(normalize("去年规模以上工业增加值是多少亿元？"), window, True)
    assert not sibling_clash(normalize("去年规模以上工业增加值增长多少？"), window, True)
    assert not sibling_clash(normalize("去年规模以上工业增加值是多少亿元？"),
                             normalize("全年完成规模以上工业增加值80亿元，规模以上工业总产值完成300亿元"), True)


def test_a_count_of_years_in_a_part_of_several_years_is_the_periods_figure():
    """五年城镇新增就业4500万人 in the part setting out five years: no answer for 去年 or 今年 alone."""
    from qa.answer import candidates
    text = "坚持把增加就业作为经济社会发展的优先目标，五年城镇新增就业4500万人。"
    p = _passage(text, "二、“十二五”时期的主要目标", role="outlook", years=[2011, 2012, 2013, 2014, 2015])
    for question in ("去年城镇新增就业多少人？", "今年城镇计划新增就业多少？"):
        found = [c for c in candidates(prepare(question, 2011), [p], {"新增就业": 5.0}) if "4500万人" in c.text]
        assert found and all(c.features.get("period_figure") for c in found), question
    found = [c for c in candidates(prepare("十二五期间城镇新增就业目标是多少？", 2011), [p], {"新增就业": 5.0})
             if "4500万人" in c.text]
    assert found and not any(c.features.get("period_figure") for c in found)


def test_an_amount_of_change_keeps_the_level_it_reaches():
    """农村居民人均纯收入增加321元，达到784元: no window ends at the change when the next clause gives the
    level (国务院 1993)."""
    from qa.answer import _line_windows
    text = "1992年同1987年相比，城镇居民人均生活费收入增加910元，达到1826元；农村居民人均纯收入增加321元，达到784元。"
    windows = list(_line_windows(text, 90, False))
    assert not any(w.endswith("增加321元，") or w.endswith("增加910元，") for w in windows)
    assert "农村居民人均纯收入增加321元，达到784元。" in windows


def test_a_rate_named_then_set_clauses_on_is_the_rate_asked():
    """物价上涨幅度比去年有明显回落，力争控制在百分之十五左右 gives the 上涨幅度 asked (its figure two
    clauses on, read from words with padding spaces); 一定三年不变 answers 几年不变 (国务院 1995, 1999)."""
    from qa.answer import CHANGE_SAID_RE, GROWTH_RE
    from qa.text import read_figures
    assert CHANGE_SAID_RE.search(read_figures("确保物价上涨幅度比去年有明显回落，力争控制在百分之十五左右。"))
    assert GROWTH_RE.search(read_figures("物价上涨幅度控制在百分之十五左右"))
    assert not CHANGE_SAID_RE.search("城镇登记失业率控制在4.5%以内")
    assert has_figure("继续实行农民合理负担定项限额，一定三年不变。") and not has_figure("保持政策不变")


def test_how_big_asks_a_quantity():
    """How big is the central government's budget deficit: a figure is asked (国务院 1999: 中央财政预算
    赤字1503亿元), as 多大 is."""
    from qa.answer import QUANTITY_RE
    assert QUANTITY_RE.search("How big is the central government's budget deficit planned for 1999?")
    assert QUANTITY_RE.search("How large were the direct economic losses from the floods?")
    assert not QUANTITY_RE.search("Who is the governor?")


def test_a_chief_executive_asked_needs_a_name_beside_the_title():
    """澳门第一任行政长官是谁 (国务院 1999): the report says the first chief executive will be elected, and
    names no one; a window naming the office without a person is no answer."""
    from qa.answer import asked_roles, names_holder
    roles = asked_roles(prepare("澳门第一任行政长官是谁？", 1999))
    assert roles == ["行政长官"]
    assert not names_holder("年中，推选委员会将选举产生澳门特别行政区第一任行政长官人选，报中央人民政府任命。", roles)
    assert names_holder("第一次由港人自己选举产生了行政长官人选董建华，随后国务院依法任命", roles)  # 国务院 1997


def test_how_often_is_answered_by_a_frequency():
    """节能减排以后国务院多久向全国人大报告一次 (国务院 2007): 每年都要报告 says how often; a window
    without a frequency does not."""
    from qa.answer import choice_has_time
    q = prepare("节能减排以后国务院多久向全国人大报告一次进展？", 2007)
    assert choice_has_time(q, "国务院以后每年都要向全国人大报告节能减排的进展情况")
    assert not choice_has_time(q, "国务院要向全国人大报告节能减排的进展情况")
    assert not choice_has_time(prepare("老旧小区改造要花多长时间？", 2019), "每年改造一批老旧小区")  # how long, not how often


def test_so_many_people_asked_is_a_count():
    """全国有多少城市居民领到了最低生活保障 (国务院 2004): 2235万城市居民得到最低生活保障 answers it,
    not 补助资金由上年46亿元增加到92亿元."""
    q = prepare("全国有多少城市居民领到了最低生活保障？", 2004)
    assert unit_ok(q, "全国2235万城市居民得到最低生活保障。")
    assert not unit_ok(q, "其中用于城市居民最低生活保障的补助资金由上年46亿元增加到92亿元。")


def test_this_years_plan_does_not_answer_last_years_result():
    """去年全国新建了多少亩高标准农田 (国务院 2020, whose review gives no figure): the part that plans
    (新建高标准农田8000万亩) is this year's figure and is declined; a window of last year covering the
    question nearly as well answers in its place."""
    from qa.answer import _unsupported, choose
    from qa.answer_model import shipped
    plan = "惩处违法违规侵占耕地行为，新建高标准农田8000万亩。"
    review = "粮食产量保持在1.3万亿斤以上，新建高标准农田8000万亩以上。"
    other = "粮食产量保持在1.3万亿斤以上，生猪生产加快恢复。"
    p_plan = _passage(plan, "二、2020年工作安排", role="plan", years=[2020])
    p_review = _passage(review, "一、2019年工作回顾", role="review", years=[2019])
    p_other = _passage(other, "一、2019年工作回顾", role="review", years=[2019])
    idf = {"高标准": 4.0, "农田": 3.0, "新建": 2.0, "粮食": 2.0}
    q = prepare("去年全国新建了多少亩高标准农田？", 2020)
    choice = choose(q, [p_plan, p_other], idf, signals=[(0.9, 10.0), (0.85, 5.0)])
    assert "8000万亩" in choice.text and choice.features["plan_for_past"]
    assert _unsupported(q, choice, shipped()) == "this year's plan, not last year's result"
    choice = choose(q, [p_plan, p_review], idf, signals=[(0.9, 10.0), (0.88, 8.0)])
    assert "8000万亩以上" in choice.text and not choice.features["plan_for_past"]
    # this year's goal asked: the plan answers
    choice = choose(prepare("今年要新建多少亩高标准农田？", 2020), [p_plan, p_other], idf, signals=[(0.9, 10.0), (0.85, 5.0)])
    assert "8000万亩" in choice.text and not choice.features["plan_for_past"]


def test_last_years_result_is_not_the_goal_recalled_for_it():
    """去年单位GDP能耗是升了还是降了 (国务院 2007): 没有实现年初确定的…能耗降低4%左右…的目标 recalls the
    goal; 单位国内生产总值能耗…转为下降1.2% says what happened and answers. A review's 涨幅控制在3.3% is
    a result, not a goal; this year's goal asked reads goals as before."""
    from qa.answer import choose, states_goal
    assert states_goal("全国没有实现年初确定的单位国内生产总值能耗降低4%左右、主要污染物排放总量减少2%的目标。")
    assert states_goal("去年我在政府工作报告中曾提出，要把全年商品零售物价上涨幅度控制在10%以内。")
    assert not states_goal("居民消费价格涨幅控制在3.3%，城镇新增就业1168万人。")
    assert not states_goal("圆满完成年初确定的主要目标任务。")
    goal = "但是，全国没有实现年初确定的单位国内生产总值能耗降低4%左右、主要污染物排放总量减少2%的目标。"
    result = "2006年，单位国内生产总值能耗由前三年分别上升4.9%、5.5%、0.2%，转为下降1.2%。"
    p_goal = _passage(goal, "一、2006年工作回顾", role="review", years=[2006])
    p_result = _passage(result, "一、2006年工作回顾", role="review", years=[2006])
    idf = {"单位": 2.0, "国内生产总值": 3.0, "能耗": 4.0, "降低": 2.0, "下降": 2.0}
    q = prepare("去年单位GDP能耗是升了还是降了，幅度多少", 2007)
    choice = choose(q, [p_goal, p_result], idf, signals=[(0.9, 10.0), (0.88, 8.0)])
    assert "1.2%" in choice.text
    choice = choose(q, [p_goal], idf, signals=[(0.9, 10.0)])
    assert "4%左右" in choice.text  # no window saying what happened: the goal's stays (and is weighed as before)


def test_a_sentence_with_no_subject_of_its_own_is_offered_with_the_one_before():
    """河北省 2006: 全省生产总值提前实现…目标。2005年，初步核算达到10116.6亿元 — the figure's sentence names no
    subject (after its year); it is offered alone and with the sentence before, which names GDP. A
    sentence with a subject of its own (人均生产总值达到1.48万元) is offered alone."""
    from qa.answer import _windows
    text = ("综合实力上了一个大台阶。全省生产总值提前实现“翻两番、三步走”第一步战略目标。"
            "2005年，初步核算达到10116.6亿元，五年平均增长11.2%。人均生产总值达到1.48万元。")
    windows = list(_windows(text, 120, False))
    assert "全省生产总值提前实现“翻两番、三步走”第一步战略目标。2005年，初步核算达到10116.6亿元，五年平均增长11.2%。" in windows
    assert "2005年，初步核算达到10116.6亿元，五年平均增长11.2%。" in windows
    assert not any(w.endswith("人均生产总值达到1.48万元。") and w != "人均生产总值达到1.48万元。" for w in windows)
    q = prepare("去年河北GDP多少？", 2006)
    assert unit_ok(q, "全省生产总值提前实现“翻两番、三步走”第一步战略目标。2005年，初步核算达到10116.6亿元，")


def test_a_span_up_to_now_is_not_the_year_planned():
    """今年准备发行多少长期国债 (国务院 2000): 两年来…发行2100亿元长期国债, in the part that plans, is what
    the years before did; 一是发行1000亿元长期国债 is this year's plan and answers."""
    from qa.answer import choose
    past = "从国债投资的效果看，两年来通过财政向银行发行2100亿元长期国债，带动4200多亿元银行贷款和自筹资金。"
    plan = "今年继续实行积极财政政策的主要内容，包括以下几个方面。一是发行1000亿元长期国债，重点投向水利、交通。"
    section = "二、坚持实行扩大内需的方针 > 继续实施积极的财政政策"
    p_past = _passage(past, section, role="plan", years=[2000])
    p_plan = _passage(plan, section, role="plan", years=[2000])
    idf = {"发行": 3.0, "长期": 3.0, "国债": 4.0, "准备": 2.0}
    choice = choose(prepare("今年准备发行多少长期国债？", 2000), [p_past, p_plan], idf,
                    signals=[(0.9, 10.0), (0.88, 9.0)])
    assert "1000亿元" in choice.text and not choice.features.get("year_clash")
    # the years before asked: the span is what they did
    choice = choose(prepare("这两年一共发行了多少长期国债？", 2000), [p_past, p_plan], idf,
                    signals=[(0.9, 10.0), (0.88, 9.0)])
    assert "2100亿元" in choice.text


def test_an_expansion_asked_is_a_change_and_a_range_is_a_rate():
    """去年大学扩招了多少 → 招生规模比上年扩大47.4%; 十五期间GDP每年平均要涨多少 → 年均增长率要达到8—9%."""
    assert ok("去年大学扩招了多少", "普通高等学校招生规模比上年扩大47.4%，增幅之大是多年来没有的。")
    from qa.answer import CHANGE_SAID_RE, GROWTH_RE
    assert GROWTH_RE.search("全省国内生产总值年均增长8—9%")
    assert CHANGE_SAID_RE.search("全省国内生产总值年均增长率要达到8—9%")
    assert not CHANGE_SAID_RE.search("粮食产量达到1600亿斤")


def test_a_part_asking_only_how_it_is_averaged_borrows_the_subject():
    """农民人均纯收入去年涨了多少，九五期间平均每年涨多少: 平均每年 names no subject; the second part asks
    about 农民人均纯收入 too. 今明两年 is this year and the next."""
    from qa.query import has_subject, relative_offsets
    assert not has_subject("九五期间平均每年涨多少")
    assert "纯收入" in carry_subject("农民人均纯收入去年涨了多少", "九五期间平均每年涨多少")
    assert has_subject("九五期间定的年均增速又是多少")  # 年均增速: the growth rate of the economy
    assert relative_offsets("今明两年又要扩招多少") == (0, 1)


def test_a_period_set_against_the_one_before_is_its_sum():
    """去年一年全社会固定资产投资是多少 (河北省 2001): in the review of “九五”, 全社会完成固定资产投资7950亿元，
    比“八五”增长1.9倍 is the five years' sum, not 2000's, and is declined; 全部财政收入完成1035.2亿元 in
    河北省 2006's review of “十五” is the last year's level and answers."""
    from qa.answer import _unsupported, choose
    from qa.answer_model import shipped
    summed = "全社会完成固定资产投资7950亿元，比“八五”增长1.9倍。新增发电装机370万千瓦。"
    p = _passage(summed, "一、“九五”回顾 > 1、国民经济保持较快增长", role="review_multi",
                years=[1996, 1997, 1998, 1999, 2000])
    idf = {"全社会": 3.0, "固定资产": 3.0, "投资": 2.0}
    q = prepare("去年一年全社会固定资产投资是多少？", 2001)
    choice = choose(q, [p], idf, signals=[(0.9, 10.0)])
    assert choice.features.get("period_figure")
    assert _unsupported(q, choice, shipped()) == "about several years"
    level = "全部财政收入完成1035.2亿元，其中一般预算收入515.7亿元。"
    p = _passage(level, "一、“十五”回顾", role="review_multi", years=[2001, 2002, 2003, 2004, 2005])
    choice = choose(prepare("2005年全部财政收入是多少", 2006), [p], {"财政收入": 3.0, "全部": 1.0},
                    signals=[(0.9, 10.0)])
    assert not choice.features.get("period_figure")


def test_a_window_filling_the_asked_slot_answers_what_and_which():
    """以什么为重点 → 以公路建设为重点; 从什么型转向什么型 → 从粗放型向集约型转变; 支柱产业是哪几个 → 振兴机械、
    电子…等支柱产业 (国务院 1996/2000). 在哪些项目上: 在…上 frames too much; a list answers 哪些项目."""
    from qa.answer import choose, fills_slot
    assert fills_slot("西部大开发搞基础设施以什么为重点？", "以公路建设为重点，加强铁路、机场的建设。")
    assert fills_slot("经济增长方式要从什么型转向什么型", "经济增长方式从粗放型向集约型转变")
    assert fills_slot("先在哪些地方试点？", "这项工作先在东部沿海地区和具备条件的城市进行试点")
    assert not fills_slot("经济增长方式要从什么型转向什么型", "经济增长方式转变，要处理好速度和效益的关系")
    assert not fills_slot("今年国债的钱先花在哪些项目上？", "银行要优先为国债项目提供配套贷款")
    assert fills_slot("今年国债的钱先花在哪些项目上？", "首先用于续建项目、收尾项目", items=True)
    assert not fills_slot("今年国债的钱先花在哪些项目上？", "增强自主开发和创新能力", items=True)
    text = ("要根据市场需求，振兴机械、电子、石油化工、汽车和建筑等支柱产业，以带动整个经济的增长。"
            "发展支柱产业，要提高技术起点，在引进先进技术的同时，增强自主开发和创新能力。")
    p = _passage(text, "三、“九五”时期的主要任务", role="outlook", years=[1996])
    idf = {"支柱产业": 4.0, "发展": 1.0, "重点": 1.5, "振兴": 3.0}
    choice = choose(prepare("要重点发展的支柱产业是哪几个？", 1996), [p], idf, signals=[(0.9, 10.0)])
    assert "机械、电子" in choice.text


def test_a_sentence_pointing_back_is_offered_with_the_one_before():
    """国务院 2000: 逐步使下岗职工…转向享受失业保险…。这项工作先在东部沿海地区…试点 — 这项工作 is the sentence
    before's; 一是加快基础设施建设。以公路建设为重点，… names only the task's focus. Each is offered with
    the sentence before; a sentence with a subject of its own is not."""
    from qa.answer import _windows
    text = "逐步使下岗职工转向享受失业保险。这项工作先在东部沿海地区进行试点，总结经验后稳步推开。"
    windows = list(_windows(text, 120, False))
    assert "逐步使下岗职工转向享受失业保险。这项工作先在东部沿海地区进行试点，" in windows
    text = "一是加快基础设施建设。以公路建设为重点，加强铁路、机场的建设。二是搞好生态环境保护。"
    windows = list(_windows(text, 120, False))
    assert "一是加快基础设施建设。以公路建设为重点，加强铁路、机场的建设。" in windows
    assert not any(w.startswith("以公路建设为重点，加强铁路、机场的建设。二是") for w in windows)
    assert not any(w.startswith("一是") and "生态环境" in w for w in windows)


def test_a_plan_period_is_a_time():
    """广东跨市的断头路什么时候能打通 (广东 2026): “十五五”内争取尽早消除跨市域“断头路” says by when; a
    sentence naming no time does not."""
    from qa.answer import choice_has_time
    q = prepare("广东跨市的断头路什么时候能打通？", 2026)
    assert choice_has_time(q, "推进城市公交和道路客运创新融合发展，“十五五”内争取尽早消除跨市域“断头路”")
    assert not choice_has_time(q, "推进城市公交和道路客运创新融合发展，争取尽早消除跨市域“断头路”")


def test_an_output_asked_is_not_an_area():
    """去年粮食产了多少 (黑龙江 2026): 水肥一体化面积达到7182.7万亩…粮食单产刷新历史纪录 gives areas;
    粮食总产量1640.06亿斤 gives the output. An area asked (播种面积有多少) still takes 亩."""
    assert not ok("去年粮食产了多少？", "大垄密植、水肥一体化面积达到7182.7万亩，高质量建成高标准农田1169万亩，粮食单产刷新历史纪录。")
    assert ok("去年粮食产了多少？", "粮食总产量1640.06亿斤，城镇新增就业35.8万人。")
    assert ok("去年粮食播种面积有多少？", "粮食播种面积稳定在2.2亿亩以上，产量1640.06亿斤。")


def test_a_quoted_terms_meaning_is_offered_as_its_whole_sentence():
    """“543”体系指的是什么 (广西 2026): the sentence names five, four and three things after the term; a
    window of four clauses stopped before the third. A quoted term's meaning is offered as the whole
    sentence, as a list is."""
    from qa.answer import choose
    text = ("运用好“543”体系，牢固树立“对标对表、解放思想、马上就办、攻坚克难、久久为功”五种意识，用好“清单工作法、"
            "一线工作法、专班工作法、闭环工作法”四个方法，健全“考核激励、容错纠错、能上能下”三项机制。")
    p = _passage(text, "三、2026年工作安排", role="plan", years=[2026])
    choice = choose(prepare("“543”体系指的是什么？", 2026), [p], {"体系": 2.0, "543": 5.0}, signals=[(0.9, 10.0)])
    assert "五种意识" in choice.text and "三项机制" in choice.text
