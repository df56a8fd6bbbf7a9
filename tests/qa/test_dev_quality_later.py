"""The quality bar of ``test_dev_quality.py`` for the reports first asked about in round 22 or
later (``quality_sets.later``): measured in the other pytest-xdist worker, so the two finish
near the same time. Same floors per set, same targets for the mean of these sets.
"""
import pytest

from quality_sets import (FRESH, REPORTS, few_passages_needed_the_model, harder_set_holds, later,
                          means_meet_the_issue_targets, measure)

PAIRS = later()
pytestmark = pytest.mark.skipif(not REPORTS.is_dir(), reason="shared/ is not beside the checkout")


@pytest.fixture(scope="module")
def quality(data_dir, real_encoder):
    """Each report alone in an index of its own, with the real model, and the metrics of every set."""
    yield from measure(PAIRS, data_dir, real_encoder)


def test_few_passages_needed_the_model(quality):
    few_passages_needed_the_model(quality[2])


@pytest.fixture(scope="module")
def results(quality):
    """Overall metrics of every set, its report alone in an index of its own."""
    return quality[1]


@pytest.mark.parametrize("name", [d.stem for d, r in PAIRS if (d, r) in FRESH])
def test_each_harder_set_holds(results, name):
    harder_set_holds(results[name])


def test_means_meet_the_issue_targets(results):
    means_meet_the_issue_targets(results)
