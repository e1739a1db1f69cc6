"""Per-run setup every page relies on: the language, presenter mode and friendly errors."""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import plotly.io
from plotly.graph_objects import Figure

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from cnnviz import i18n
from cnnviz.errors import InvalidInput
from cnnviz.presenter import presenter_figure
from ui.caching import shared
from ui.shell import lesson_page

_LOGGER = logging.getLogger(__name__)
LANGUAGE_KEY = "language"
LESSON_MAIN = "lesson_main"                # ui/style.css lays this container out by screen width
LESSON_PRESENT = "lesson_present"          # the same in presenter mode, laid out by ui/presenter.css
SHOWN_LANGUAGE_KEY = "language_shown"      # the language of the last run, to notice a switch
PRESENTER_KEY = "presenter"                # whether this session shows the lessons for a projector
PRESENT_PARAM = "present"                  # its query parameter: "1" while on, absent while off


def resolve_language() -> str:
    """The ``lang`` query parameter, then the last choice in this session, then the browser's locale.

    The choice is written back to the URL, so a copied link opens in the same
    language, and kept in the session, so moving between pages keeps it.
    """
    requested = st.query_params.get("lang") or st.session_state.get(LANGUAGE_KEY)
    lang = i18n.pick_language(requested, st.context.locale)
    i18n.set_language(lang)
    if st.session_state.get(SHOWN_LANGUAGE_KEY, lang) != lang:
        _resend_choices()
    st.session_state[LANGUAGE_KEY] = st.session_state[SHOWN_LANGUAGE_KEY] = lang
    if st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang
    return lang


def _resend_choices() -> None:
    """Make every choice widget show its option in the new language, keeping what is chosen.

    A select box, radio, multiselect, segmented control or tab sends the browser the
    label of its option, not the option: after a switch the browser would keep showing
    the old language's label (or nothing, for a radio) until the next interaction.
    Writing a value back through the session makes Streamlit send the value again,
    now under its new label. So choices take text or integer options (never None or
    bools): only such values are written back, because buttons, uploads and data
    editors hold bools, None, files or dicts and refuse writes. Writing back a slider's
    number or a plain session entry is harmless.
    """
    for key in list(st.session_state.keys()):
        if _is_choice_value(value := st.session_state[key]):
            st.session_state[key] = value


def _is_choice_value(value) -> bool:
    """A str or int option (not a bool), or a non-empty list of them (a multiselect's)."""
    options = value if isinstance(value, list) and value else [value]
    return all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in options)


def _language_chosen(widget_key: str) -> None:
    st.session_state[LANGUAGE_KEY] = st.session_state[widget_key]
    st.query_params["lang"] = st.session_state[widget_key]


def language_selector() -> None:
    """A selectbox showing the current language. Its key names the language, so the
    widget is rebuilt (never stale) whenever the language changes from elsewhere, a link say."""
    lang = i18n.get_language()
    codes = list(i18n.LANGUAGES)
    widget_key = f"language_picker_{lang}"
    st.selectbox(i18n.t("app.language"), codes, index=codes.index(lang), key=widget_key,
                 format_func=i18n.LANGUAGES.get, on_change=_language_chosen, args=(widget_key,))


def resolve_presenter() -> bool:
    """Presenter mode: the ``present`` query parameter ("1" is on, any other value off), then the last choice
    in this session; off at first.

    Like the language, it is kept in the session, so moving between pages keeps it, and written back to
    the URL (``present=1`` while on, no parameter while off), so a copied link opens the same way.
    """
    requested = st.query_params.get(PRESENT_PARAM)
    on = requested == "1" if requested is not None else bool(st.session_state.get(PRESENTER_KEY, False))
    _presenter_chosen(on)
    return on


def presenting() -> bool:
    """Whether this session is in presenter mode (``resolve_presenter`` decided it at the top of the run)."""
    return bool(st.session_state.get(PRESENTER_KEY, False))


def _presenter_toggled(widget_key: str) -> None:
    _presenter_chosen(st.session_state[widget_key])


def _presenter_chosen(on: bool) -> None:
    """Keep the choice in the session and in the URL (written only when it changes)."""
    st.session_state[PRESENTER_KEY] = on
    if on and st.query_params.get(PRESENT_PARAM) != "1":
        st.query_params[PRESENT_PARAM] = "1"
    elif not on and PRESENT_PARAM in st.query_params:
        del st.query_params[PRESENT_PARAM]


def presenter_toggle() -> None:
    """The sidebar's switch. Like the language picker's, its key names the state, so a link that changes it
    rebuilds the switch rather than leaving it stale."""
    on = presenting()
    widget_key = f"presenter_toggle_{on}"
    st.toggle(i18n.t("presenter.toggle"), value=on, key=widget_key, help=i18n.t("presenter.toggle_help"),
              on_change=_presenter_toggled, args=(widget_key,))


def presenter_exit() -> None:
    """In presenter mode, a button at the top of the page that ends it (the sidebar with the switch is closed);
    ui/presenter.css pins it beside Streamlit's own menu."""
    if presenting():
        st.button(i18n.t("presenter.exit"), key="presenter_exit", icon=":material/close_fullscreen:",
                  on_click=_presenter_chosen, args=(False,))


def link_params() -> dict[str, str]:
    """The query parameters a link to another lesson carries: the language, and presenter mode while it is on."""
    return {"lang": i18n.get_language()} | ({PRESENT_PARAM: "1"} if presenting() else {})


def fragment(func=None, *, run_every: float | None = None):
    """``st.fragment`` that keeps the session's language (``run_every``: rerun it on its own that often, in s).

    A widget inside a fragment reruns only the fragment, not app.py, and the run
    happens in a fresh thread where the language app.py chose is unset (English):
    the section would switch language under the student's hand. The choice is
    restored from the session before the section runs.
    """
    if func is None:
        return functools.partial(fragment, run_every=run_every)

    @functools.wraps(func)
    def in_session_language(*args, **kwargs):
        i18n.set_language(st.session_state.get(LANGUAGE_KEY, i18n.get_language()))
        with page_guard():           # a fragment's own rerun does not pass through app.py's guard
            return func(*args, **kwargs)

    return st.fragment(in_session_language, run_every=run_every)


@contextmanager
def friendly_errors():
    """Show impossible input as a message in the user's language; the page keeps running."""
    try:
        yield
    except InvalidInput as error:
        st.warning(error.localized(), icon=":material/info:")


def result_or_stop(func, *args):
    """``func(*args)``; on impossible input, its message in the user's language, and the page stops there."""
    with friendly_errors():
        return func(*args)
    st.stop()


@contextmanager
def page_guard():
    """Whatever a lesson did not expect becomes one sentence in the user's language, and the app goes on.

    Streamlit's box for an uncaught exception is in English and links to outside sites ("Ask Google",
    "Ask ChatGPT") whatever ``client.showErrorDetails`` says; nothing reaches it. The traceback goes to
    the server's log, for whoever runs the app.
    """
    try:
        with friendly_errors():
            yield
    except Exception:
        _LOGGER.exception("A lesson failed")
        st.error(i18n.t("errors.unexpected"), icon=":material/error:")


def figure_and_controls():
    """A lesson whose animation is the point: (the figure's wide column, and beside it, the main controls'
    container and the extras' below them). ui/style.css rearranges them where the two columns do not fit
    side by side: between a phone and a wide screen (a projector, a zoomed browser) the main controls come
    first, in rows, then the figure, then the extras; on a phone the columns stack, the figure first."""
    with st.container(key=LESSON_PRESENT if presenting() else LESSON_MAIN):
        figure, controls = st.columns([3, 1], gap="medium")
    with controls:
        return figure, st.container(), st.container()


PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
FIXED_CONFIG = {"displaylogo": False, "modeBarButtons": [["toImage"]]}     # nothing to zoom: only the camera


class CheckedFigure(Figure):
    """A figure validated once, when it is made, that hands over the same checked dict ever after.

    ``st.plotly_chart`` turns a ``go.Figure`` into a dict on every rerun, deep-copying
    every frame (about 25 ms for a 12x12 animation); this one gives the dict it
    made at construction. Treat it as read-only, like everything a cache returns.
    """

    def __init__(self, figure: dict):
        super().__init__(figure)
        self._checked = super().to_dict()
        self._presented: CheckedFigure | None = None

    def presented(self) -> CheckedFigure:
        """This figure drawn for a projector (``cnnviz.presenter``): made on first use and kept beside it, so
        a cached figure and its presenter twin are never confused and each is validated once."""
        if self._presented is None:
            self._presented = CheckedFigure(presenter_figure(self._checked))
        return self._presented

    @property
    def sized(self) -> bool:
        """Whether the figure sets its own width; read from the dict, as ``layout.width`` costs a validator lookup."""
        return "width" in self._checked["layout"]

    @property
    def zoomable(self) -> bool:
        """Whether any axis may be zoomed or panned (a figure with no axis of its own may)."""
        axes = [value for name, value in self._checked["layout"].items() if name.startswith(("xaxis", "yaxis"))]
        return not axes or not all(axis.get("fixedrange") for axis in axes)

    def to_dict(self) -> dict:
        return self._checked


@shared(max_entries=256)
def _validated(_figure: dict, fingerprint: str) -> CheckedFigure:
    return CheckedFigure(_figure)


def image_options(key: str | None) -> dict:
    """What the camera button saves: a PNG at twice the size (sharp on a slide), named
    ``cnnviz-<lesson>-<figure>.png`` after the lesson's page and the chart's key, or else the function that
    shows it (``step_arithmetic``, ``global_pooling``...): the same name in every language."""
    ctx = get_script_run_ctx()
    page = ctx.pages_manager.get_pages().get(ctx.page_script_hash) if ctx else None
    lesson = Path(page["script_path"]).stem if page else "app"
    name = (key or _caller()).removeprefix(f"{lesson}_")         # "transfer_network" on the transfer lesson
    return {"filename": re.sub(r"[^a-z0-9]+", "-", f"cnnviz-{lesson}-{name}".lower()).strip("-"), "format": "png",
            "scale": 2}


def _caller() -> str:
    """The name of the function outside this module that is showing a figure ("figure" for a page's top level)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    return "figure" if frame is None or frame.f_code.co_name.startswith("<") else frame.f_code.co_name


def show_figure(figure: dict | CheckedFigure, key: str | None = None) -> None:
    """A ``cnnviz.figures`` dict (or a cached ``CheckedFigure``), drawn with its own colours, not the theme's.

    ``st.plotly_chart`` validates a dict by building a ``go.Figure`` on every
    rerun (16 ms for the home page's diagram); the validated figure is kept,
    keyed by the figure's JSON, so an unchanged figure is validated once per
    process. Pages that cache a big figure themselves pass a ``CheckedFigure``. In presenter mode the
    figure is drawn larger (``CheckedFigure.presented``).
    """
    if not isinstance(figure, CheckedFigure):
        fingerprint = hashlib.sha256(plotly.io.to_json(figure, validate=False).encode()).hexdigest()
        figure = _validated(figure, fingerprint)
    if presenting():
        figure = figure.presented()
    config = (PLOTLY_CONFIG if figure.zoomable else FIXED_CONFIG) | {"toImageButtonOptions": image_options(key)}
    if not figure.sized:
        st.plotly_chart(figure, theme=None, config=config, key=key, width="stretch")
        return
    # A figure that sets its width keeps it, alone in a container that scrolls sideways where the column is
    # narrower (ui/style.css): squeezed to fit a phone, its numbers and labels would run into each other.
    with st.container():
        st.plotly_chart(figure, theme=None, config=config, key=key, width="content")


def lesson_links(lessons, current: str) -> None:
    """A link and one line for every lesson but ``current``, keeping the language (and presenter mode) in the URL."""
    for lesson in lessons:
        if lesson.name == current:
            continue
        st.page_link(lesson_page(lesson.name), label=i18n.t(f"nav.{lesson.name}"), icon=lesson.icon,
                     query_params=link_params())
        st.caption(i18n.t(f"nav.{lesson.name}_blurb"))
