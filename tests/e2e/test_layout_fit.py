"""Every lesson fits a phone and reads on a projector, in real Chromium.

At 390x844 no element may reach past the screen unless a box of its own scrolls it, no figure text
may be cut off at its figure's edge, and no grid number may be wider than its cell. At 1440x900 the
animation's numbers are at least 14 px, and at 150% browser zoom it keeps its size instead of shrinking.
"""

import pytest

from cnnviz.i18n import LANGUAGES
from tests.e2e.harness import exceptions_shown, open_page, wait_settled
from ui.lessons import LESSONS

PHONE = {"width": 390, "height": 844}

# Offenders as "where: what" lines. An element may pass the screen's edge only inside an ancestor that
# scrolls sideways; a figure's text must stay inside its figure; a heatmap's number must be narrower
# than the distance to its neighbour's centre (its cell).
FIND_OVERFLOW = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const screen = document.documentElement.clientWidth;
  const where = el => { const box = el.closest('[data-testid]'); return box ? box.dataset.testid : el.tagName; };
  const text = el => (el.textContent || '').trim().slice(0, 40);
  const scrolls = el => {
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  const found = [];
  for (const el of main.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || (r.right <= screen + 1 && r.left >= -1) || scrolls(el)) continue;
    if (el.matches('[data-testid=stSlider] input[type=range]')) continue;   // unseen, from the thumb rightwards
    if (el.parentElement && found.some(f => f.el === el.parentElement)) continue;   // its parent is reported
    found.push({el, line: `${where(el)} <${el.tagName.toLowerCase()}> past the screen (${Math.round(r.left)}..${Math.round(r.right)} px): ${text(el)}`});
  }
  const lines = found.map(f => f.line);
  for (const chart of main.querySelectorAll('[data-testid=stPlotlyChart]')) {
    const svg = chart.querySelector('.main-svg');
    if (!svg) continue;
    const edge = svg.getBoundingClientRect();
    for (const t of chart.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (r.width && (r.left < edge.left - 1 || r.right > edge.right + 1)) lines.push(`figure text cut off at its edge: ${text(t)}`);
    }
    for (const layer of chart.querySelectorAll('g.hm')) {
      const labels = [...layer.querySelectorAll('text')].filter(t => t.textContent.trim());
      const centres = [...new Set(labels.map(t => { const r = t.getBoundingClientRect(); return Math.round(r.left + r.width / 2); }))].sort((a, b) => a - b);
      const pitch = Math.min(...centres.slice(1).map((c, i) => c - centres[i]));
      for (const t of labels) {
        if (t.getBoundingClientRect().width > pitch - 2) lines.push(`number wider than its ${pitch} px cell: ${text(t)}`);
      }
    }
  }
  return lines.slice(0, 20);
}"""


def _overflow(page) -> list[str]:
    page.wait_for_timeout(300)          # Plotly draws after the script run has settled
    return page.evaluate(FIND_OVERFLOW)


def url_path(lesson) -> str:
    return "" if lesson is LESSONS[0] else lesson.name


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_lesson_and_tab_fits_a_phone(new_context, app_url, lang):
    tab = new_context(viewport=PHONE, locale="en-US").new_page()
    tab.set_default_timeout(60_000)
    problems = []
    for lesson in LESSONS:
        open_page(tab, app_url, url_path(lesson), lang)
        sections = tab.locator("[data-testid=stMain] [role=tab]")
        for index in range(max(sections.count(), 1)):
            if index:
                sections.nth(index).click()
                wait_settled(tab)
            name = f"{lesson.name} tab {index + 1}"
            problems += [f"{name}: {line}" for line in _overflow(tab)]
            problems += [f"{name}: exception {e}" for e in exceptions_shown(tab)]
    assert problems == [], "\n".join(problems)


def _animation_numbers(page) -> dict:
    return page.evaluate("""() => {
      const chart = document.querySelector('.st-key-animation [data-testid=stPlotlyChart]');
      const sizes = [...chart.querySelectorAll('g.hm text')]
        .filter(t => t.textContent.trim()).map(t => parseFloat(getComputedStyle(t).fontSize));
      return {smallest: Math.min(...sizes), count: sizes.length,
              width: chart.querySelector('.main-svg').getBoundingClientRect().width};
    }""")


def test_animation_numbers_are_big_and_keep_their_size_when_zoomed(new_context, app_url):
    tab = new_context(viewport={"width": 1440, "height": 900}, locale="en-US").new_page()
    open_page(tab, app_url, "convolution", "en")
    tab.locator(".st-key-animation .main-svg").first.wait_for()      # Plotly may draw it after the step figure
    wide = _animation_numbers(tab)
    assert wide["count"] > 0 and wide["smallest"] >= 14, wide
    tab.set_viewport_size({"width": 1280 * 2 // 3, "height": 720 * 2 // 3})     # 1280x720 at 150% zoom
    tab.wait_for_timeout(500)
    zoomed = _animation_numbers(tab)
    assert zoomed["smallest"] >= 14 and zoomed["width"] == pytest.approx(wide["width"], abs=1), (wide, zoomed)
