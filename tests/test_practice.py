"""Check yourself: every kind of question against PyTorch over many seeds, the checking of typed answers, and the
section in a lesson (AppTest, both languages)."""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from cnnviz import practice
from cnnviz.errors import InvalidInput
from cnnviz.figures import format_number
from tests.apptest import open_app
from ui.practice_view import open_key

SEEDS = range(200)


def _params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _tensor(values) -> torch.Tensor:
    return torch.as_tensor(np.asarray(values), dtype=torch.float64)


def _receptive_field_by_gradient(layers) -> int:
    """How wide the input region is that reaches one output cell: the gradient of cell (0, 0) through a stack of
    all-ones convolutions is non-zero there, from its first column to its last."""
    side = 64
    stack = nn.Sequential(*[nn.Conv2d(1, 1, layer.kernel, layer.stride, bias=False) for layer in layers]).double()
    for conv in stack:
        nn.init.ones_(conv.weight)
    x = torch.zeros(1, 1, side, side, dtype=torch.float64, requires_grad=True)
    stack(x)[0, 0, 0, 0].backward()
    touched = np.flatnonzero(x.grad[0, 0].abs().sum(0).numpy())
    return int(touched[-1] - touched[0] + 1)


def _torch_answer(q: practice.Question):
    v = q.values
    if q.kind == "output_size":
        x, w = torch.zeros(1, 1, v["n"], v["n"]), torch.zeros(1, 1, v["k"], v["k"])
        return F.conv2d(x, w, stride=v["s"], padding=v["p"]).shape[-1]
    if q.kind == "parameters":
        return _params(nn.Conv2d(v["c_in"], v["c_out"], v["k"], bias=v["bias"]))
    if q.kind == "dot_product":
        return F.conv2d(_tensor(v["window"])[None, None], _tensor(v["kernel"])[None, None],
                        _tensor([v["bias"]])).item()
    if q.kind == "max_pool":
        pool = F.max_pool2d if v["mode"] == "max" else F.avg_pool2d
        return pool(_tensor(v["grid"])[None, None], 2, 2)[0, 0].numpy()
    if q.kind == "receptive_field":
        return _receptive_field_by_gradient(v["layers"])
    if q.kind == "softmax":
        return torch.softmax(_tensor(v["logits"]), 0).numpy()
    if q.kind == "channel_sum":
        return F.conv2d(_tensor(v["window"])[None], _tensor(v["kernel"])[None], _tensor([v["bias"]])).item()
    if q.kind == "cross_entropy":
        return F.cross_entropy(torch.log(_tensor(v["probabilities"]))[None], torch.tensor([v["label"]])).item()
    convs = [nn.Conv2d(a, b, 3, padding=1) for a, b in practice.vgg_layers(v["c_in"], v["c_out"], v["convs"])]
    return _params(nn.Sequential(*[m for conv in convs for m in (conv, nn.ReLU())]))


@pytest.mark.parametrize("kind", practice.KINDS)
def test_answers_agree_with_torch(kind):
    for seed in SEEDS:
        q = practice.generate(kind, seed)
        np.testing.assert_allclose(q.answer, _torch_answer(q), rtol=0, atol=1e-9, err_msg=f"{kind} seed {seed}")


def _one_decimal_at_most(value) -> bool:
    tenths = np.asarray(value, dtype=float) * 10
    return bool(np.allclose(tenths, np.round(tenths)))


@pytest.mark.parametrize("kind", practice.KINDS)
def test_numbers_are_fair_and_fresh_for_each_seed(kind):
    shown = set()
    for seed in SEEDS:
        q = practice.generate(kind, seed)
        again = practice.generate(kind, seed)
        assert repr(q.values) == repr(again.values) and np.array_equal(q.answer, again.answer), (kind, seed)
        for name, value in q.values.items():
            if isinstance(value, (np.ndarray, float, int)):
                assert _one_decimal_at_most(value), (kind, seed, name, value)
                assert np.all(np.abs(value) <= 128), (kind, seed, name, value)
        shown.add(repr(q.values))
    least = 12 if kind == "vgg_block" else 40      # a VGG block keeps its width or doubles it: few kinds
    assert len(shown) >= least, f"only {len(shown)} different {kind} questions in {len(SEEDS)} seeds"


def test_output_size_includes_cases_that_do_not_divide():
    questions = [practice.generate("output_size", seed) for seed in SEEDS]
    floors = [q for q in questions if (q.values["n"] + 2 * q.values["p"] - q.values["k"]) % q.values["s"]]
    assert 0.2 < len(floors) / len(questions) < 0.6
    assert all(q.variant == "floor" for q in floors)
    assert all(q.variant == "exact" for q in questions if q not in floors)
    for q in floors[:10]:
        assert q.answer == (q.values["n"] + 2 * q.values["p"] - q.values["k"]) // q.values["s"] + 1
        assert "lfloor" in practice.solution_view(q, "en").latex[0] and practice.solution_view(q, "en").note


@pytest.mark.parametrize("kind", practice.KINDS)
def test_check_takes_the_answer_and_refuses_a_wrong_one(kind):
    for seed in range(40):
        q = practice.generate(kind, seed)
        answer = np.ravel(q.answer).astype(float)
        assert practice.check(q, q.answer_text).correct, (kind, seed, q.answer_text)
        near = answer + 0.9 * q.tolerance
        assert practice.check(q, " ".join(repr(float(v)) for v in near)).correct
        wrong = answer.copy()
        wrong[-1] += max(3 * q.tolerance, 1)
        assert not practice.check(q, ", ".join(repr(float(v)) for v in wrong)).correct
        for junk in ("", "abc", "1 2 3 4 5 6", "1/0", "nan"):
            with pytest.raises(InvalidInput):
                practice.check(q, junk)


@pytest.mark.parametrize("text, count, numbers", [
    ("1,792", 1, (1792.0,)), ("１２", 1, (12.0,)), ("−0.5", 1, (-0.5,)), ("17/4", 1, (4.25,)), (".5", 1, (0.5,)),
    ("70%, 20%,10%", 3, (0.7, 0.2, 0.1)), ("[[5, 7],\n [3, 9]]", 4, (5.0, 7.0, 3.0, 9.0)),
    ("0.2、0.3、0.5", 3, (0.2, 0.3, 0.5)), ("１．５；２", 2, (1.5, 2.0)), ("1,5", 2, (1.0, 5.0)),
])
def test_typed_forms_are_read(text, count, numbers):
    assert practice.parse_answer(text, count) == pytest.approx(numbers)


def test_unreadable_answers_say_why_in_the_users_language():
    with pytest.raises(InvalidInput) as error:
        practice.parse_answer("3 or 4", 1)
    assert "or" in str(error.value) and "or" in error.value.localized("ko") and "수가 아닙니다" in error.value.localized("ko")
    with pytest.raises(InvalidInput) as error:
        practice.parse_answer("1 2", 4)
    assert "4 numbers" in str(error.value) and "4개" in error.value.localized("ko")


def _bold(latex: str) -> str:
    return re.findall(r"\\mathbf\{(.*?)\}(?:\s|\\|$)", latex)[-1].replace("{,}", "")


@pytest.mark.parametrize("kind", ["output_size", "parameters", "dot_product", "receptive_field", "channel_sum",
                                  "vgg_block"])
def test_worked_solution_ends_on_the_answer(kind):
    for seed in range(20):
        q = practice.generate(kind, seed)
        view = practice.solution_view(q, "ko")
        formula = view.latex[0 if kind == "output_size" else -1]     # output size: the general formula
        assert _bold(formula) == format_number(float(q.answer)), (kind, seed)


def test_every_lesson_set_has_two_or_three_questions_and_their_figures():
    for lesson, kinds in practice.LESSON_KINDS.items():
        questions = practice.lesson_set(lesson, 7)
        assert 2 <= len(questions) <= 3 and [q.kind for q in questions] == list(kinds)
        assert len({repr(q.values) for q in questions}) == len(questions)
        for q in questions:
            assert all("data" in f for f in practice.question_figures(q, "en"))


@pytest.mark.parametrize("lang, hint, solution, right", [("en", "Hint", "Worked solution", "Right"),
                                                          ("ko", "힌트", "풀이", "정답입니다")])
def test_a_lesson_gives_a_hint_then_the_solution_and_keeps_the_score(lang, hint, solution, right):
    at = open_app(lang, "pages/convolution.py")
    assert "practice_convolution_seed" not in at.session_state         # closed: no question made yet
    at.session_state[open_key("convolution")] = True
    at.run()
    seed = at.session_state["practice_convolution_seed"]
    first, second = practice.lesson_set("convolution", seed)
    key = f"practice_convolution_{seed}_0"
    wrong = str(first.answer + 1)

    at.text_input(key=key).set_value(wrong).run()
    at.button(key=f"{key}_check").click().run()
    assert any(hint in i.value for i in at.info) and not any(solution in m.value for m in at.markdown)
    assert at.session_state["practice_score"] == {"correct": 0, "attempted": 1}

    at.button(key=f"{key}_check").click().run()
    assert any(solution in m.value for m in at.markdown)
    assert any(rf"\mathbf{{{first.answer}}}" in x.value for x in at.latex)

    other = f"practice_convolution_{seed}_1"
    at.text_input(key=other).set_value(second.answer_text).run()
    at.button(key=f"{other}_check").click().run()
    assert any(right in s.value for s in at.success)
    assert at.session_state["practice_score"] == {"correct": 1, "attempted": 2}
    assert not at.exception

    at.button(key="practice_convolution_new").click().run()
    assert at.session_state["practice_convolution_seed"] == seed + 1
