"""Train it yourself, in Chromium: the curves redraw by themselves while a run trains, and Reset clears them.

Only that the chart refreshes: how often it does is a figure of ``python -m bench.training_browser``, not an
assertion here.
"""

from bench.training_browser import CHANGED, CHANGES, CHART_KEY, FIRST_CURVE_MS, install_observer, open_live_tab, press
from cnnviz.i18n import t
from tests.e2e.harness import exceptions_shown, wait_settled

UPDATES_WITHIN_MS = 15_000


def test_the_curves_redraw_while_a_run_trains_and_reset_clears_them(page, app_url):
    open_live_tab(page, app_url)
    install_observer(page)
    press(page, "training.train")
    page.wait_for_function(CHANGED, arg=1, timeout=FIRST_CURVE_MS, polling=100)     # queued, then step 0 drawn
    page.wait_for_function(CHANGED, arg=3, timeout=UPDATES_WITHIN_MS, polling=100)  # two redraws more, unprompted
    changes = page.evaluate(CHANGES)
    assert changes[-1][1] > changes[0][1], changes          # more points, further steps: not the same curve again
    assert changes[-1][2] > changes[0][2], changes
    assert exceptions_shown(page) == []

    press(page, "training.reset")
    wait_settled(page)
    page.get_by_text(t("training.idle", "en")).wait_for()
    assert page.locator(f".st-key-{CHART_KEY}").count() == 0
    assert page.get_by_role("button", name=t("training.train", "en"), exact=True).is_enabled()
    assert exceptions_shown(page) == []
