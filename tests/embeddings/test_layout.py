"""Layouts reports reach a portal in: one paragraph per line, web-page clutter, broken lines."""
from embeddings.cleaning import clean
from embeddings.layout import one_paragraph_per_line
from embeddings.structure import parse

WEB_COPY = "\n".join([
    "下载", "打印", "【字号：", "加大", "减小", "】",
    "2026年某省政府工作报告",
    "——2026年1月20日在某省第十四届人民代表大会第四次会议上",
    "来源：某省日报", "时间：2026-01-25",
    "某省人民政府省长 张三",
    "各位代表：",
    "现在，我代表省人民政府，向大会报告工作，请予审议。",
    "一、2025年工作回顾",
    "过去一年，全省地区生产总值增长5.2%。一般公共预算收入增长3%。",
    "二、2026年工作安排",
    "（一）着力扩大内需",
    "今年全省地区生产总值预期增长5%左右。",
    "7.“双向揭榜挂帅”：企业找技术、成果找市场“双向",
    "揭榜",
    "挂帅”的简称。",
    "相关报道：",
    "某省两会开幕",
])


def test_one_paragraph_per_line_is_recognised_and_blank_line_text_is_not():
    assert one_paragraph_per_line(WEB_COPY)
    assert not one_paragraph_per_line("一、标题\n\n第一段很长很长的内容，写满了一整行的文字还没有结束呢。\n\n第二段。")
    wrapped = "\n".join(["过去的一年，我们在市委坚强领导下，在市人大、", "市政协的监督支持下，紧紧团结和依靠全市人民，紧",
                         "扣工作主题，唯真唯实、保持定力，沉着应变求变，奋", "力攻坚克难，顺利完成经济社会发展主要目标任务。"])
    assert not one_paragraph_per_line(wrapped)  # a hard-wrapped PDF text is not one paragraph per line


def test_a_few_runs_of_blank_lines_do_not_make_a_blank_line_layout():
    """国务院 2005 as found: one paragraph per line behind full-width indents, with some lines holding
    only a full-width blank and a few runs of blank lines: its headings must stay lines of their own."""
    paragraph = "\u3000\u3000城镇新增就业980万人，超过预期目标，农村居民人均纯收入实际增长6.8%，是多年来最快的。"
    lines = ["2005年政府工作报告", "", "各位代表：", "\u3000\u3000一、过去一年工作回顾"]
    for n in range(14):
        lines += [paragraph] * 3 + (["\u3000", ""] if n % 3 == 0 else [])
    lines += ["\u3000\u3000二、2005年工作总体部署", paragraph]
    text = "\n".join(lines)
    assert one_paragraph_per_line(text)
    headings = [b.text.strip() for b in parse(clean(text)) if b.kind == "heading"]
    assert "一、过去一年工作回顾" in headings and "二、2005年工作总体部署" in headings
    blocks = "\n\n".join(["一、标题", "第一段很长很长的内容，写满了一整行的文字还没有结束呢。", "第二段写满了一整行。"] * 5)
    assert not one_paragraph_per_line(blocks)  # blank lines between every paragraph


def test_clutter_is_dropped_and_offsets_still_point_into_the_original():
    c = clean(WEB_COPY)
    paragraphs = c.text.split("\n\n")
    for junk in ("下载", "打印", "加大", "来源：某省日报", "时间：2026-01-25", "相关报道：", "某省两会开幕"):
        assert junk not in paragraphs
    assert paragraphs[0] == "2026年某省政府工作报告"
    assert "一、2025年工作回顾" in paragraphs
    for i, ch in enumerate(c.text):
        if ch != "\n":
            assert WEB_COPY[c.offsets[i]] == ch


def test_a_line_broken_by_inline_markup_is_one_paragraph():
    paragraphs = clean(WEB_COPY).text.split("\n\n")
    assert "7.“双向揭榜挂帅”：企业找技术、成果找市场“双向揭榜挂帅”的简称。" in paragraphs


def test_outline_of_a_web_copy():
    headings = [b.path for b in parse(clean(WEB_COPY)) if b.kind == "heading"]
    assert headings == [("一、2025年工作回顾",), ("二、2026年工作安排",), ("二、2026年工作安排", "（一）着力扩大内需")]


def test_unnumbered_part_titles_and_lost_spaces():
    text = "\n".join(["政府工作报告", "——2025年1月15日在某县第十八届人民代表大会第四次会议上", "某县县长??李四", "各位代表：",
                      "2024年工作回顾", "我们始终保持发展定力，经济运行跑出新速度", "全年地区生产总值增长6%，总量突破300亿元。",
                      "2025年工作目标任务", "一、聚焦促消费扩投资，着力增强经济发展内生动力", "全年新增城镇就业5000人以上。",
                      "加强政府自身建设", "一、持之以恒强化忠诚担当", "坚持把政治建设摆在首位。"])
    blocks = parse(clean(text))
    assert "某县县长??李四" in clean(text).text  # kept as the file has it (evidence quotes the file)
    parts = [b.path for b in blocks if b.kind == "heading"]
    assert parts[0] == ("2024年工作回顾",)
    assert ("2025年工作目标任务", "一、聚焦促消费扩投资，着力增强经济发展内生动力") in parts
    assert ("加强政府自身建设", "一、持之以恒强化忠诚担当") in parts
    topic = next(b for b in blocks if b.kind == "topic")
    assert topic.path == ("2024年工作回顾", "我们始终保持发展定力，经济运行跑出新速度")


PORTAL_COPY = "\n".join(
    ["某网首页", "应用", "新闻", "国内", "国际", "体育", "综合", "娱乐", "明星", "财经", "股票", "汽车", "科技", "房产",
     "注册免费邮箱（付费）", "网易首页 > 正文",
     "全文来了！2026年某省政府工作报告", "2026-01-25 10:00:00 来源: 某省发布", "举报", "分享至",
     "政府工作报告", "——2026年1月20日在某省第十四届人民代表大会第四次会议上", "某省省长 张三",
     "各位代表：", "现在，我代表省人民政府，向大会报告工作，请予审议。",
     "一、2025年工作回顾", "过去一年，全省地区生产总值增长5.2%。",
     "二、2026年工作安排", "今年全省地区生产总值预期增长5%左右。", "各位代表！让我们携手奋进，再创佳绩！",
     "特别声明：以上内容为自媒体平台用户上传并发布，本平台仅提供信息存储服务。",
     "/阅读下一篇/", "返回某网首页", "热点推荐", "某地发生交通事故", "某报 2026-01-25 09:36:21", "跟贴 111"])


def test_a_portal_menu_and_the_news_list_after_the_report_are_not_the_report():
    paragraphs = clean(PORTAL_COPY).text.split("\n\n")
    for junk in ("应用", "体育", "财经", "房产", "热点推荐", "某地发生交通事故", "跟贴 111", "/阅读下一篇/"):
        assert junk not in paragraphs, junk
    assert not any(p.startswith("特别声明") for p in paragraphs)
    for kept in ("全文来了！2026年某省政府工作报告", "政府工作报告", "某省省长张三", "各位代表！让我们携手奋进，再创佳绩！"):
        assert kept in paragraphs, kept


def test_a_cover_page_of_short_lines_is_kept():
    cover = "\n\n".join(["某县人民政府", "政府工作报告", "2025年1月8日", "在某县第十八届", "人民代表大会", "第五次会议上",
                         "县长", "张三", "各位代表：", "现在，我代表县人民政府，向大会报告工作，请予审议。"])
    paragraphs = clean(cover).text.split("\n\n")
    assert paragraphs[:8] == ["某县人民政府", "政府工作报告", "2025年1月8日", "在某县第十八届", "人民代表大会", "第五次会议上",
                              "县长", "张三"]


def test_related_article_links_just_above_the_trailer_are_not_the_report():
    """An exam-prep portal (the 广东 2024 copy, first seen in round 15) lists links to its other
    articles (【2024…考点】…, …学习>>) just above 上一篇：; they go with the trailer."""
    page = "\n".join(["某省政府工作报告", "各位代表：", "现在，我代表省人民政府，向大会报告工作，请予审议。",
                      "一、2023年工作回顾", "地区生产总值增长4.8%，总量连续35年居全国首位。" * 3,
                      "各位代表！让我们携手奋进，再创佳绩！", "某网推荐参加遴选的考生学习>>",
                      "【2024某省遴选应知应会】详细解读！什么是某省“1310”部署？",
                      "【2024某省遴选重磅考点】中国共产党某省第十三届委员会第四次全体会议决议",
                      "上一篇： 【云南遴选】2023年某市市级机关遴选", "为你推荐"])
    paragraphs = clean(page).text.split("\n\n")
    assert paragraphs[-1] == "各位代表！让我们携手奋进，再创佳绩！"
    assert not any("遴选" in p for p in paragraphs)


def test_a_sites_link_lists_between_two_copies_of_the_report_are_not_the_report():
    """A provincial portal (河北省, rounds 19–22) prints the report, its lists of cities, departments
    and provinces, then the report again: the lists are no paragraphs, whichever side they stand."""
    body = ["各位代表：", "现在，我代表省人民政府，向大会报告工作，请予审议。", "一、2009年工作回顾",
            "过去一年，全省生产总值增长10%。全部财政收入完成2018.1亿元。"]
    links = ["石家庄市", "承德市", "张家口市", "秦皇岛市", "唐山市", "廊坊市", "保定市", "沧州市", "衡水市", "邢台市",
             "邯郸市", "北京", "天津", "山西"]
    paragraphs = clean("\n".join(body + links + body + ["网站地图"])).text.split("\n\n")
    assert not set(links) & set(paragraphs)
    assert paragraphs.count("现在，我代表省人民政府，向大会报告工作，请予审议。") == 2


def test_a_heading_number_alone_on_a_line_joins_its_words():
    page = "\n".join(["各位代表：", "一、2009年工作回顾", "(四)节能减排成效显著。单位生产总值能耗下降5%以上。", "(五)",
                      "改 革开放", "不断深化。国企改革取得新的进展。", "(六)人民生活继续改善。城镇新增就业57.3万人。"])
    paragraphs = clean(page).text.split("\n\n")
    assert "(五)改革开放不断深化。国企改革取得新的进展。" in paragraphs
    assert "(六)人民生活继续改善。城镇新增就业57.3万人。" in paragraphs


def test_a_breadcrumb_trail_is_not_the_report():
    """首页 / >> / 领导之窗 / >> / 政府工作报告 above the title (the 河北省 portal, round 23): the
    separators and the links on either side of them go; the title after the trail stays."""
    page = "\n".join(["当前位置：", "首页", ">>", "领导之窗", ">>", "政府工作报告", "政府工作报告",
                      "——在某省第十届人民代表大会第五次会议上", "各位代表：",
                      "现在，我代表省人民政府，向大会报告工作，请予审议。", "一、2006年工作回顾",
                      "过去一年，全省生产总值增长13%。全部财政收入完成1000亿元。"])
    paragraphs = clean(page).text.split("\n\n")
    assert paragraphs[:2] == ["政府工作报告", "——在某省第十届人民代表大会第五次会议上"]
    assert not any(">" in p or "领导之窗" in p for p in paragraphs)


def test_a_sites_department_list_and_footer_after_the_report_are_not_the_report():
    """Blank lines between every line (河北省 2001), then the portal's list of departments (names
    longer than a menu word) and its footer: neither joins the report's last paragraph nor becomes one."""
    body = ["各位代表：", "现在，我代表省人民政府，向大会报告工作，请予审议。", "一、2000年工作回顾",
            "过去一年，全省国内生产总值增长9.4％。全部财政收入增长5.7％。" * 2, "为建设现代化河北而努力奋斗。"]
    departments = ["省政府各部门", "省政府办公厅", "省发展和改革委员会", "省教育厅", "省科学技术厅", "省工业和信息化厅",
                   "省民族事务委员会", "省公安厅", "省民政厅", "省司法厅", "省财政厅", "省人力资源和社会保障厅"]
    footer = ["冀ICP备06016263号-1", "网站标识码：1300000013", "主办：某省人民政府办公厅", "版权所有：某省人民政府"]
    paragraphs = clean("\n\n".join(body + departments + footer)).text.split("\n\n")
    assert paragraphs[-1] == "为建设现代化河北而努力奋斗。"
    assert not any("厅" in p or "ICP" in p for p in paragraphs)


def test_a_report_over_several_pages_keeps_no_page_buttons_between_them():
    """A page set out in parts (国务院 1998–2002 as gov.cn kept them): each part ends with its
    editor and an e-mail button and the next opens with the trail and the font buttons. None of
    those lines is a passage; a heading's opening bracket alone on a line joins its heading."""
    first = ["各位代表：", "现在，我代表国务院，向大会作政府工作报告，请予审议。", "一、过去一年的工作",
             "去年国内生产总值增长8%。粮食总产量达到49250万吨。" * 3]
    between = ["（责任编辑： 郭桢\n ）", "（责任编辑： 郭桢", " ）", "【E-mail推荐", "】", "当前位置： 首页>> 中国概况", "【字体：大中小】"]
    second = ["新华社北京２００８年３月１９日电", "3月5日，会议在北京人民大会堂开幕。新华社记者 姚大伟 摄",
              "上一页  1  2  3  4  5  下一页  >>|", "|<<  上一页  6  下一页", "function turnpage(page){ document.all(1); }", "（", "二）今年经济社会发展的主要任务", "今年国内生产总值预期增长7%左右。" * 3,
              "扫一扫在手机打开当前页", "（责任编辑：韩茜）", "编辑推荐", "盘点演艺圈", "明星当年照"]
    paragraphs = clean("\n\n".join(first + between + second)).text.split("\n\n")
    assert paragraphs[-2:] == ["（二）今年经济社会发展的主要任务", "今年国内生产总值预期增长7%左右。" * 3]
    assert not any(word in p for p in paragraphs for word in ("责任编辑", "E-mail", "当前位置", "字体", "扫一扫", "新华社", "推荐", "明星", "上一页", "function"))
    assert "】" not in paragraphs and "）" not in paragraphs
