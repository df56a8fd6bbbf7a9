"""Which report each question set is about, for ``report-qa eval``."""
from pathlib import Path

import pytest

from ui.evaluation import pair_datasets


def test_a_set_is_paired_with_the_report_it_is_named_after(tmp_path):
    reports = [tmp_path / n for n in ("hubei-2026.txt", "baoding-2025.txt", "baoding-2025-extra.txt")]
    for p in reports:
        p.write_text("各位代表：", encoding="utf-8")
    sets = {n: tmp_path / f"{n}.jsonl" for n in ("hubei-2026", "hubei-2026-r4", "baoding-2025-extra-r4",
                                                 "hubei-2026x", "other")}
    for p in sets.values():
        p.write_text("", encoding="utf-8")
    got = dict(pair_datasets([str(p) for p in sets.values()], reports))
    assert got[sets["hubei-2026"]] == [reports[0]]
    assert got[sets["hubei-2026-r4"]] == [reports[0]]  # another question set for the same report
    assert got[sets["baoding-2025-extra-r4"]] == [reports[2]]  # the longest name it begins with
    assert got[sets["hubei-2026x"]] == reports and got[sets["other"]] == reports  # no such report: all of them
    explicit = dict(pair_datasets([f"{sets['other']}@{reports[1]}"], reports))
    assert explicit[Path(str(sets["other"]))] == [reports[1]]


def test_a_missing_set_or_report_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="dataset"):
        pair_datasets([str(tmp_path / "nope.jsonl")], [])
    (tmp_path / "a.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="report"):
        pair_datasets([f"{tmp_path / 'a.jsonl'}@{tmp_path / 'missing.txt'}"], [])
