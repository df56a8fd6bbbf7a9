"""The answer model: named features, fitted weights, a fitted decline threshold."""
import numpy as np

from qa.answer_model import FEATURES, Model, best_threshold, fit, matrix, model_from, shipped


def test_fit_learns_which_feature_marks_the_right_window():
    rng = np.random.default_rng(0)
    groups = []
    for _ in range(40):
        rows = [{"coverage": rng.random(), "year_clash": float(rng.random() < 0.5)} for _ in range(6)]
        good = max(range(6), key=lambda i: rows[i]["coverage"] - 2 * rows[i]["year_clash"])
        groups.append((matrix(rows), np.array([float(i == good) for i in range(6)])))
    w = fit(groups)
    assert w[FEATURES.index("coverage")] > 0 and w[FEATURES.index("year_clash")] < 0
    model = Model(w, 0.0)
    right = sum(int(np.argmax(x @ model.weights)) == int(np.argmax(y)) for x, y in groups)
    assert right >= 36


def test_threshold_keeps_false_declines_low_and_declines_what_scores_low():
    scores = [3.0, 2.5, 2.8, 0.5, 0.4, 2.9]
    answerable = [True, True, True, False, False, True]
    correct = [True, True, True, False, False, True]
    t = best_threshold(scores, answerable, correct)
    assert 0.5 < t <= 2.5


def test_the_shipped_model_was_fitted_and_says_on_what():
    import json
    from importlib import resources
    data = json.loads((resources.files("qa") / "data" / "answer_weights.json").read_text(encoding="utf-8"))
    assert len(data["fitted_on"]) >= 5 and data["leave_one_report_out"]
    model = shipped()
    assert model.weights[FEATURES.index("coverage")] > 0 and model.weights[FEATURES.index("unit_miss")] < 0
    assert model_from(model.to_dict()).threshold == round(model.threshold, 4)
