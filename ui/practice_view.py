"""Check yourself: a lesson's short set of questions (cnnviz.practice), with hints, worked solutions and a score.

Every key here starts with ``practice_``: answers and seeds belong to one student's session, never to a link.
Buttons act through callbacks, which run before the section is drawn, so the drawing always shows the state
they left.
"""

from __future__ import annotations

import secrets

import streamlit as st

from cnnviz import practice
from cnnviz.errors import InvalidInput
from cnnviz.i18n import get_language, t
from ui.common import fragment, show_figure
from ui.grid_editor import editor_section

SCORE_KEY = "practice_score"     # {"correct": n, "attempted": n} over every lesson of the session


def seed_key(lesson: str) -> str:
    return f"practice_{lesson}_seed"


def open_key(lesson: str) -> str:
    return f"practice_{lesson}_open"


def answer_key(lesson: str, seed: int, index: int) -> str:
    return f"practice_{lesson}_{seed}_{index}"


def _state(key: str) -> dict:
    """One question's progress: wrong answers so far, whether it is solved, the last unreadable input."""
    return st.session_state.setdefault(f"{key}_state", {"wrong": 0, "solved": False, "error": None})


def _new_questions(lesson: str) -> None:
    st.session_state[seed_key(lesson)] += 1


def _check(key: str, question: practice.Question) -> None:
    state = _state(key)
    try:
        verdict = practice.check(question, st.session_state.get(key, ""))
    except InvalidInput as error:
        state["error"] = error                  # shown in the student's language when the set is drawn
        return
    state["error"] = None
    score = st.session_state.setdefault(SCORE_KEY, {"correct": 0, "attempted": 0})
    if state["wrong"] == 0:
        score["attempted"] += 1                 # a question counts once, at its first readable answer
    if verdict.correct:
        state["solved"] = True
        score["correct"] += state["wrong"] < 2  # right before the solution was shown
    else:
        state["wrong"] += 1


def check_yourself(lesson: str) -> None:
    """The lesson's set of questions at the end of its page, in a section that opens on request and is drawn
    (its questions made, their grids sent) only while open."""
    if lesson not in practice.LESSON_KINDS:
        return
    with (section := editor_section(t("practice.title"), key=open_key(lesson), icon=":material/quiz:")):
        if section.open:
            _question_set(lesson)


@fragment
def _question_set(lesson: str) -> None:
    """Only this section reruns when the student checks an answer."""
    seed = st.session_state.setdefault(seed_key(lesson), secrets.randbelow(1_000_000))
    score = st.session_state.get(SCORE_KEY)
    top, button = st.columns([3, 1], vertical_alignment="center")
    top.markdown(t("practice.score", **score) if score else t("practice.score_none"))
    button.button(t("practice.new_questions"), icon=":material/casino:", key=f"practice_{lesson}_new",
                  on_click=_new_questions, args=(lesson,), width="stretch")
    st.caption(t("practice.intro"))
    for index, question in enumerate(practice.lesson_set(lesson, seed)):
        _question(question, answer_key(lesson, seed, index), index + 1)


def _question(question: practice.Question, key: str, number: int) -> None:
    lang, state = get_language(), _state(key)
    values = practice.prompt_values(question, lang)
    st.markdown(f"**{t('practice.question', number=number)}.** {t(question.prompt_key, **values)}")
    grids = practice.question_figures(question, lang)
    for n, (column, figure) in enumerate(zip(st.columns(len(grids)) if len(grids) > 1 else [st.container()], grids)):
        with column:                   # a colour filter's three channels side by side; stacked on a phone
            show_figure(figure, key=f"{key}_figure_{n}")
    label = t("practice.answer_one") if question.count == 1 else t("practice.answer_many", count=question.count)
    field, button, _ = st.columns([2, 1, 2], vertical_alignment="bottom")
    field.text_input(label, key=key, disabled=state["solved"])
    button.button(t("practice.check"), key=f"{key}_check", on_click=_check, args=(key, question),
                  disabled=state["solved"], width="stretch")
    if state["error"] is not None:
        st.warning(state["error"].localized(lang), icon=":material/info:")
    if state["solved"]:
        st.success(t("practice.right" if state["wrong"] < 2 else "practice.right_late", answer=question.answer_text),
                   icon=":material/check_circle:")
    elif state["wrong"]:
        st.error(t("practice.wrong"), icon=":material/close:")
    if state["wrong"] == 1 and not state["solved"]:       # the worked solution takes the hint's place
        st.info(f"**{t('practice.hint')}:** {t(question.hint_key, **values)}", icon=":material/lightbulb:")
    if state["wrong"] >= 2:
        _solution(question, key, lang)


def _solution(question: practice.Question, key: str, lang: str) -> None:
    view = practice.solution_view(question, lang)
    st.markdown(f"**{t('practice.solution')}.** {t(question.solution_key)} "
                f"{t('practice.solution_answer', answer=question.answer_text)}")
    for n, figure in enumerate(view.figures):
        show_figure(figure, key=f"{key}_solution_{n}")
    for formula in view.latex:
        st.latex(formula)
    if view.note:
        st.caption(view.note)
