"""The quality bar of ``test_dev_quality.py`` for the reports first asked about in round 23 or
later (``quality_sets.later``): measured in the other pytest-xdist worker, so the two finish
near the same time. Same floors per set, same targets for the mean of these sets.
"""
import statistics

import pytest

from quality_sets import FRESH, REPORTS, later, measure

PAIRS = later()
pytestmark = pytest.mark.skipif(not REPORTS.is_dir(), reason="shared/ is not beside the checkout")


@pytest.fixture(scope="module")
def quality(data_dir, real_encoder):
    """Each report alone in an index of its own, with the real model, and the metrics of every set."""
    yield from measure(PAIRS, data_dir, real_encoder)


def test_few_passages_needed_the_model(quality):
    """As in ``test_dev_quality.py``: these reports' vectors are committed too."""
    counts = quality[2]
    assert counts["encoded"] <= 0.05 * counts["passages"], (
        f"{counts['encoded']} of {counts['passages']} passages were encoded: run scripts/refresh_test_vectors.py")


@pytest.fixture(scope="module")
def results(quality):
    """Overall metrics of every set, its report alone in an index of its own."""
    return quality[1]


@pytest.mark.parametrize("name", [d.stem for d, r in PAIRS if (d, r) in FRESH])
def test_each_harder_set_holds(results, name):
    """Lower floors: these sets are meant to find what the others do not (their figures are in the README)."""
    m = results[name]
    assert m["recall@5"] >= 0.85
    assert m["answer_contains"] >= 0.65
    assert m["false_decline"] <= 0.15
    assert m["decline"] >= 0.4


def test_means_meet_the_issue_targets(results):
    def mean(key):
        return statistics.mean(m[key] for m in results.values() if m.get(key) is not None)
    assert mean("recall@5") >= 0.95
    assert mean("mrr@10") >= 0.85
    assert mean("answer_contains") >= 0.85
    assert mean("false_decline") <= 0.05
    assert mean("decline") >= 0.75
    assert statistics.median(m["median_answer_chars"] for m in results.values()) <= 120


