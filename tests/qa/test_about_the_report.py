"""Questions about the report itself (when, at which session, by whom), from its front matter."""
from __future__ import annotations

from embeddings.indexer import build_index
from embeddings.loaders import load_document
from qa.pipeline import ReportQA, about_the_report

# a portal's copy (河北省 2010): the page's own date above the session line, the delivery date
# in brackets after the speaker
PAGE = "\n".join(["河北省2010年政府工作报告", "2010年01月20日", "【字体：大中小】", "——在河北省第十一届人民代表大会第三次会议上",
                  "河北省代省长 陈全国", "（2010年1月18日）", "各位代表：",
                  "现在，我代表省人民政府，向大会作政府工作报告，请予审议。", "一、2009年工作回顾",
                  "过去一年，全省生产总值增长10%，全部财政收入完成2018.1亿元。", "二、2010年主要任务",
                  "今年全省生产总值增长9%以上，城镇新增就业60万人。"])


def test_the_session_and_the_delivery_date_come_from_the_delivery_lines(tmp_path, fake_encoder):
    path = tmp_path / "report.txt"
    path.write_text(PAGE, encoding="utf-8")
    index, _ = build_index([load_document(path)], fake_encoder)
    qa = ReportQA(index, fake_encoder)
    assert about_the_report("这份政府工作报告是在哪次会议上作的？") == "session"
    assert about_the_report("这份报告是哪天作的？") == "when"
    session = qa.ask("这份政府工作报告是在哪次会议上作的？")
    assert not session.declined and "第十一届人民代表大会第三次会议" in session.answer
    day = qa.ask("这份报告是哪天作的？")
    assert not day.declined and "2010年1月18日" in day.answer and "01月20日" not in day.answer


def test_who_quotes_the_reports_own_speaker_line_before_the_pages_label(tmp_path, fake_encoder):
    page = "\n\n".join(["标题：河北省2003年政府工作报告", "报告人：河北省人民政府代省长季允石", "政府工作报告",
                        "在河北省第十届人民代表大会第一次会议上", "河北省代省长 季允石", "（二〇〇三年一月十日）", "各位代表：",
                        "现在，我代表河北省人民政府向大会作工作报告，请予审议。", "过去五年回顾和2002年工作情况",
                        "刚刚过去的2002年，全省生产总值增长9.6%。", "对今后五年和2003年政府工作的建议",
                        "今年全省生产总值增长9%。"])
    path = tmp_path / "report.txt"
    path.write_text(page, encoding="utf-8")
    index, _ = build_index([load_document(path)], fake_encoder)
    a = ReportQA(index, fake_encoder).ask("这份政府工作报告是谁作的？")
    assert not a.declined and "季允石" in a.answer and "报告人" not in a.answer


def test_who_made_the_report_not_whom_it_names():
    """报告号召大家学习哪位英雄 asks whom the report praises (国务院 1994 answered it with the speaker)."""
    assert about_the_report("这份政府工作报告是哪位总理作的？") == "who"
    assert about_the_report("这个报告是谁？") == "who"
    assert about_the_report("报告号召大家学习哪位见义勇为的英雄") == ""
    assert about_the_report("报告表扬了哪位企业家？") == ""
    # an office named before 谁 asks its holder, not the speaker (国务院 2013, round 39)
    assert about_the_report("报告里财政部长是谁？") == ""
    assert about_the_report("报告里提到的省长是谁") == ""


def test_the_printed_delivery_line_before_a_pages_date_of_the_same_day(tmp_path, fake_encoder):
    """A page dated 2001年01月08日 above the speech's own （2001年1月8日）: the speech's line is quoted."""
    page = PAGE.replace("2010年01月20日", "2010年01月18日")
    path = tmp_path / "report.txt"
    path.write_text(page, encoding="utf-8")
    index, _ = build_index([load_document(path)], fake_encoder)
    day = ReportQA(index, fake_encoder).ask("这份报告是哪天作的？")
    assert not day.declined and "2010年1月18日" in day.answer and "01月18日" not in day.answer
