"""The answer step's one scoring: named features of a candidate window, weighted.

Every candidate window (a run of clauses, a whole sentence for a list, a glossary definition)
gets the same named features: how much of the question it covers, where its passage ranked,
whether its year and the passage's temporal role agree with the question, whether it holds a
figure of the asked kind, a date, a named office holder, a definition of the asked term, its
length. The window with the highest weighted sum answers. Whether it does answer is then a
second, separate decision: the :class:`Decider`, a logistic model over the chosen window's
features, its score, its lead over the next window and how like the question the window itself
is (embedding cosine), declines below its fitted threshold. Weights, decider and threshold are
fitted on question sets of several reports (``scripts/fit_answer_weights.py``, checked
leave-one-report-out) and shipped in ``qa/data/answer_weights.json``; nothing here is tuned to
one report.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Callable
from importlib import resources

import numpy as np

FEATURES = (
    "coverage",          # weighted share of the question's words in the window
    "context_coverage",  # the same over the whole passage (a subject named earlier in the sentence)
    "rare_word",         # the question's most specific word that the report uses is in the window
    "rank",              # 1 / (rank of the passage + 1)
    "lexical",           # the passage's BM25 score / the best one
    "dense",             # the passage's cosine similarity to the question
    "year_match",        # the passage speaks about a year the question asks about
    "year_clash",        # ... only about other years
    "target_plan",       # a question about a goal, from a part that plans
    "number",            # an amount is asked and the window has a figure
    "no_number",         # an amount is asked and the window has none
    "unit_miss",         # the figure is not of the asked kind (unit, money, rate) or not beside the subject
    "definition",        # the window is the glossary definition of a term the question names
    "glossary_other",    # a glossary entry of the question's term, but not its definition
    "length",            # characters / 100
    "list_length",       # characters / 100 when the question asks for a list
    "date_ok",           # a date is asked and the window has one
    "date_miss",         # a date is asked and the window has none
    "holder",            # "who is the ..." and a person is named beside that office
    "no_holder",         # ... and no one is
    "missing",           # the question names things the report never mentions (the same for all its windows)
    "front",             # the passage is the report's front matter (title, date, speaker lines)
    "beside",            # an amount is asked: the share of the question's words in the clause holding the figure
    "several_years",     # the passage sums up several years (十四五) and the question asks about one
    "change_ok",         # a change is asked (涨了多少, growth) and the window's figure is a rate of change
    "continued",         # a short sentence naming a term, with the sentences that spell it out
    "rare_apart",        # an amount is asked and the question's most specific word is in no clause with a figure
    "yes_no",            # a yes/no question (能刷脸付钱吗): the passage that bears on it answers (same for all windows)
    "restates",          # a definition or list is asked and the window only names it again (继续办好10件惠民实事)
    "absent",            # IDF share of the most specific question word the report uses elsewhere but the window lacks
    "context_absent",    # ... the same over the whole passage
    "sibling",           # the window has the sibling of the figure asked and not it (收入 where 支出 is asked)
    "english",           # the question is in English: its words reach the report only through the thesaurus
    "unqualified",       # the question asks one side of a pair (农村居民收入) and the window names neither (居民收入)
    "phrase",            # the longest run of the question's own words the window repeats (地区生产总值增长), /8
    "head_absent",       # a 什么/哪 question names the kind of thing it asks for (什么保险制度) and the window does not
)
# features saying a window lacks what the question asks for (a figure of the asked kind, a date, a
# name): such a window is chosen only when no window has it
LACKS = ("unit_miss", "no_number", "date_miss", "no_holder", "restates")


# what the decline step sees of the chosen window: its features, its score, its lead over the best
# other window (a clear winner is likelier to answer than one of many equal near misses), and how
# much closer the window itself is to the question than its whole passage, by the embedding model
# (一般公共预算收入 is less like a question about 支出 than the passage about the budget is)
DECISION_INPUTS = FEATURES + ("score", "margin", "window_dense")


def pick(x: np.ndarray, weights: np.ndarray) -> int:
    """The chosen row of a question's feature matrix: the best-scoring window among those that do
    not lack what is asked, else the best of all."""
    s = x @ weights
    lacks = x[:, [FEATURES.index(n) for n in LACKS]].any(axis=1)
    if (~lacks).any():
        s = np.where(lacks, -np.inf, s)
    return int(np.argmax(s))


DEFAULT_WEIGHTS = {  # the hand-set rules this model replaced, as a starting point for fitting
    "coverage": 1.0, "rank": 0.08, "year_match": 0.1, "year_clash": -0.25, "number": 0.1, "unit_miss": -1.0,
    "definition": 0.3, "glossary_other": 0.1, "length": -0.15, "list_length": 0.18, "date_miss": -1.0,
    "holder": 0.3, "no_holder": -1.0,
}
DEFAULT_THRESHOLD = 0.15


def decision_row(x: np.ndarray, weights: np.ndarray, i: int, window_similarity: float) -> np.ndarray:
    """The decline step's inputs (:data:`DECISION_INPUTS`) for row ``i`` of a question's feature
    matrix (``window_similarity``: the embedding cosine of the question and that window)."""
    s = x @ weights
    others = np.delete(s, i)
    margin = s[i] - others.max() if len(others) else 1.0
    return np.concatenate([x[i], [s[i], margin, window_similarity - x[i][FEATURES.index("dense")]]])


@dataclass(frozen=True)
class Decider:
    """Answer or decline: a logistic model over :data:`DECISION_INPUTS` of the chosen window,
    fitted on answerable and unanswerable questions of several reports (inputs standardised by
    ``mean``/``scale``); below ``threshold`` probability the question is declined."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float = 0.5
    model: str = ""  # the embedding model whose cosines it was fitted on (another model's differ in scale)

    def probability(self, row: np.ndarray) -> float:
        z = float(((row - self.mean) / self.scale) @ self.weights + self.bias)
        return 1.0 / (1.0 + np.exp(-z))

    def to_dict(self) -> dict:
        return {"inputs": list(DECISION_INPUTS), "model": self.model, "threshold": round(float(self.threshold), 4),
                "bias": round(float(self.bias), 4),
                **{k: [round(float(v), 5) for v in getattr(self, k)] for k in ("mean", "scale", "weights")}}


def decider_from(data: dict | None) -> Decider | None:
    """The decider stored by :meth:`Decider.to_dict`; ``None`` when absent or made for other inputs."""
    if not data or tuple(data.get("inputs", ())) != DECISION_INPUTS:
        return None
    return Decider(np.array(data["mean"]), np.array(data["scale"]), np.array(data["weights"]),
                   float(data["bias"]), float(data["threshold"]), str(data.get("model", "")))


def fit_decider(rows: np.ndarray, answerable: np.ndarray, sample_weight: np.ndarray, l2: float = 0.05,
                steps: int = 3000, rate: float = 0.2) -> Decider:
    """Logistic regression of answerable (1) against unanswerable (0) on the chosen windows' rows
    (``sample_weight``: so that every report and both classes weigh the same)."""
    mean, scale = rows.mean(axis=0), rows.std(axis=0)
    scale = np.where(scale > 1e-6, scale, 1.0)  # an input that never varies gets no weight
    z = np.c_[(rows - mean) / scale, np.ones(len(rows))]
    w = np.zeros(z.shape[1])
    total = sample_weight.sum()
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        w -= rate * (z.T @ ((p - answerable) * sample_weight) / total + l2 * np.r_[w[:-1], 0.0])
    return Decider(mean, scale, w[:-1], float(w[-1]))


COSINE_SPAN = 3.0  # standard deviations of the window cosine that could still flip a decision


@dataclass(frozen=True)
class Model:
    """Weights over :data:`FEATURES` that pick the answering window, and what declines: the
    :class:`Decider` when fitted, else the score below ``threshold``."""

    weights: np.ndarray
    threshold: float
    decider: Decider | None = None

    def decides_with(self, model_id: str) -> bool:
        """Whether the decider was fitted on this embedding model's cosines (only then is it used)."""
        return self.decider is not None and self.decider.model == model_id

    def answers(self, features: dict[str, float], score: float, margin: float,
                window_similarity: float | Callable[[], float] | None = None) -> bool:
        """Whether the chosen window (its features, score, lead over the next, and the embedding
        cosine of question and window) answers the question. Without a decider, or without the
        cosine (no encoder at hand), the score is held against the threshold.

        ``window_similarity`` may be a function: it is called only when the cosine could change
        the decision (the other inputs leave it within :data:`COSINE_SPAN` standard deviations of
        the cut), which saves encoding the window for most questions."""
        if self.decider is None or window_similarity is None:
            return score >= self.threshold
        d = self.decider
        last = len(DECISION_INPUTS) - 1
        row = np.array([features.get(n, 0.0) for n in FEATURES] + [score, margin, d.mean[last]])
        logit = float(((row - d.mean) / d.scale) @ d.weights + d.bias)  # the cosine at its mean
        cut = float(np.log(d.threshold / (1.0 - d.threshold))) if 0.0 < d.threshold < 1.0 else 0.0
        reach = abs(float(d.weights[last])) * COSINE_SPAN
        if abs(logit - cut) > reach:
            return logit > cut
        cosine = window_similarity() if callable(window_similarity) else window_similarity
        row[last] = cosine - features.get("dense", 0.0)
        return d.probability(row) >= d.threshold

    def score(self, features: dict[str, float]) -> float:
        weights = self._by_name
        return float(sum(weights.get(name, 0.0) * value for name, value in features.items()))

    @cached_property
    def _by_name(self) -> dict[str, float]:
        """Weights by feature name (features a window lacks count 0, so only its own are summed)."""
        return {n: float(w) for n, w in zip(FEATURES, self.weights)}

    def to_dict(self) -> dict:
        data = {"weights": {n: round(float(w), 4) for n, w in zip(FEATURES, self.weights)},
                "threshold": round(float(self.threshold), 4)}
        if self.decider is not None:
            data["decider"] = self.decider.to_dict()
        return data


def model_from(data: dict) -> Model:
    weights = data.get("weights", {})
    return Model(np.array([float(weights.get(n, 0.0)) for n in FEATURES]), float(data.get("threshold", 0.0)),
                 decider_from(data.get("decider")))


@lru_cache(maxsize=1)
def shipped() -> Model:
    """The fitted model shipped with the package (the hand-set defaults if none is)."""
    try:
        data = json.loads((resources.files("qa") / "data" / "answer_weights.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, OSError, json.JSONDecodeError):
        data = {"weights": DEFAULT_WEIGHTS, "threshold": DEFAULT_THRESHOLD}
    return model_from(data)


def matrix(candidates: list[dict[str, float]]) -> np.ndarray:
    """Feature rows of candidates, in :data:`FEATURES` order."""
    return np.array([[c.get(n, 0.0) for n in FEATURES] for c in candidates], dtype=np.float64).reshape(-1, len(FEATURES))


def fit(groups: list[tuple[np.ndarray, np.ndarray]], start: Model | None = None, l2: float = 0.01,
        steps: int = 400, rate: float = 0.5) -> np.ndarray:
    """Weights that put a correct window first: softmax over each question's candidates, maximising
    the probability of its correct ones (``groups``: (features, 0/1 correct) per answerable question)."""
    w = (start.weights.copy() if start is not None else np.zeros(len(FEATURES)))
    groups = [(x, y) for x, y in groups if len(x) and y.any()]
    if not groups:
        return w
    prior = w.copy()
    for _ in range(steps):
        grad = np.zeros_like(w)
        for x, y in groups:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * y
            q /= q.sum()
            grad += x.T @ (p - q)
        grad = grad / len(groups) + l2 * (w - prior)
        w -= rate * grad
    return w


def threshold_gain(t: float, best_scores: list[float], answerable: list[bool], correct: list[bool],
                   max_false_decline: float = 0.025, decline_weight: float = 1.0) -> float:
    """Answer-contains plus ``decline_weight`` × the decline rate when answering above ``t``; a
    threshold that declines more than ``max_false_decline`` of the answerable questions is ruled out."""
    n_ans = max(1, sum(answerable))
    n_un = max(1, sum(not a for a in answerable))
    hit = sum(1 for s, a, c in zip(best_scores, answerable, correct) if a and c and s >= t) / n_ans
    declined = sum(1 for s, a in zip(best_scores, answerable) if not a and s < t) / n_un
    false = sum(1 for s, a in zip(best_scores, answerable) if a and s < t) / n_ans
    return hit + decline_weight * declined - (10.0 if false > max_false_decline else 0.0)


def best_threshold(best_scores: list[float], answerable: list[bool], correct: list[bool], **gain: float) -> float:
    """The decline threshold with the highest :func:`threshold_gain` (each question is answered only
    when its best window scores above it)."""
    pairs = sorted(set(best_scores))
    if not pairs:
        return DEFAULT_THRESHOLD
    cuts = [pairs[0] - 1.0] + [(a + b) / 2 for a, b in zip(pairs, pairs[1:])] + [pairs[-1] + 1.0]
    best = max(cuts, key=lambda t: (round(threshold_gain(t, best_scores, answerable, correct, **gain), 6), -t))
    return float(best)
