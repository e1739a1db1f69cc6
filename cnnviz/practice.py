"""Check yourself: questions made from a seed, answered by cnnviz's own functions, and the student's answer checked.

``generate(kind, seed)`` picks numbers a student can work with on paper (small whole numbers, one decimal at
most) and computes the answer with the function the lesson uses (``cnnviz.ops``, ``arithmetic``, ``steps``,
``activations``, ``backprop``): a question never has an answer of its own making. The same seed always gives
the same question. ``check(question, text)`` reads what the student typed and compares it within the
question's tolerance; text that is not numbers, or not as many as asked for, raises ``InvalidInput``.

A question's wording lives in the catalog's ``practice`` table: ``prompt_key``, ``hint_key`` and
``solution_key`` with ``text_values``; ``question_figures`` and ``solution_view`` give the grids and the
worked LaTeX, the same views the lessons draw.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from cnnviz import arithmetic, backprop, figures, formulas, ops, steps
from cnnviz.activations import softmax_steps
from cnnviz.errors import InvalidInput
from cnnviz.figures import Panel, format_number
from cnnviz.i18n import DEFAULT_LANGUAGE, catalog, t

LESSON_KINDS = {
    "home": ("parameters", "parameters"),
    "convolution": ("output_size", "dot_product"),
    "conv_arithmetic": ("output_size", "parameters", "receptive_field"),
    "pooling": ("max_pool", "max_pool"),
    "activations": ("softmax", "softmax"),
    "filters": ("dot_product", "dot_product"),
    "channels": ("channel_sum", "parameters"),
    "architectures": ("vgg_block", "parameters"),
    "training": ("cross_entropy", "cross_entropy"),
}
COLOUR_NAMES = ("red", "green", "blue")


@dataclass(frozen=True, eq=False)
class Question:
    kind: str
    seed: int
    values: dict               # the numbers of the question (ints, floats, numpy arrays)
    answer: float | np.ndarray
    tolerance: float           # absolute; 0 for whole-number answers
    variant: str = ""          # which wording: "floor", "bias", "avg", ...
    text_values: dict = field(default_factory=dict)   # the numbers as the catalog's messages print them

    @property
    def count(self) -> int:
        """How many numbers the answer has."""
        return int(np.size(self.answer))

    def _key(self, part: str) -> str:
        """The kind's message for ``part``, worded for the variant where the catalog words it apart."""
        plain = f"practice.{self.kind}.{part}"
        variant = f"{plain}_{self.variant}"
        return variant if self.variant and variant in catalog(DEFAULT_LANGUAGE) else plain

    @property
    def prompt_key(self) -> str:
        return self._key("prompt")

    @property
    def hint_key(self) -> str:
        return self._key("hint")

    @property
    def solution_key(self) -> str:
        return self._key("solution")

    @property
    def answer_text(self) -> str:
        return ", ".join(format_number(float(v)) for v in np.ravel(self.answer))


# ---------------------------------------------------------------- questions

def _output_size(rng: np.random.Generator, seed: int) -> Question:
    floor = rng.random() < 0.4          # about two questions in five round down
    while True:
        n, k = int(rng.integers(5, 33)), int(rng.choice([1, 2, 3, 3, 5, 5, 7]))
        p, s = int(rng.integers(0, 4)), int(rng.integers(1, 5))
        if k > n + 2 * p or (floor and s == 1):
            continue
        axis = arithmetic.AxisArithmetic(n, k, s, 1, p, p)
        if axis.divides != floor:
            values = {"n": n, "k": k, "p": p, "s": s}
            return Question("output_size", seed, values, ops.output_size(n, k, s, p), 0,
                            "floor" if floor else "exact", dict(values))


def _parameters(rng: np.random.Generator, seed: int) -> Question:
    k = int(rng.choice([1, 3, 3, 5]))
    c_in, c_out = int(rng.choice([1, 3, 8, 16, 32, 64])), int(rng.choice([4, 8, 16, 32, 64]))
    bias = bool(rng.random() < 0.7)
    values = {"k": k, "c_in": c_in, "c_out": c_out, "bias": bias}
    return Question("parameters", seed, values, arithmetic.conv_params(k, c_in, c_out, bias), 0,
                    "bias" if bias else "no_bias", {"k": k, "c_in": c_in, "c_out": c_out})


def _dot_product(rng: np.random.Generator, seed: int) -> Question:
    decimal = bool(rng.random() < 0.5)
    if decimal:       # one-decimal pixels (0.0 .. 1.0) and a one-decimal bias
        window = rng.integers(0, 11, (3, 3)) / 10
        bias = int(rng.integers(-10, 11)) / 10
    else:
        window = rng.integers(0, 10, (3, 3)).astype(float)
        bias = float(rng.integers(-3, 4))
    kernel = rng.integers(-2, 3, (3, 3)).astype(float)
    step = steps.conv_trace(window, kernel, bias).steps[0]
    return Question("dot_product", seed, {"window": window, "kernel": kernel, "bias": bias}, step.value,
                    0.05 if decimal else 0, "", {"bias": format_number(bias)})


def _max_pool(rng: np.random.Generator, seed: int) -> Question:
    mode = "max" if rng.random() < 0.5 else "avg"
    grid = rng.integers(0, 10, (4, 4)).astype(float)
    output = steps.pool_trace(grid, 2, 2, 0, mode).output
    return Question("max_pool", seed, {"grid": grid, "mode": mode}, output, 0 if mode == "max" else 0.01, mode)


def _receptive_field(rng: np.random.Generator, seed: int) -> Question:
    count = int(rng.integers(2, 5))
    layers = []
    while len(layers) < count:      # a window narrower than its stride would skip pixels: not drawn here
        layer = arithmetic.Layer(int(rng.choice([1, 2, 3, 3, 5])), int(rng.choice([1, 1, 2])))
        layers += [layer] if layer.kernel >= layer.stride else []
    layers = tuple(layers)
    return Question("receptive_field", seed, {"layers": layers}, arithmetic.receptive_fields(list(layers))[-1], 0,
                    "", {"count": count})


def _softmax(rng: np.random.Generator, seed: int) -> Question:
    while True:         # whole-number logits at most 3 apart: e^0, e^-1, e^-2 and e^-3 are all the hint needs
        logits = rng.integers(-1, 4, 3).astype(float)
        if np.ptp(logits) <= 3 and np.unique(logits).size > 1:
            break
    probabilities = softmax_steps(logits).probabilities
    return Question("softmax", seed, {"logits": logits}, probabilities, 0.01, "",
                    {"z1": format_number(logits[0]), "z2": format_number(logits[1]), "z3": format_number(logits[2])})


def _channel_sum(rng: np.random.Generator, seed: int) -> Question:
    """The red and green channels' sums are given; the blue one is worked out, then all three and the bias added."""
    window = rng.integers(0, 4, (3, 3, 3)).astype(float)
    kernel = rng.integers(-1, 2, (3, 3, 3)).astype(float)
    bias = float(rng.integers(-2, 3))
    step = steps.conv_trace(window, kernel, bias).steps[0]
    red, green, _ = (format_number(float(s)) for s in step.channel_sums)
    return Question("channel_sum", seed, {"window": window, "kernel": kernel, "bias": bias}, step.value, 0, "",
                    {"red": red, "green": green, "bias": format_number(bias)})


def _cross_entropy(rng: np.random.Generator, seed: int) -> Question:
    while True:         # three one-decimal probabilities, each at least 0.1, summing to 1
        first, second = (int(v) for v in rng.integers(1, 9, 2))
        if first + second <= 9:
            break
    probabilities = np.array([first, second, 10 - first - second]) / 10
    label = int(rng.integers(0, 3))
    loss = backprop.cross_entropy(np.log(probabilities), label).loss
    return Question("cross_entropy", seed, {"probabilities": probabilities, "label": label}, loss, 0.01, "",
                    {"p0": format_number(probabilities[0]), "p1": format_number(probabilities[1]),
                     "p2": format_number(probabilities[2]), "label": label})


def vgg_layers(c_in: int, c_out: int, convs: int) -> list[tuple[int, int]]:
    """A VGG block's 3x3 convolutions as (input channels, output channels): the first changes the width."""
    return [(c_in, c_out)] + [(c_out, c_out)] * (convs - 1)


def _vgg_block(rng: np.random.Generator, seed: int) -> Question:
    convs = int(rng.choice([2, 3]))
    c_in = int(rng.choice([3, 8, 16, 32]))
    c_out = 16 if c_in == 3 else c_in * int(rng.choice([1, 2]))     # VGG keeps the width or doubles it
    answer = sum(arithmetic.conv_params(3, a, b) for a, b in vgg_layers(c_in, c_out, convs))
    values = {"convs": convs, "c_in": c_in, "c_out": c_out}
    return Question("vgg_block", seed, values, answer, 0, "", dict(values))


_MAKERS = {"output_size": _output_size, "parameters": _parameters, "dot_product": _dot_product,
           "max_pool": _max_pool, "receptive_field": _receptive_field, "softmax": _softmax,
           "channel_sum": _channel_sum, "cross_entropy": _cross_entropy, "vgg_block": _vgg_block}
KINDS = tuple(_MAKERS)


def generate(kind: str, seed: int) -> Question:
    """The question of ``kind`` that ``seed`` makes: the same every time for the same seed."""
    if kind not in _MAKERS:
        raise InvalidInput("practice.errors.unknown_kind", value=kind, choices=", ".join(KINDS))
    return _MAKERS[kind](np.random.default_rng([int(seed), KINDS.index(kind)]), int(seed))


def lesson_set(lesson: str, seed: int) -> list[Question]:
    """The lesson's short set of questions for ``seed`` (none for a lesson without a set)."""
    return [generate(kind, seed * 8 + index) for index, kind in enumerate(LESSON_KINDS.get(lesson, ()))]


# ---------------------------------------------------------------- checking

@dataclass(frozen=True)
class Verdict:
    correct: bool
    given: tuple[float, ...]


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_SEPARATORS = re.compile(r"[\s,;、]+")
_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "﹣": "-"})


def _read_number(token: str) -> float:
    """One number: 2, -0.5, .25, 17/4 or 70%."""
    body = token[:-1] if token.endswith("%") else token
    parts = body.split("/")
    if len(parts) > 2 or not all(_NUMBER.fullmatch(part) for part in parts) or \
            (len(parts) == 2 and float(parts[1]) == 0):
        raise InvalidInput("practice.errors.not_number", token=token)
    value = float(parts[0]) / (float(parts[1]) if len(parts) == 2 else 1.0)
    return value / 100 if token.endswith("%") else value


def parse_answer(text: str, count: int) -> tuple[float, ...]:
    """The ``count`` numbers in ``text``: separated by commas, spaces, semicolons or new lines; full-width
    digits and punctuation (as a Korean keyboard may type them), a Unicode minus, fractions (17/4), percentages
    and thousands separators (1,792 when one number is asked for) are read too."""
    text = unicodedata.normalize("NFKC", str(text)).translate(_DASHES)
    text = re.sub(r"[\[\]()]", " ", text).strip()
    if count == 1:
        text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)
    tokens = [token for token in _SEPARATORS.split(text) if token]
    if not tokens:
        raise InvalidInput("practice.errors.empty", count=count)
    numbers = tuple(_read_number(token) for token in tokens)
    if len(numbers) != count:
        raise InvalidInput("practice.errors.count", count=count, given=len(numbers))
    return numbers


def check(question: Question, text: str) -> Verdict:
    """Whether ``text`` gives the question's answer within its tolerance."""
    given = parse_answer(text, question.count)
    difference = np.abs(np.asarray(given) - np.ravel(question.answer))
    return Verdict(bool(np.all(difference <= question.tolerance + 1e-9)), given)


# ---------------------------------------------------------------- views

def prompt_values(question: Question, lang: str) -> dict:
    """The values the question's messages need, in ``lang``."""
    if question.kind != "receptive_field":
        return question.text_values
    listing = " → ".join(t("practice.receptive_field.layer", lang, k=layer.kernel, s=layer.stride)
                         for layer in question.values["layers"])
    return question.text_values | {"layers": listing}


@dataclass(frozen=True)
class SolutionView:
    latex: list[str]           # worked formulas, one st.latex each
    figures: list[dict]        # grids as the lesson draws them
    note: str = ""             # a sentence under them (already translated)


def question_figures(question: Question, lang: str) -> list[dict]:
    """The grids a question shows with its prompt."""
    v = question.values
    if question.kind == "dot_product":
        return [figures.value_grids([Panel(v["window"], t("convolution.window", lang), figures.PALETTE["input"]),
                                     Panel(v["kernel"], t("convolution.kernel", lang), figures.PALETTE["kernel"])])]
    if question.kind == "max_pool":
        return [figures.value_grid(v["grid"], t("pooling.input", lang), figures.PALETTE["input"])]
    if question.kind == "channel_sum":
        return [_channel_figure(v["window"][c], v["kernel"][c], colour, lang)
                for c, colour in enumerate(COLOUR_NAMES)]
    return []


def _channel_figure(window, kernel, colour: str, lang: str) -> dict:
    name = t(f"practice.channel_sum.{colour}", lang)
    return figures.value_grids([Panel(window, t("practice.channel_sum.window", lang, channel=name),
                                      figures.PALETTE["input"]),
                                Panel(kernel, t("practice.channel_sum.kernel", lang, channel=name),
                                      figures.PALETTE["kernel"])])


def solution_view(question: Question, lang: str) -> SolutionView:
    """The worked answer, drawn as the lesson draws it: the formula with the question's numbers in."""
    v = question.values
    if question.kind == "output_size":
        axis = arithmetic.AxisArithmetic(v["n"], v["k"], v["s"], 1, v["p"], v["p"])
        latex = [formulas.output_size_general(axis, "H", "K")]
        latex += [simple] if (simple := formulas.output_size_simple(axis, "H", "K")) else []
        note = "" if axis.divides else t("convolution.not_divides", lang, numerator=axis.numerator,
                                         stride=axis.stride, unreached=axis.unreached)
        return SolutionView(latex, [], note)
    if question.kind == "parameters":
        return SolutionView([formulas.layer_parameters(v["k"], v["c_in"], v["c_out"], v["bias"])], [])
    if question.kind == "vgg_block":
        return SolutionView([formulas.block_parameters(vgg_layers(v["c_in"], v["c_out"], v["convs"]), 3)], [])
    if question.kind == "dot_product":
        step = steps.conv_trace(v["window"], v["kernel"], v["bias"]).steps[0]
        return SolutionView([formulas.step_formula(step, v["kernel"])],
                            [figures.conv_step_grids(step, v["kernel"], _step_labels(lang))])
    if question.kind == "max_pool":
        trace = steps.pool_trace(v["grid"], 2, 2, 0, v["mode"])
        grids = figures.value_grids([Panel(v["grid"], t("pooling.input", lang), figures.PALETTE["input"]),
                                     Panel(trace.output, t("pooling.output_label", lang), figures.PALETTE["output"])])
        return SolutionView([formulas.pool_step_formula(step, v["mode"], cell=True) for step in trace.steps], [grids])
    if question.kind == "receptive_field":
        layers = list(v["layers"])
        return SolutionView([formulas.receptive_field_steps(layers, arithmetic.receptive_fields(layers))], [])
    if question.kind == "softmax":
        return SolutionView([formulas.softmax_numbers(softmax_steps(v["logits"]))], [])
    if question.kind == "channel_sum":
        trace = steps.conv_trace(v["window"], v["kernel"], v["bias"])
        blue = steps.conv_trace(v["window"][2], v["kernel"][2]).steps[0]
        return SolutionView([formulas.step_formula(blue, v["kernel"][2], name=r"\mathrm{B}"),
                             formulas.channel_sum_formula(trace.steps[0])], [])
    ce = backprop.cross_entropy(np.log(v["probabilities"]), v["label"])
    return SolutionView([formulas.cross_entropy_formula(v["label"], float(ce.probabilities[v["label"]]), ce.loss)], [])


def _step_labels(lang: str) -> dict[str, str]:
    return {name: t(f"convolution.{name}", lang) for name in ("window", "kernel", "products", "value")}
