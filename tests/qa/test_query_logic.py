"""Query preparation, follow-ups and decline checks: pure logic, no model."""
import pytest

from qa.answer import _weights, abbreviated, asked_roles, clauses, missing_terms, names_holder, unit_ok
from qa.followup import contextualize, is_follow_up
from qa.query import (expansions, matched_phrases, place_spellings, plan_periods, prepare, question_years, romanized_places,
                      split_question, sub_queries, thesaurus)
from qa.text import add_words, normalize, tokenize


@pytest.mark.parametrize("question, term", [
    ("去年GDP多少？", "地区生产总值"),
    ("托儿所名额有多少", "托育"),
    # older reports' words: 电话 for 座机, 零售物价 for 通胀, 温饱 for 吃饱穿暖 (国务院 1992–1994)
    ("去年家里新装座机的有多少户", "电话"),
    ("去年通胀率是多少？", "零售物价"),
    ("扶贫计划打算让多少穷人吃饱穿暖？", "温饱"),
    # an English word reaches the words reports use for it (旅游接待人数 for tourist arrivals)
    ("What is the target for tourist arrivals this year?", "旅游接待"),
    ("What urbanization rate does Hebei aim to reach by 2010?", "城市化率"),
    ("What was Liyang's GDP?", "地区生产总值"),
    ("去年国企利润涨了多少？", "国有企业"),
    ("退休工资去年又涨了吗？", "养老金"),
    ("去年网购销售额增长了多少？", "网络消费"),  # 网络消费零售额 (河北省 2023)
    ("去年农村合作医疗的参保率是多少？", "参合率"),  # 新农合's rate (海拉尔区)
    ("去年改造了多少户破旧老房子？", "棚户区"),
    ("夏天有没有停电限电？", "拉闸限电"),
    ("公车、公款吃喝这些花销去年砍了多少？", "三公经费"),
    ("去年让多少农村人喝上了干净的水？", "安全饮水"),
    # round 39: CPI for 物价, 助老餐厅 for 老年食堂, 冬煤 for 烧煤, 就业 for 有工作, 保障性安居工程 for
    # 盖房子, 三农 and 高标准农田 for their English names
    ("今年物价涨幅打算控制在多少", "CPI"),
    ("去年建了多少个老年食堂？", "助老餐厅"),
    ("去年给农牧民冬天烧煤补了多少钱？", "冬煤"),
    ("去年城里多了多少人有工作", "就业"),
    ("今年国家拿多少钱给低收入家庭盖房子？", "保障性安居工程"),
    ("How much went to agriculture, rural areas and farmers?", "三农"),
    ("How many mu of high-standard farmland were built?", "高标准农田"),
    ("政府公款吃喝那些开销今年还要压多少？", "三公"),  # “三公”经费: the quotes split 三公经费
    ("那家医院今年能开业吗", "运营"),
    ("去年卖到国外的东西增长了多少？", "出口"),
    # round 40: 超低排放, 一般工商业 (电价), 环卫, 农业转移人口, 民生支出 for everyday words
    ("What share of coal-fired power units reached ultra-low emissions?", "超低排放"),
    ("开店办厂的电费今年能降多少", "一般工商业"),
    ("扫大街的工人工资去年涨了多少？", "环卫"),
    ("农民进城落户这事，今年政府怎么打算？", "农业转移人口"),
    ("去年政府花在老百姓吃穿住行上的钱一共多少？", "民生支出"),
    ("How many Beijing-Tianjin-Hebei projects were signed?", "京津冀"),
    ("孩子上幼儿园最后一年还要交钱吗？", "学前一年"),
    ("去年政府帮老百姓省了多少办丧事的钱？", "殡葬"),
    ("今年想生二胎的话，政策放开了没？", "两个孩子"),
    ("去年有多少农民工在家门口找到活干？", "就近"),
    ("小宝宝的托育位置去年多了几个？", "托位"),
    ("去年工厂和商铺的电费降了多少？", "工商业"),
])
def test_thesaurus_expands_everyday_and_english_words(question, term):
    """An everyday or English word reaches the words reports use for it."""
    assert term.lower() in [t.lower() for t in expansions(question)]


def test_words_reports_use_themselves_need_no_expansion():
    assert expansions("经济运行整体向好") == []


def test_relative_years_follow_the_report_year():
    assert question_years("去年新增了多少", 2025) == (2024,)
    assert question_years("今年目标是多少", 2025) == (2025,)
    assert question_years("2023年的目标", 2025) == (2023,)
    assert question_years("去年GDP", None) == ()
    assert question_years("1996年全国财政收入是多少", 2003) == (1996,)  # an older report reviews the 1990s
    assert question_years("新增1500万人", 2003) == ()  # a count, not a year
    # the year a change is measured from is not asked about (the years since are)
    assert question_years("2000年底外汇储备比1995年底多了多少", 2001) == (2000,)
    assert question_years("比1995年底增加了多少", 2001) == ()


def test_compound_questions_split():
    assert split_question("去年新增了多少家？今年目标又是多少家？") == ["去年新增了多少家？", "今年目标又是多少家？"]
    assert split_question("去年GDP多少？") == ["去年GDP多少？"]


def test_two_subjects_each_asked_an_amount_are_two_questions():
    """国务院 2007: 就业再就业 and 城市低保 are two sentences, and one window quoted only one figure. Sides
    of one statistic (农村和城镇居民收入) are given in one sentence and stay one question."""
    assert split_question("去年中央财政给就业再就业和城市低保各拿了多少钱？") == [
        "去年中央财政给就业再就业拿了多少钱？", "去年中央财政给城市低保拿了多少钱？"]
    assert split_question("去年GDP和财政收入各是多少？") == ["去年GDP是多少？", "去年财政收入是多少？"]
    assert split_question("去年中央财政安排的就业再就业资金和城市低保补助资金分别是多少？") == [
        "去年中央财政安排的就业再就业资金是多少？", "去年中央财政安排的城市低保补助资金是多少？"]
    for one in ("农村和城镇居民收入分别增长多少？", "城镇和农村居民人均可支配收入分别是多少？", "出口和进口各增长多少？",
                "“7+5+N”里的7和5分别指什么？"):
        assert split_question(one) == [one]


def test_follow_up_borrows_the_previous_subject_without_its_time():
    history = [{"role": "user", "content": "去年GDP多少？"}, {"role": "assistant", "content": "1650亿元"}]
    assert is_follow_up("那今年的目标呢？")
    q = contextualize("那今年的目标呢？", history)
    assert "gdp" in q.lower() and "去年" not in q
    assert contextualize("今年要新增几个托班？", history) == "今年要新增几个托班？"
    assert contextualize("那今年的目标呢？", None) == "那今年的目标呢？"


def test_missing_names_and_years_are_hard_misses():
    corpus = normalize("溧阳市地区生产总值突破1650亿元。2024年工作回顾。2025年工作安排。")
    hard, _ = missing_terms(prepare("上海去年GDP是多少？", 2025), corpus)
    assert "上海" in hard
    hard, _ = missing_terms(prepare("溧阳2026年的GDP目标是多少？", 2025), corpus)
    assert "2026" in hard
    hard, soft = missing_terms(prepare("去年GDP多少？", 2025), corpus)
    assert hard == []
    # jieba's dictionary lists 太冷 as a place: an adverb and an adjective are not one
    hard, soft = missing_terms(prepare("山区学校冬天太冷，今年有装暖气的安排吗？", 2025), corpus)
    assert hard == [] and "太冷" in soft  # 山区 is a kind of area, not a name, though this corpus lacks it
    hard, _ = missing_terms(prepare("太原去年GDP是多少？", 2025), corpus)
    assert "太原" in hard
    # a well-known name of three characters is still a name, however often jieba has counted it
    hard, _ = missing_terms(prepare("外交部长钱其琛在报告里被提到了吗？", 1995), corpus)
    assert "钱其琛" in hard
    # a name after the office it holds is a name, whatever its surname (倪 is not among the commonest)
    hard, _ = missing_terms(prepare("省委书记倪岳峰在报告里提了什么要求？", 2026), corpus)
    assert "倪岳峰" in hard
    hard, _ = missing_terms(prepare("今年有什么高峰论坛？", 2025), corpus)
    assert "高峰" not in hard  # two characters counted hundreds of times: a word, not a name
    # a compound whose two halves the report writes is shorthand, not a name it never mentions
    said = normalize("《澳门特别行政区基本法（草案）》已经公布。香港回归。")
    hard, soft = missing_terms(prepare("澳门基本法预计什么时候完成起草？", 1992), said)
    assert "澳门基本法" not in hard and "澳门基本法" in soft


def test_a_part_going_on_about_someone_the_report_never_names_is_declined_too():
    """外交部长钱其琛在报告里被提到了吗？他负责什么工作？: the second part asks about him."""
    from embeddings.chunking import Passage
    from qa.answer import compose
    text = "负责“米袋子”就是负责本省的粮食供应，这就要求保证种植面积。"
    p = Passage("d", text, "二、促进国民经济发展", 0, len(text), role="plan", years=[1995])
    q = prepare("外交部长钱其琛在报告里被提到了吗？他负责什么工作？", 1995)
    assert compose(q, [p], {"负责": 2.0, "工作": 1.0}, normalize(text)).declined


def test_amount_questions_need_a_number_in_the_asked_unit():
    q = prepare("一般公共预算收入总共是多少亿元？")
    assert not unit_ok(q, "一般公共预算收入增长5.1%")
    assert unit_ok(q, "一般公共预算收入达到60亿元")
    assert unit_ok(prepare("今年帮扶困难群众要用好哪个平台？"), "运用好“全漂助”智慧救助平台")


def test_ratio_colons_do_not_split_clauses():
    assert clauses("城乡居民收入比为1.72:1，贷款余额增长21.58%。") == ["城乡居民收入比为1.72:1，", "贷款余额增长21.58%。"]


def test_who_questions_need_a_person_named_beside_the_office():
    q = prepare("溧阳市长是谁？")
    assert "市长" in asked_roles(q)
    assert names_holder("市长周永强出席会议", asked_roles(q))
    assert not names_holder("市长热线接到群众来电", asked_roles(q))
    assert asked_roles(prepare("溧阳市长热线电话是多少？")) == []  # not a "who" question
    assert "部长" in asked_roles(prepare("报告里提到的教育部长叫什么？"))  # 叫什么 asks the name too
    assert asked_roles(prepare("这个工程叫什么？")) == []


def test_which_ones_is_not_an_amount_question():
    q = prepare("“三个一体”是哪几个？")
    assert unit_ok(q, "厂站网一体、建管运一体、城与乡一体")  # no number needed for 哪几个


def test_money_and_rate_questions_need_a_figure_of_that_kind():
    price = prepare("天目湖景区门票多少钱？")
    assert not unit_ok(price, "90年代初将沙河水库打造成天目湖景区")
    assert unit_ok(price, "天目湖景区门票120元")
    rate = prepare("去年城镇登记失业率是多少？")
    assert not unit_ok(rate, "扶持再就业和创业5400人")
    assert unit_ok(rate, "城镇登记失业率1.8%")
    assert unit_ok(prepare("城乡居民收入比是多少？"), "城乡居民收入比为1.72:1")


def test_everyday_words_reach_the_reports_words():
    """Round 35: 买不起房 → 经济适用住房/廉租房, 出去打工的 → 富余劳动力, 脱贫 → 减少贫困人口, an airport's
    passengers → 吞吐量…人次; 怎么搞 asks how, 搞 is no word to match (搞活)."""
    assert {"经济适用住房", "廉租房"} <= set(expansions("买不起房的穷人国家怎么管？"))
    assert "富余劳动力" in expansions("这几年农民出去打工的有多少？")
    assert "减少贫困人口" in expansions("十五期间脱贫了多少人")
    assert {"吞吐量", "人次"} <= set(expansions("How many passengers did the airport handle?"))
    assert "搞" not in tokenize("电力体制改革要怎么搞？")


def test_words_the_thesaurus_translates_are_not_missing():
    corpus = normalize("2024年，固投增长3%，工业入库税收增长11.9%。")
    hard, soft = missing_terms(prepare("去年固定资产投资涨了几个点？", 2025), corpus)
    assert hard == [] and soft == []
    hard, soft = missing_terms(prepare("固定资产投资和床位各多少？", 2025), corpus)
    assert soft == ["床位"] and "固定资产" not in hard


def test_question_words_the_report_never_uses_do_not_dilute_coverage():
    idf = {"固投": 3.0, "增长": 1.0, "工业": 1.0}
    w = _weights(prepare("去年固定资产投资涨了几个点？", 2025), idf, [])
    assert "点" not in w and "涨" not in w
    # 固定资产投资 reaches the report as its thesaurus term 固投: one alternative with the phrase
    assert any(v > 0 and (k == "固投" or (isinstance(k, tuple) and "固投" in k)) for k, v in w.items())


def test_compound_questions_split_at_commas_when_both_sides_ask():
    assert split_question("高标准农田去年改新建了多少，今年又要建多少") == ["高标准农田去年改新建了多少", "今年又要建多少"]
    assert split_question("新增城镇就业、城镇调查失业率分别是多少") == ["新增城镇就业、城镇调查失业率分别是多少"]
    assert split_question("去年关停了多少个锅炉，今年要完成多大面积的供热改造？") == [  # 多大 asks too
        "去年关停了多少个锅炉", "今年要完成多大面积的供热改造？"]
    assert split_question("托育这块，去年新增了多少托位，今年打算新增多少托班？") == [
        "托育这块，去年新增了多少托位", "今年打算新增多少托班？"]  # a lead-in is context, not a question


def test_places_and_people_the_report_never_names_are_hard_misses():
    corpus = normalize("溧阳市地区生产总值突破1650亿元。南渡镇获评国家农业产业强镇。实施“智改数转网联”三年行动。")
    assert "金坛区" in missing_terms(prepare("金坛区去年地区生产总值是多少", 2025), corpus)[0]
    assert missing_terms(prepare("溧阳哪个镇被评为国家农业产业强镇？", 2025), corpus)[0] == []
    # jieba tags 智能化 as a person's name; a name must start with a surname
    assert missing_terms(prepare("要实施哪个三年行动来推动企业智能化改造？"), corpus)[0] == []
    # jieba's dictionary tags 高峰 a name too, but counts it far too often for one; 李克强 is a name
    assert missing_terms(prepare("去年夏天用电高峰有没有停电？"), corpus)[0] == []
    assert missing_terms(prepare("李克强是谁？"), corpus)[0] == ["李克强"]


def test_a_province_the_report_names_only_within_a_region_is_no_hard_miss():
    # 天津 is in 京津冀: a question about seeing a doctor in Tianjin is about what the report covers
    corpus = normalize("与京津共建8个国家区域医疗中心，全面取消京津冀异地就医备案。")
    hard, soft = missing_terms(prepare("在北京天津看病，还要先办异地备案手续吗？", 2024), corpus)
    assert "天津" not in hard and "天津" in soft
    assert "广东" in missing_terms(prepare("在广东看病要备案吗？", 2024), corpus)[0]
    # a name whose characters the report writes in order, a few apart, is its short form
    corpus2 = normalize("酝酿多年的农村信用社改革开始在8个省(市)试点。")
    hard, soft = missing_terms(prepare("去年农信社改革先在几个省试点的？", 2004), corpus2)
    assert "农信社" not in hard and "农信社" in soft
    assert abbreviated("农信社", corpus2) and not abbreviated("农信社", normalize("农村的信用体系和合作社"))
    # a one-character name met outside a region (江苏新增…) excuses nothing
    assert "新疆" in missing_terms(prepare("新疆去年GDP多少？", 2024), normalize("江苏新增就业10万人。"))[0]


def test_english_thesaurus_words_match_their_plurals():
    assert "农村居民" in expansions("How much do farmers earn per person?")
    assert "人均" in expansions("How much do farmers earn per person?")


def test_report_terms_are_cut_as_whole_words_once_known():
    add_words(["托班"])
    assert "托班" in tokenize("今年计划新增多少个托班")


def test_a_later_part_without_a_subject_borrows_the_first_parts_nouns_not_its_verbs():
    from qa.query import carry_subject
    carried = carry_subject("高标准农田去年改新建了多少", "今年又要建多少")
    assert "农田" in carried and "改" not in carried.split()
    assert carry_subject("去年GDP增长了多少", "今年目标又是多少？").endswith("gdp增长")
    assert carry_subject("去年GDP多少", "今年一般公共预算收入目标多少") == "今年一般公共预算收入目标多少"
    # who spends is not what is asked about: 今年中央安排多少 borrows 社会保障
    assert "社会保障" in carry_subject("社会保障这块，过去五年全国财政花了多少", "今年中央安排多少？")
    assert "三农" in carry_subject("今年中央财政三农投入安排多少？", "整个十一五累计投了多少？")
    # an English target, like 目标, frames the figure of the part before (河北省 2010, round 39)
    assert "foreign capital" in carry_subject("How much foreign capital did Hebei use in 2009",
                                              "and what is the 2010 target?")
    carried = carry_subject("How much did the central government put into quake reconstruction last year",
                            "and how much more this year?")
    assert "reconstruction" in carried.split() and "last" not in carried.split()


def test_each_part_of_a_compound_question_keeps_its_own_time():
    """十四五期间…多少？今年的目标呢？: the first part asks about 2021–2025, the second about 今年;
    a part that names no time (增长了多少？) keeps the time of the part before it."""
    parts = sub_queries(prepare("十四五期间城镇新增就业多少人？今年的目标呢？", 2026))
    assert parts[0].year_fit((2021, 2022, 2023, 2024, 2025), 2026) == 1 and parts[0].year_fit((2026,), 2026) == -1
    assert parts[1].year_fit((2026,), 2026) == 1 and parts[1].year_fit((2025,), 2026) == -1
    follow = sub_queries(prepare("去年GDP是多少？增长了多少？", 2026))
    assert [p.years for p in follow] == [(2025,), (2025,)]


def test_plan_periods_and_the_present_name_years():
    assert plan_periods("“十四五”期间建了多少") == (2021, 2022, 2023, 2024, 2025)
    assert plan_periods("What GDP growth is targeted for the 15th Five-Year Plan period?") == (2026, 2027, 2028, 2029, 2030)
    assert plan_periods("the 10th five-year plan") == (2001, 2002, 2003, 2004, 2005)
    assert question_years("现在一共有多少个公园", 2026) == (2021, 2022, 2023, 2024, 2025)
    assert question_years("过去五年新增就业多少", 2025) == (2020, 2021, 2022, 2023, 2024)
    assert prepare("现在有多少", 2026).year_fit((2026,), 2026) == -1  # what is there now is not the plan
    # a bare 五年 or 这些年 in a question is the years the report looks back on, not a plan's
    assert question_years("易地扶贫搬迁五年搬了多少人", 2018) == (2013, 2014, 2015, 2016, 2017)
    assert question_years("这些年累计减了多少税", 2018) == (2013, 2014, 2015, 2016, 2017)
    assert question_years("今后五年要建多少", 2023) == (2023, 2024, 2025, 2026, 2027)
    assert question_years("往后几年每年打算涨多少", 2017) == (2017, 2018, 2019, 2020, 2021)
    assert question_years("What will it grow by over the next few years?", 2017) == (2017, 2018, 2019, 2020, 2021)
    assert question_years("第一个五年规划是哪年", 2023) == ()


def test_a_question_mark_part_with_two_asking_clauses_splits_again():
    """找工作怎么样？去年…多少，今年目标多少？ is three questions; the last borrows the subject of
    the nearest part before it that has one, not the first part's."""
    q = prepare("找工作的情况怎么样？去年城镇新增就业多少，今年目标多少？", 2023)
    assert q.parts == ["找工作的情况怎么样？", "去年城镇新增就业多少", "今年目标多少？"]
    last = sub_queries(q)[-1]
    assert "就业" in last.text and last.years == (2023,)


def test_cumulative_is_a_frame_word_not_a_subject_to_borrow():
    from qa.query import carry_subject
    assert "累计" not in carry_subject("营改增这些年累计减了多少税？", "今年还要再减多少？").split()


def test_thesaurus_phrases_are_listed_once():
    phrases = [p for p, _ in thesaurus()]
    assert len(phrases) == len(set(phrases))


def test_an_income_or_spending_level_is_an_amount_of_money():
    """农村居民人均可支配收入是多少 is not answered by 居民人均可支配收入年均增长6% (a rate, not 元)."""
    q = prepare("去年农村居民人均可支配收入是多少？", 2026)
    assert not unit_ok(q, "新增农村劳动力转移就业246.2万人，居民人均可支配收入年均增长6%。")
    assert unit_ok(q, "农村居民人均可支配收入23000元、增长6.5%。")


def test_hyphenated_english_phrases_match_as_typed():
    from qa.query import matched_phrases
    assert "high-tech" in dict(matched_phrases("What is the target for high-tech enterprises?"))
    assert "high-speed rail" in dict(matched_phrases("Will a high-speed rail station open?"))
    bonds = dict(matched_phrases("How much in local government special-purpose bonds is planned for this year?"))
    assert "专项债券" in bonds["special purpose bond"].split() and bonds["local government"] == "地方政府"


def test_a_year_the_report_writes_in_chinese_numerals_is_not_missing():
    corpus = normalize("在此基础上再奋斗五年，到二〇三五年基本建成社会主义现代化大都市，城市品质全面提升。")
    hard, _ = missing_terms(prepare("到2035年要基本建成一个什么样的城市？", 2026), corpus)
    assert hard == []
    hard, _ = missing_terms(prepare("到2030年要建成什么？", 2026), corpus)
    assert hard == ["2030"]


def test_jieba_guesses_are_not_names_the_report_lacks():
    corpus = normalize("新增普惠性养老床位2000个。节约治丧费用3亿元。广东健儿在第十九届亚运会勇夺30枚金牌。")
    # 多少/张普惠: a measure word fused into a guessed person's name
    assert missing_terms(prepare("今年要增加多少张普惠性养老床位？", 2026), corpus)[0] == []
    # 老百姓/省了: a common word before 省 is no unknown province
    assert missing_terms(prepare("去年政府帮老百姓省了多少办丧事的钱？", 2026), corpus)[0] == []
    # 杭州/亚运会: a place naming an event the report calls otherwise
    assert missing_terms(prepare("广东健儿在杭州亚运会拿了多少块金牌？", 2026), corpus)[0] == []
    # 钱能/钱建: the noun 钱 and a verb run together into a guessed name
    assert missing_terms(prepare("企业退休老人的养老钱能按时发吗？", 2026), corpus)[0] == []
    assert missing_terms(prepare("今年中央拿多少钱建廉租房？", 2026), corpus)[0] == []
    # a place the report never names still is missing
    assert missing_terms(prepare("聊城市去年GDP是多少？", 2026), corpus)[0] == ["聊城市"]
    assert missing_terms(prepare("金坛区去年地区生产总值是多少", 2026), corpus)[0] == ["金坛区"]


def test_an_english_word_inside_a_phrase_that_reaches_the_report_is_not_missing():
    corpus = normalize("新增市场经营主体18.1万户，总量突破106万户。")
    hard, _ = missing_terms(prepare("How many new market entities were added last year?", 2025), corpus)
    assert hard == []  # "entities" alone is 市场主体; "market entities" reaches 经营主体


def test_two_years_asked_side_by_side_are_two_questions():
    assert split_question("去年和今年社会消费品零售总额的增速分别是多少？") == [
        "去年社会消费品零售总额的增速是多少？", "今年社会消费品零售总额的增速是多少？"]
    assert split_question("2023年与2024年GDP各是多少") == ["2023年GDP是多少", "2024年GDP是多少"]
    assert split_question("今年比去年和前年都高吗") == ["今年比去年和前年都高吗"]  # a comparison
    assert [q.years for q in sub_queries(prepare("去年和今年的新增就业分别是多少", 2024))] == [(2023,), (2024,)]


def test_a_bare_magnitude_is_a_figure_and_a_difference_is_not_a_level():
    target = prepare("跨境电商今年目标是多少？", 2024)
    assert unit_ok(target, "力争跨境电商进出口规模突破万亿元。")
    assert not unit_ok(target, "加强海外仓布局，发展跨境电商。")
    jobs = prepare("今年城镇新增就业目标多少？", 2017)
    assert not unit_ok(jobs, "城镇新增就业预期目标比去年多100万人")
    assert unit_ok(jobs, "城镇新增就业1100万人以上")
    assert unit_ok(prepare("今年就业目标比去年多了多少？", 2017), "城镇新增就业预期目标比去年多100万人")


def test_how_many_pieces_of_something_is_not_a_price():
    medals = prepare("广东健儿在亚运会拿了多少块金牌？", 2024)
    assert unit_ok(medals, "广东健儿在第十九届亚运会勇夺30枚金牌")
    assert not unit_ok(prepare("低保一个月能领多少块？", 2024), "低保对象增加3000人")


def test_a_place_the_question_names_must_be_beside_the_figure():
    """广州去年GDP增长了多少 of a 广东 report: the province's 增长4.8% is not 广州's, though 广州 is
    named in the next clause; with no other place in the passage the figure stands."""
    q = prepare("广州去年GDP增长了百分之几？", 2024)
    passage = "地区生产总值达到13.57万亿元、增长4.8%，广州经济总量突破3万亿元"
    assert not unit_ok(q, "地区生产总值达到13.57万亿元、增长4.8%", passage=passage)
    assert unit_ok(q, "广州地区生产总值增长4.6%", passage="广州地区生产总值增长4.6%")
    assert unit_ok(prepare("去年GDP增长了百分之几？", 2024), "地区生产总值达到13.57万亿元、增长4.8%", passage=passage)
    # a place named without a figure of its own is the subject of the clauses after it
    shuttle = prepare("庆阳数据中心集群算力规模现在有多大？", 2026)
    passage = "庆阳数据中心集群建设提速，算力规模达到6.5万P"
    assert unit_ok(shuttle, "算力规模达到6.5万P", passage=passage)


def test_an_english_word_inside_a_longer_phrase_is_that_phrases():
    """deficit-to-GDP ratio asks 赤字率: its GDP does not also bring 国内生产总值 in (the main targets
    passage, which names GDP's target, answered it at first sight of 国务院 2014 in round 16)."""
    from qa.query import matched_phrases
    found = dict(matched_phrases("What deficit-to-GDP ratio is planned for this year?"))
    assert "deficit-to-gdp" in found and "gdp" not in found
    assert "国内生产总值" not in expansions("What deficit-to-GDP ratio is planned for this year?")
    assert "gdp" in dict(matched_phrases("What is the deficit and the GDP target?"))  # apart: both asked


def test_these_few_years_is_a_time_not_an_amount():
    q = prepare("这几年哪几家大银行完成股份制改造上市了？")
    assert unit_ok(q, "中国工商银行、中国银行、中国建设银行和交通银行完成股份制改造并成功上市")
    assert not unit_ok(prepare("今年要建几座桥？"), "加快桥梁建设")


def test_a_later_part_asking_what_is_planned_borrows_the_subject():
    """过去五年…一共多少，今年安排多少: 安排 frames the question like 计划, it is not its subject (the
    thesaurus teaches jieba 安排 as a noun, as every system does when it starts)."""
    add_words(["安排"])
    parts = sub_queries(prepare("中央财政的科技投入，过去五年一共多少，今年安排多少？", 2008))
    assert len(parts) == 2 and "科技" in parts[1].text


def test_a_thesaurus_phrase_across_a_words_edge_is_not_matched():
    """排多少 (a ranking: 第, 位) is not in 安排多少; 看病 is in 农村看病报销."""
    assert not [p for p, _ in matched_phrases("今年又安排多少？") if p == "排多少"]
    assert "看病" in [p for p, _ in matched_phrases("农村看病报销")]


def test_the_ninth_and_tenth_plans_are_read_only_where_they_name_a_period():
    from qa.query import plan_periods
    assert plan_periods("“十五”期间GDP年均增长多少？") == (2001, 2002, 2003, 2004, 2005)
    assert plan_periods("“九五”时期") == (1996, 1997, 1998, 1999, 2000)
    assert plan_periods("十五五规划") == (2026, 2027, 2028, 2029, 2030)
    assert plan_periods("第十五届人大") == () and plan_periods("十五个项目") == ()


def test_five_years_asked_of_a_report_of_one_year_is_a_hard_miss():
    """过去五年 is answered from a report that looks back over five years, never from one year's figure."""
    one_year = normalize("2016年，地区生产总值完成303.6亿元，同比增长7.2%。")
    five_years = normalize("过去五年，地区生产总值年均增长6.1%。")
    plan_period = normalize("“十三五”时期，地区生产总值年均增长6.1%。")
    asked = prepare("过去五年地区生产总值年均增长多少？", 2017)
    assert "过去五年" in missing_terms(asked, one_year)[0]
    assert missing_terms(asked, five_years)[0] == [] and missing_terms(asked, plan_period)[0] == []
    assert missing_terms(prepare("去年地区生产总值增长多少？", 2017), one_year)[0] == []
    # 粮食生产连续五年获得丰收 speaks of the five years too (河北省 2009)
    in_a_row = normalize("粮食生产连续五年获得丰收，全年粮食总产量可达到2903万吨。")
    assert missing_terms(prepare("过去五年粮食连年丰收，去年全省粮食总产量是多少？", 2009), in_a_row)[0] == []


def test_the_alternative_a_report_does_not_state_is_not_missing():
    """是顺差还是逆差: a report of a deficit never writes 顺差, and the choice is still answered (国务院 1994);
    顺差 asked alone stays a word the report lacks."""
    corpus = normalize("去年进口增长较多，出口增长相对缓慢，对外贸易出现较大逆差。")
    assert missing_terms(prepare("去年外贸是顺差还是逆差？", 1994), corpus) == ([], [])
    assert "顺差" in missing_terms(prepare("去年外贸是顺差吗？", 1994), corpus)[1]


def test_a_year_the_report_covers_is_no_word_to_find():
    """2016 asked of a report reviewing 2016 weighs nothing in coverage (year agreement is its own
    feature); a year the report does not cover stays a word the window should hold."""
    idf = {"2016": 3.0, "2019": 3.0, "游客": 4.0}
    asked = prepare("2016年接待游客多少？")
    assert "2016" not in _weights(asked, idf, [], frozenset({"2016", "2017"}))
    assert "2016" in _weights(asked, idf, [])
    assert "2019" in _weights(prepare("2019年接待游客多少？"), idf, [], frozenset({"2016", "2017"}))


def test_a_phrase_inside_a_word_the_report_never_says_brings_no_report_terms():
    """工资 of 最低工资: in a report that never says 最低工资, its thesaurus terms (收入) must not
    cover the question, or the income figure answers a minimum-wage question."""
    idf = {"最低工资": 6.0, "标准": 2.0, "收入": 3.0, "可支配收入": 4.0}
    weights = _weights(prepare("今年最低工资标准调到多少？"), idf, ["最低工资"])
    assert not any(isinstance(k, tuple) and "收入" in k for k in weights)
    assert any(isinstance(k, tuple) and "收入" in k for k in _weights(prepare("今年工资涨多少？"), idf, []))


def test_an_english_frame_word_weighs_as_its_chinese_word():
    """target → 目标/预期目标 weighs as 目标 does in a Chinese question, not as the sum of 预期目标's
    words: otherwise the lead of a target list (主要预期目标是：…) outweighs the clause with the figure."""
    idf = {"目标": 2.8, "预期": 3.0, "原煤": 4.6}
    english = _weights(prepare("What is the 2026 target for raw coal output?"), idf, [])
    frame = next(w for k, w in english.items() if isinstance(k, tuple) and "目标" in k)
    assert frame == 2.8


def test_a_person_named_with_a_title_the_report_never_names_is_a_hard_miss():
    """温家宝总理 asked of a provincial report that never names him (河北省 2010): jieba tags the name,
    the title after it says it is a person, whatever the surname."""
    corpus = normalize("当前，我省正处于科学发展、富民强省的关键时期，对政府工作提出了新的更高的要求。")
    hard, _ = missing_terms(prepare("温家宝总理对河北今年的工作提出了哪些要求？", 2010), corpus)
    assert "温家宝" in hard
    hard, _ = missing_terms(prepare("今年对政府工作提出了哪些要求？", 2010), corpus)
    assert hard == []


def test_an_english_figure_question_keeps_the_acronym_reports_also_write():
    q = prepare("What is Jilin's CPI target for 2026?", 2026)
    assert unit_ok(q, "CPI涨幅2%左右")  # a target asked in English wants the figure beside CPI
    assert not unit_ok(q, "深化改革开放")
    assert "剩余劳力" in [p for p, _ in matched_phrases("今年要帮多少农村剩余劳力进城打工？")]


def test_a_question_opening_with_another_place_and_a_time_asks_about_that_place():
    """天津今年城镇新增就业目标 asked of 河北省's report (round 22): its 85万人 is 河北's; the answer
    step declines a window whose passage never names the place. An event named after a place
    (汶川地震) or a place later in the question (去北京天津看病) is no such subject."""
    from qa.answer import subject_place
    assert subject_place("天津今年城镇新增就业的目标是多少？") == "天津"
    assert subject_place("深圳去年GDP是多少？") == "深圳"
    assert subject_place("汶川地震的时候从废墟里救出来多少人？") == ""
    assert subject_place("人去北京天津看病，还要先办备案手续吗？") == ""
    assert subject_place("城镇新增就业多少？") == ""  # a kind of place
    assert subject_place("山南市今年要建几个高原和美乡村？") == "山南"  # its level between place and time


def test_a_place_jieba_tags_as_a_name_is_missing_when_the_report_never_names_it():
    """曹妃甸 (jieba: ``nrfg``) asked of 河北省 2003, which never names it (round 34): not in the
    report, so declined rather than answered with a window about 建设 and 安排."""
    corpus = normalize("倡导在城市环卫、社区建设和管理等领域，由政府出资购买公益性岗位，优先安排下岗职工和失业人员就业。")
    hard, _ = missing_terms(prepare("曹妃甸今年有什么建设安排？", 2003), corpus)
    assert "曹妃甸" in hard
    assert missing_terms(prepare("今年社区建设有什么安排？", 2003), corpus) == ([], [])
    # a two-character guess (失业/金的) is no such name
    hard, _ = missing_terms(prepare("去年丢了工作领失业金的有多少人？", 2023), normalize("共向1000多万失业人员发放失业保险待遇。"))
    assert hard == []


def test_an_english_question_finds_the_place_names_the_report_writes_in_chinese():
    """Beijing → 北京 from the index's own words; 背景 (also beijing) is no place, 发展 no name."""
    spellings = place_spellings(["北京", "背景", "发展", "重庆", "北京市申办"])
    assert spellings == {"beijing": "北京", "chongqing": "重庆"}
    assert romanized_places("What will Sichuan build with Chongqing and BEIJING's help?", spellings) == ["重庆", "北京"]
    assert romanized_places("What is the background of the plan?", spellings) == []
    # places joined by hyphens name a region together (Beijing-Tianjin-Hebei: 京津冀), not another place
    assert romanized_places("How many Beijing-Tianjin- projects did we have?", spellings) == []
    assert romanized_places("Chongqing - Beijing railway and Beijing's GDP", spellings) == ["北京"]


def test_an_english_compound_is_one_thing_the_report_may_lack():
    """defense budget is 国防预算/国防支出, not 国防 and 预算 apart: a report naming both words but no
    defense budget lacks it; a fiscal deficit is 财政赤字 in a report of any year (no 一般公共预算 needed)."""
    report = normalize("今年拟安排财政赤字9000亿元。加强国防和军队建设。中央预算内投资增加到4576亿元。")
    assert "defense budget" in missing_terms(prepare("What is China's defense budget for 2011?"), report)[0]
    assert missing_terms(prepare("How big is the fiscal deficit planned for this year?"), report)[0] == []


def test_a_level_of_government_is_no_missing_subject():
    """今年县里打算办多少场招聘会: 县里 (like 市里, 省里) says who acts; a report writes 全县, never 县里,
    and the question is about 招聘 (博野县 2025: 组织招聘活动20场以上)."""
    corpus = "搭建就业供需平台，组织招聘活动20场以上，新增就业2000人以上。"
    hard, soft = missing_terms(prepare("今年县里打算办多少场招聘会", 2025), corpus)
    assert "县里" not in hard + soft
    hard, soft = missing_terms(prepare("今年县里打算办多少场庙会", 2025), corpus)
    assert "庙会" in hard + soft  # what the question is about still counts


@pytest.mark.parametrize("question, term", [
    ("做试管婴儿现在能走医保报销吗？", "辅助生殖"), ("疫情期间开车走高速还要交过路费吗？", "通行费"),
    ("买了房一直办不下房本，今年管不管？", "不动产登记"), ("换运营商能不能不换手机号？", "携号转网"),
    ("去年有多少贫困户摘掉了穷帽子？", "脱贫"), ("平时吃降压药，门诊拿药能走医保吗？", "高血压"),
    ("去年哪家车企去港股上市了？", "港交所"), ("今年政府帮企业少交了多少税费", "减税降费"),
    # round 38 (国务院 2020: a report naming no 资本市场, and 经济增速 for 经济增长)
    ("去年资本市场新设了个什么板", "科创板"), ("今年有没有定经济增长的具体目标？", "经济增速"),
    ("黑龙江粮食总产量还是全国第一吗", "首位"), ("What brand-name products will Hebei cultivate?", "名牌")])
def test_everyday_words_reach_the_reports_words(question, term):
    """Round 37's everyday words (the A sets' misses): each reaches the term reports use."""
    assert any(term in terms.split() for _, terms in matched_phrases(question))


def test_a_modal_and_a_verb_are_no_missing_subject():
    """米易低保一个月能领多少钱: jieba takes 能领 for a noun; a modal and a verb (能领, 会发) says how,
    not what, and is never missing (米易 2023, 内蒙古 2026: 城乡低保标准…700元/月 declined for it)."""
    corpus = normalize("城乡低保标准分别提高到700元/月和500元/月。")
    hard, soft = missing_terms(prepare("米易低保一个月能领多少钱？", 2023), corpus)
    assert "能领" not in hard + soft
    hard, soft = missing_terms(prepare("一个月能领多少取暖费", 2023), corpus)
    assert "取暖费" in hard + soft  # what the question is about still counts


def test_a_word_cut_across_a_frame_word_is_no_missing_subject():
    """“十四五”这五年山西一共产了多少原煤: jieba cuts 一/共产/了; 共产 overlaps 一共 and is no word the
    question asks about (山西 2026: 五年生产原煤65亿吨 was declined for it)."""
    corpus = normalize("能源保供彰显山西担当，五年生产原煤65亿吨，占全国近三成。")
    hard, soft = missing_terms(prepare("“十四五”这五年山西一共产了多少原煤？", 2026), corpus)
    assert "共产" not in hard + soft
    hard, soft = missing_terms(prepare("这五年一共产了多少天然气？", 2026), corpus)
    assert "天然气" in hard + soft


def test_an_english_question_names_a_year_of_the_1990s():
    """By how much did China's GDP grow in 1995 (国务院 1996): 1995 is the year asked, as 1995年 is in
    Chinese; a bare 19xx in Chinese (1995个) is not."""
    from qa.query import explicit_years
    assert explicit_years("By how much did China's GDP grow in 1995?") == (1995,)
    assert explicit_years("What was the target for 1998?") == (1998,)
    assert explicit_years("1995年国内生产总值增长了多少") == (1995,)
    assert explicit_years("建成1995个村卫生室") == ()
