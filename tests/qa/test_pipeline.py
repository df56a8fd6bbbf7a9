"""How the QA system orders and numbers what it cites (qa/pipeline.py)."""
from qa.answer import Composed
from qa.pipeline import cited_first


def test_the_passages_an_answer_quotes_come_first_and_its_markers_follow_them():
    """去年…？今年…？ answered from the 8th and 2nd passages: those two are listed first, in the
    order the answer quotes them, and its markers say [1] and [2]."""
    hits = list("abcdefghij")
    composed = Composed("粮食总产量1640.06亿斤[8]；粮食产量1600亿斤以上[2]", False, cited=[7, 1])
    now, order = cited_first(composed, hits)
    assert now.answer == "粮食总产量1640.06亿斤[1]；粮食产量1600亿斤以上[2]"
    assert now.cited == [0, 1]
    assert order == list("hbacdefgij")


def test_brackets_the_quote_holds_are_not_renumbered():
    composed = Composed("见附件[3]说明，增长5%[3]", False, cited=[2])
    now, order = cited_first(composed, list("abc"))
    assert now.answer == "见附件[3]说明，增长5%[1]" and order == list("cab")


def test_an_answer_already_citing_the_first_passages_is_left_alone():
    composed = Composed("增长5%[1]；目标6%[2]", False, cited=[0, 1])
    assert cited_first(composed, list("abc")) == (composed, list("abc"))
    declined = Composed("报告中没有找到相关内容", True)
    assert cited_first(declined, list("abc")) == (declined, list("abc"))
