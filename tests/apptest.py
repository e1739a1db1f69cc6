"""Open the app in AppTest, in a language, on a lesson."""

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.lesson_tabs import tabs_key

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_app(lang: str, page: str | None = None, timeout: float = 60) -> AppTest:
    """Run app.py with ``?lang=<lang>``, then switch to ``page`` ("pages/x.py") if given."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params["lang"] = lang
    at.run()
    if page is not None and page != "pages/home.py":
        at.switch_page(page).run()
    return at


def choose_tab(at: AppTest, lesson: str, label: str) -> AppTest:
    """Open the tab labelled ``label`` of ``lesson``'s section tabs, as a click on it does (only it is drawn)."""
    at.session_state[tabs_key(lesson)] = label
    return at.run()


def wait_for_run(at: AppTest, key: str, condition, timeout: float = 60.0):
    """Rerun the page (as the browser's polling does) until ``condition(status)`` holds for the run whose handle
    the session keeps under ``key``; returns that status."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        status = at.session_state[key].status()
        if condition(status):
            return status
        time.sleep(0.3)
        at.run()
    raise AssertionError(f"the run did not get there in time: {status.state}, {len(status.snapshots)} reports")
