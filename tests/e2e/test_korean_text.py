"""Streamlit's and the drawing canvas's own words, read back in Chromium on Korean pages.

Streamlit writes its uploader, dialog and connection texts in English; ui/style.py hides each
one and shows the catalog's text with ``::after``. ``inner_text`` does not include generated
content, so the tests read ``getComputedStyle(element, "::after").content``, and check that the
element's own (English) text is drawn at size 0.
"""

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from cnnviz.i18n import t
from tests.e2e.harness import (exceptions_shown, open_drawing_canvas, open_page, running_server, screenshot,
                               wait_settled)
from ui.canvas_toolbar import BUTTONS

LIMIT_MB = 10        # .streamlit/config.toml: server.maxUploadSize
UPLOADER = "[data-testid=stFileUploader]"
DROPZONE = "[data-testid=stFileUploaderDropzone]"
DIALOG = "[data-testid=stDialog] section[role=dialog]"
SHOWN = """selector => {
    const element = document.querySelector(selector);
    if (!element) return null;
    const own = getComputedStyle(element), after = getComputedStyle(element, "::after");
    return {own: own.fontSize, after: after.content, afterSize: after.fontSize};
}"""


def expect_replaced(page, selector: str, key: str, lang: str = "ko") -> None:
    """The element's English text is not drawn, and the catalog's text is, at a readable size."""
    page.wait_for_selector(selector, state="attached")
    expected = f'"{t(key, lang, limit=LIMIT_MB)}"'
    try:        # the app's style arrives with its first run, which may come after Streamlit's own element
        page.wait_for_function(f"([s, e]) => ({SHOWN})(s)?.after === e", arg=[selector, expected], timeout=10_000)
    except PlaywrightTimeout:
        pass    # the assertion below says what was shown instead
    shown = page.evaluate(SHOWN, selector)
    assert shown["after"] == expected, (selector, shown)
    assert shown["own"] == "0px" and float(shown["afterSize"].removesuffix("px")) >= 14, (selector, shown)


def open_upload(page, app_url) -> None:
    open_page(page, app_url, "feature_maps", "ko")
    page.get_by_role("radio", name=t("feature_maps.source_upload", "ko")).click()
    wait_settled(page)


def test_the_file_uploader_speaks_korean(page, app_url, tmp_path):
    open_upload(page, app_url)
    expect_replaced(page, f"{DROPZONE} [data-testid=stBaseButton-secondary] [data-testid=stMarkdownContainer] p",
                    "streamlit.upload_button")
    expect_replaced(page, "[data-testid=stFileUploaderDropzoneInstructions] span", "streamlit.upload_limit")
    screenshot(page, "korean-uploader")

    too_big = tmp_path / "too_big.png"
    too_big.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes((LIMIT_MB * 2**20) + 1))
    page.locator(f"{UPLOADER} input[type=file]").set_input_files(str(too_big))
    page.locator("[data-testid=stFileChip]").hover()
    expect_replaced(page, "[data-testid=stTooltipErrorContent]", "streamlit.upload_refused")
    screenshot(page, "korean-upload-refused")

    files = page.evaluate_handle("() => { const d = new DataTransfer();"
                                 " d.items.add(new File(['x'], 'a.png', {type: 'image/png'})); return d; }")
    page.dispatch_event(DROPZONE, "dragenter", {"dataTransfer": files})
    expect_replaced(page, f"{DROPZONE} > div > span", "streamlit.upload_drop")
    assert exceptions_shown(page) == []


def test_a_mistyped_address_is_explained_in_korean(page, app_url):
    page.goto(f"{app_url}/nonexistent?lang=ko")
    wait_settled(page)
    expect_replaced(page, f"{DIALOG} > h2", "streamlit.page_not_found")
    expect_replaced(page, f"{DIALOG} > h2 + div > div", "streamlit.page_not_found_detail")
    screenshot(page, "korean-page-not-found")


def test_a_lost_connection_is_reported_in_korean(new_context):
    with running_server(log_name="server-stopped.log") as server:
        page = new_context(base=server.base, viewport={"width": 1400, "height": 1000}).new_page()
        open_page(page, server.base, "", "ko")
        server.process.terminate()
        server.process.wait(timeout=10)
        expect_replaced(page, "[data-testid=stConnectionStatus] label", "streamlit.connecting")
        page.wait_for_selector(DIALOG, timeout=60_000)          # after a few failed tries
        expect_replaced(page, f"{DIALOG} > h2", "streamlit.connection_error")
        expect_replaced(page, f"{DIALOG} > h2 + div > div", "streamlit.connection_error_detail")
        screenshot(page, "korean-connection-lost")


# How many pixels of the canvas's drawing (dark strokes on white paper) hold ink.
INKED_PIXELS = """(() => {
    const canvas = document.querySelector("[data-testid=stBidiComponentIsolated]").shadowRoot
        .querySelector("canvas.dc-canvas.lower-canvas");
    const rgba = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 0; i < rgba.length; i += 4) inked += rgba[i] < 128;
    return inked;
})()"""


def toolbar_buttons(page) -> list[tuple[str, str]]:
    return page.evaluate("""() => [...document.querySelectorAll("[data-testid=stBidiComponentIsolated]")]
        .flatMap(host => [...(host.shadowRoot?.querySelectorAll(".dc-toolbar button") ?? [])])
        .map(button => [button.title, button.getAttribute("aria-label")])""")


def test_the_canvas_toolbar_speaks_korean_and_leaves_the_instructions_visible(page, app_url):
    canvas = open_drawing_canvas(page, app_url, "ko")
    expected = [[t(key, "ko")] * 2 for key in BUTTONS.values()]      # title (the tooltip) and aria-label
    page.locator(f".dc-toolbar button[title='{t('canvas.undo', 'ko')}']").wait_for(state="attached")
    assert toolbar_buttons(page) == expected

    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    toolbar = page.locator(".dc-toolbar-card").first
    page.wait_for_function("() => getComputedStyle(document.querySelector('[data-testid=stBidiComponentIsolated]')"
                           ".shadowRoot.querySelector('.dc-toolbar')).opacity === '1'")
    page.wait_for_timeout(400)                                   # the toolbar slides up into place
    instructions = page.get_by_text(t("feature_maps.draw_digit", "ko")).bounding_box()
    assert toolbar.bounding_box()["y"] >= instructions["y"] + instructions["height"]
    screenshot(page, "korean-canvas-toolbar")

    for button in ("canvas.undo", "canvas.reset"):           # a stroke, then the renamed button takes it away
        page.mouse.move(box["x"] + 60, box["y"] + 60)
        page.mouse.down()
        page.mouse.move(box["x"] + 160, box["y"] + 160, steps=8)
        page.mouse.up()
        page.wait_for_function(f"() => ({INKED_PIXELS}) > 0")
        page.locator(f".dc-toolbar button[title='{t(button, 'ko')}']").click()
        page.wait_for_function(f"() => ({INKED_PIXELS}) === 0")
        wait_settled(page)
    assert exceptions_shown(page) == []
