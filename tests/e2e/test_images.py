"""Uploads through the real file chooser in Chromium: a good picture is used, a bad file is refused kindly."""

import pytest

from cnnviz import images
from cnnviz.i18n import LANGUAGES, t
from tests.e2e.harness import exceptions_shown, open_page, screenshot, wait_settled
from tests.image_corpus import HOSTILE_NAMES, bad_files, good_files


def upload(page, name: str, data: bytes) -> None:
    """Through the file chooser the browser opens, as a student would. The dropzone's last button is
    "Upload" at first, and "+" (replace the file) once a file is there."""
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("stFileUploaderDropzone").first.locator("button").last.click()
    chooser.value.set_files(files=[{"name": name, "mimeType": "image/png", "buffer": data}])
    page.wait_for_timeout(300)
    wait_settled(page)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_good_and_bad_uploads_on_the_filters_page(page, app_url, lang):
    open_page(page, app_url, "filters", lang)
    upload(page, "photo.png", good_files()["rgb.png"][0])
    page.get_by_text("48×64").first.wait_for()       # height × width
    assert exceptions_shown(page) == []
    upload(page, "page.png", bad_files()["page.png"])
    page.get_by_text(t("errors.images.not_an_image", lang)[:30]).first.wait_for()
    shown = images.safe_label("photo.png").replace("\\", "")     # as Markdown draws it: escapes gone, word joiners kept
    page.get_by_text(t("images.using_last", lang, name=shown)).first.wait_for()   # the good one stays
    page.get_by_text("48×64").first.wait_for()       # height × width
    assert exceptions_shown(page) == []
    screenshot(page, f"filters-bad-upload-{lang}")


def test_the_filtered_picture_downloads_as_the_png_shown(page, app_url):
    open_page(page, app_url, "filters", "en")
    with page.expect_download() as download:
        page.get_by_test_id("stDownloadButton").locator("button").click()
    data = open(download.value.path(), "rb").read()
    assert download.value.suggested_filename == "cnnviz-sobel_x.png"
    assert data.startswith(b"\x89PNG") and len(data) > 1000
    assert exceptions_shown(page) == []


# What Markdown, KaTeX and Streamlit draw when they act on a name instead of showing it.
ACTED_ON = "a, img, strong, em, code, del, h1, h2, h3, .katex, [data-testid=stIconMaterial], span[style], span[class]"


@pytest.mark.parametrize("page_name", ["filters", "channels"])
def test_hostile_file_names_are_shown_as_typed_in_the_browser(page, app_url, page_name):
    """A file named to become a link, a formula, an icon, coloured text or markup is shown as its name:
    the caption reads back as the name (word joiners aside) and holds nothing but text."""
    open_page(page, app_url, page_name, "en")
    data = good_files()["rgb.png"][0]
    for name in HOSTILE_NAMES:
        upload(page, name, data)
        caption = page.get_by_test_id("stCaptionContainer").filter(has_text=t("images.showing", "en")[:6]).first
        caption.wait_for()
        page.wait_for_function("""([caption, name]) => caption.innerText.replaceAll('\\u2060', '').includes(name)""",
                               arg=[caption.element_handle(), name], timeout=10_000)
        assert caption.locator(ACTED_ON).count() == 0, name
        assert page.locator("a[href*='evil']").count() == 0, name
    assert exceptions_shown(page) == []
    screenshot(page, f"{page_name}-hostile-name")
