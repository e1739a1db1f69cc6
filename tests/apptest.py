"""Open the app in AppTest, in a language, on a lesson."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_app(lang: str, page: str | None = None, timeout: float = 60) -> AppTest:
    """Run app.py with ``?lang=<lang>``, then switch to ``page`` ("pages/x.py") if given."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params["lang"] = lang
    at.run()
    if page is not None and page != "pages/home.py":
        at.switch_page(page).run()
    return at
