"""The browser bench works end to end, briefly: one round of one interaction beside the trivial page.

Only that it runs and reports: no timing is asserted here (figures come from ``python -m bench browser``;
see README, Performance).
"""

from bench import browser
from tests.e2e.harness import chromium_path, require


def test_one_round_of_one_interaction_is_measured():
    require("Chromium", chromium_path())
    trivial, lesson = browser.run(rounds=1, interactions=browser.INTERACTIONS[:1])
    assert trivial.name == "trivial page: key press to settled" and trivial.value > 0
    assert lesson.name == f"{browser.INTERACTIONS[0].name} / trivial" and lesson.value > 0
    assert lesson.target == browser.LESSON_TARGET
    assert "KiB in" in lesson.detail            # the websocket's frames were seen
