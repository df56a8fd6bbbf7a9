"""Sibling figures (收入/支出, 城镇/农村, 进口/出口): the answer step's ``sibling`` feature."""
import pytest

from qa.answer import sibling_clash, unqualified
from qa.text import normalize


@pytest.mark.parametrize("question, window, clash", [
    ("去年一般公共预算支出是多少？", "一般公共预算收入完成8.39亿元", True),
    ("去年一般公共预算收入是多少？", "一般公共预算收入完成8.39亿元", False),
    ("去年一般公共预算支出是多少？", "一般公共预算收入8.39亿元，民生支出占比80%", False),  # both there
    ("农村居民人均可支配收入是多少？", "城镇新增就业3710人", True),
    ("农村人收入涨多少？", "城乡居民人均可支配收入分别增长7%和8%", False),  # 城乡 names both
    ("进出口总额是多少？", "出口增长5%", False),  # 进出口 asks both
    ("出口增长多少？", "进口增长3%", True),
    ("去年GDP多少？", "一般公共预算收入完成8.39亿元", False),
    # 城市低保 is the other side of 农村低保, though 城乡 names both in another clause
    ("农村低保标准去年提高到每月多少元？", "城市低保人均保障标准从796元/月提高至842元/月", True),
    ("城市更新今年有什么安排？", "农村公路新改建1000公里", False),  # 城市 qualifies no statistic here
    # 农民 here says whose health insurance, not which side of a statistic: 新农合 is theirs
    ("农民看病报销的合作医疗，今年政府每人补助提到多少？", "今年要把新农合和城镇居民医保财政补助标准提高到200元", False),
    ("去年入境旅游有多少人次？", "出境旅游超过1亿人次", True),  # outbound is not inbound
    # the primary industry's value added is not industry's, nor the services'
    ("去年第一产业增加值是多少？", "规模以上工业增加值完成86.3亿元，同比增长29.8%", True),
    ("去年第一产业增加值是多少？", "第一产业增加值12.5亿元，第二产业增加值80亿元", False),
    ("去年第三产业增加值多少", "第一产业增加值12.5亿元", True),
    ("去年出入境人数多少？", "出境旅游超过1亿人次", False),  # 出入境 asks both
    # the subsidy's figure, though the sentence goes on to name the individual contribution
    ("今年城镇居民医保个人缴费标准提到多少？", "今年要把城镇居民基本医保和新农合的财政补助标准提高到120元", True),
    # people's income is not the government's revenue, though both say 收入
    ("保定老百姓去年收入涨了多少？", "地方一般公共预算收入增长3.9%，规上工业增加值增长9.1%", True),
    ("保定老百姓去年收入涨了多少？", "社会消费品零售总额增长6.2%，居民人均可支配收入增长5.2%", False),
    ("去年财政收入增长多少？", "地方一般公共预算收入增长3.9%", False),
    # 城里人 is the everyday word for the towns' side (国务院 2003)
    ("城里人一年人均到手的收入有多少？", "农村居民家庭人均纯收入由2090元增加到2476元", True),
    ("城里人一年人均到手的收入有多少？", "城镇居民家庭人均可支配收入，由1997年的5160元增加到2002年的7703元", False),
])
def test_a_window_with_only_the_sibling_of_the_asked_figure_clashes(question, window, clash):
    assert sibling_clash(question, window) is clash


@pytest.mark.parametrize("window, clash", [
    ("预计今年财政收入继续恢复增长，加上调入资金等，一般公共预算支出规模28.5万亿元", True),  # the figure is the 支出's
    ("一般公共预算收入增长5%，一般公共预算支出规模28.5万亿元", False),  # a figure of 收入 too
    ("预计今年财政收入继续恢复增长，加上调入资金等", False),  # no figure at all: the rest decides
])
def test_an_amount_asked_reads_the_clauses_holding_the_figures(window, clash):
    from qa.text import normalize
    question = normalize("今年全国财政收入预计有多少？")
    assert sibling_clash(question, normalize(window), amount=True) is clash
    assert not sibling_clash(question, normalize(window))  # the word 收入 is in the window


def test_a_total_of_both_sides_is_not_the_asked_sides_figure():
    from qa.text import normalize
    window = normalize("全年货物进出口总额3．64万亿美元，增长22．5%，其中，出口增长20．3%")
    assert sibling_clash(normalize("去年进口总额是多少美元？"), window, amount=True)
    assert not sibling_clash(normalize("去年出口增长多少？"), window, amount=True)


@pytest.mark.parametrize("question, window, other", [
    ("去年农村居民人均可支配收入是多少？", "居民人均可支配收入提高到5.4万元、增长4.3%", True),
    ("去年农村居民人均可支配收入是多少？", "农村居民人均可支配收入增长6.5%", False),
    ("农民收入涨了多少？", "城乡居民人均可支配收入分别增长7%和8%", False),  # 城乡 names both
    ("出口增长多少？", "外贸增长5%", True),
    ("进出口总额是多少？", "外贸增长5%", False),  # 进出口 asks both sides
    ("居民人均可支配收入是多少？", "居民人均可支配收入提高到5.4万元", False),  # no side asked
    ("去年货物出口总额增长了多少？", "货物进出口总额增长21.4%", True),  # the total is not one side
    ("去年货物出口增长了多少？", "出口增长10%，进出口总额增长21.4%", False),
    ("今年计划城镇新增就业多少人？", "全年实现新增就业5000人，失业人员再就业2900人", False),  # 新增就业 is 城镇's
    ("今年计划城镇新增就业多少人？", "农村劳动力转移就业3万人", False),  # names the other side: the sibling check's
])
def test_one_side_asked_and_neither_named(question, window, other):
    from qa.answer import unqualified
    from qa.text import normalize
    assert unqualified(normalize(question), normalize(window)) is other


def test_jobs_in_town_asked_in_everyday_words_are_the_new_jobs_figure():
    """城里新增就业 asked, and the later part carrying that subject (今年还要新增多少 → … 城里 博野 就业):
    新增就业2000人以上 is the towns' figure (博野县 2025); 城里人收入 is not 居民收入's."""
    assert not unqualified(normalize("今年还要新增多少？ 城里 博野 就业"), normalize("新增就业2000人以上"))
    assert unqualified(normalize("城里人收入多少？"), normalize("居民人均可支配收入3万元"))


@pytest.mark.parametrize("question, window", [
    ("在社区卫生院、乡镇卫生院看门诊，现在能报销多少？", "基层医疗机构居民门诊报销比例达到65%"),  # 乡镇 names a place, not a side
    ("贵州给中小微企业新推的那个贷款产品叫什么名字？", "创设“黔惠贷”数字金融产品"),  # a loan product, not a loan figure
])
def test_a_side_word_that_qualifies_no_figure_asks_for_no_side(question, window):
    from qa.answer import unqualified
    from qa.text import normalize
    assert not unqualified(normalize(question), normalize(window))


def test_a_ratio_of_both_sides_does_not_stand_for_the_asked_side():
    from qa.text import normalize
    question = normalize("去年城镇居民人均可支配收入涨了多少？")
    window = normalize("农村居民人均可支配收入增长6.5%，城乡居民收入比缩小至2.36∶1。")
    assert sibling_clash(question, window, amount=True)  # 6.5% is 农村's; 城乡 only names a ratio
    both = normalize("城乡居民人均可支配收入分别增长5%和6.5%")
    assert not sibling_clash(question, both, amount=True)
    totals = normalize("存贷款余额分别达38.7万亿元、29.9万亿元")
    assert not sibling_clash(normalize("去年存款余额是多少？"), totals, amount=True)  # a total holds each side


def test_value_added_is_not_gross_output():
    """规模以上工业增加值 asked of a report giving only 规模以上工业总产值 (海拉尔区 2017): another figure."""
    from qa.answer import sibling_clash
    from qa.text import normalize
    assert sibling_clash(normalize("去年规模以上工业增加值是多少？"), normalize("规模以上工业总产值完成198.1亿元,同比增长5.3%。"))
    assert sibling_clash(normalize("工业总产值多少？"), normalize("规上工业增加值增长7.5%"))
    assert not sibling_clash(normalize("去年规模以上工业增加值是多少？"), normalize("规模以上工业增加值增长6.1%"))


def test_pension_insurance_is_not_medical_insurance():
    """城镇职工养老保险参保人数 asked of a window giving 城镇居民医疗保险's (河北省 2009): another figure."""
    from qa.answer import sibling_clash
    from qa.text import normalize
    assert sibling_clash(normalize("去年城镇职工养老保险参保人数是多少？"),
                         normalize("城镇居民医疗保险试点设区市扩大到9个，参保人数达到303万人。"))
    assert not sibling_clash(normalize("去年养老保险参保人数是多少？"), normalize("基本养老保险参保人数达到1200万人"))


def test_the_other_sides_figure_in_a_sentence_naming_both_clashes_when_an_amount_is_asked():
    from qa.text import normalize
    window = normalize("城市低保人均保障标准从796元/月提高至842元/月、城乡低保标准均超过全国平均水平")
    assert sibling_clash(normalize("农村低保标准去年提高到每月多少元？"), window, amount=True)
    assert not sibling_clash(normalize("城市低保标准去年提高到每月多少元？"), window, amount=True)


def test_the_parts_figures_are_not_the_wholes():
    """对东盟、欧盟进出口分别增长16.7%、40.2% gives the parts' growth; 进出口涨了多少 asks the whole's
    (湖北 2026): the window is marked for :func:`qa.answer.choose` to prefer one covering as much. A
    question naming one of the items, or asking each, is answered by it."""
    from qa.answer import parts_only
    window = "外贸新动能加快发展，对东盟、欧盟进出口分别增长16.7%、40.2%，跨境电商成为新增长点"
    assert parts_only(window, normalize("湖北去年进出口涨了多少？"))
    assert not parts_only(window, normalize("去年对东盟进出口涨了多少？"))
    assert not parts_only("着力打造内陆开放高地，进出口总额增长18.2%、增速居全国第3位。", normalize("进出口涨了多少"))
    assert not parts_only("城镇、农村居民人均可支配收入分别增长4.5%和6.2%", normalize("农村居民收入涨了多少"))

