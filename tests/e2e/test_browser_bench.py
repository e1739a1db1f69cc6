"""The browser bench works end to end, briefly: one round of one interaction beside the trivial page.

Only that it runs and reports: no timing is asserted here (figures come from ``python -m bench browser``;
see README, Performance).
"""

from concurrent.futures import ThreadPoolExecutor

from bench import browser
from tests.e2e.harness import chromium_path, require


def test_one_round_of_one_interaction_is_measured():
    require("Chromium", chromium_path())
    # In a thread of its own: the bench starts Playwright's sync API, which refuses to run where the browser
    # tests' session already runs it.
    with ThreadPoolExecutor(1) as pool:
        trivial, lesson = pool.submit(browser.run, rounds=1, interactions=browser.INTERACTIONS[:1]).result()
    assert trivial.name == "trivial page: key press to settled" and trivial.value > 0
    assert lesson.name == f"{browser.INTERACTIONS[0].name} / trivial" and lesson.value > 0
    assert lesson.target == browser.LESSON_TARGET
    assert "KiB in" in lesson.detail            # the websocket's frames were seen
