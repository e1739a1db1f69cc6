"""What docs/security.md promises and a machine can check: the server's settings, no user input
rendered as HTML, weights and arrays loaded without pickle, nothing fetched from the web."""

import ast
import itertools
import re
import tomllib
from pathlib import Path
from unittest import mock

import pytest
import streamlit.config

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
APP_CODE = sorted([ROOT / "app.py", *(ROOT / "pages").rglob("*.py"), *(ROOT / "ui").rglob("*.py"),
                   *(ROOT / "cnnviz").rglob("*.py")])
STYLESHEET = ROOT / "ui" / "style.py"     # the one place that sends HTML: <style> only
PROJECT_CODE = APP_CODE + sorted((ROOT / "bench").rglob("*.py"))


def option(name: str):
    section, key = name.split(".")
    return CONFIG.get(section, {}).get(key)


def calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            yield node


def dotted(node: ast.AST) -> str:
    """``torch.load`` for the expression ``torch.load``; "" for anything that is not a plain name chain."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and (base := dotted(node.value)):
        return f"{base}.{node.attr}"
    return ""


def keyword(call: ast.Call, name: str):
    found = next((k.value for k in call.keywords if k.arg == name), None)
    return found.value if isinstance(found, ast.Constant) else found


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


# ---- the server's settings (.streamlit/config.toml)

def test_every_setting_is_one_streamlit_knows():
    """A misspelt key would be ignored silently, leaving the default (often the less safe one)."""
    known = set(streamlit.config._config_options_template)
    written = {f"{section}.{key}" for section, values in CONFIG.items() for key in values}
    assert written - known == set()


def test_xsrf_protection_is_on_and_cors_is_not_off():
    assert option("server.enableXsrfProtection") is True
    assert option("server.enableCORS") in (None, True)


def test_uploads_are_limited_to_ten_megabytes():
    assert option("server.maxUploadSize") == 10


def test_students_see_the_viewer_menu_and_no_tracebacks():
    assert option("client.toolbarMode") == "viewer"
    assert option("client.showErrorDetails") in ("type", "none")


def test_no_usage_statistics_leave_the_machine():
    assert option("browser.gatherUsageStats") is False


def test_nothing_extra_is_served():
    assert option("server.enableStaticServing") in (None, False)
    assert option("server.enableAgentApi") in (None, False)
    assert option("global.developmentMode") in (None, False)
    assert option("server.runOnSave") in (None, False)


def test_no_full_garbage_collection_after_every_run():
    """Not security but capacity: a forced full collection costs ~150 ms of CPU per rerun (see config.toml)."""
    assert option("runner.postScriptGC") is False


def test_no_cookie_secret_is_committed():
    """Each deployment sets its own (docs/deploy.md); one written here would be public."""
    assert option("server.cookieSecret") is None


# ---- the code

@pytest.mark.parametrize("path", APP_CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_html_is_rendered_from_the_app(path):
    """Markdown only: no raw HTML, so nothing a student types or uploads can become markup or script.
    The one exception is the app's stylesheet (below), which is made from the repository's own files."""
    for call in calls(path):
        assert keyword(call, "unsafe_allow_html") in (None, False), where(path, call)
        name = dotted(call.func)
        if path == STYLESHEET and name == "st.html":
            continue
        assert not name.endswith(("st.html", "components.html", "v1.html", "components.iframe")), where(path, call)


def test_the_stylesheet_is_style_only_and_takes_no_argument_from_the_page():
    """ui.style sends <style> and nothing else (no markup, no script), and only the language and presenter mode
    pick which."""
    import inspect
    from streamlit.elements.html import _html_only_style_tags
    from ui import style

    assert list(inspect.signature(style.apply_style).parameters) == ["lang", "presenting"]
    for lang, presenting in itertools.product(("en", "ko", "<script>"), (False, True)):
        with mock.patch.object(style.st, "html") as html:
            style.apply_style(lang, presenting)
        sent = html.call_args.args[0]
        assert _html_only_style_tags(sent) and "<script" not in sent.lower(), sent[:200]


@pytest.mark.parametrize("path", PROJECT_CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_is_unpickled(path):
    """Weights load as tensors only; arrays without pickled objects; no pickle at all."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names] + [getattr(node, "module", None) or ""]
            assert not any(m.split(".")[0] in {"pickle", "dill", "cloudpickle", "joblib", "shelve", "marshal"}
                           for m in modules), where(path, node)
            if isinstance(node, ast.ImportFrom) and node.module == "torch":
                assert "load" not in [alias.name for alias in node.names], where(path, node)
    for call in calls(path):
        name = dotted(call.func)
        if name.split(".")[-2:] == ["torch", "load"]:
            assert keyword(call, "weights_only") is True, f"torch.load without weights_only=True at {where(path, call)}"
        if name.endswith(("np.load", "numpy.load")):
            assert keyword(call, "allow_pickle") in (None, False), where(path, call)
        assert not name.endswith(("torch.jit.load", "pd.read_pickle", "pandas.read_pickle")), where(path, call)


def test_the_scans_see_a_bad_call():
    """The scans above would notice what they look for."""
    bad = ast.parse("import torch\ntorch.load('w.pt')\nst.markdown(x, unsafe_allow_html=True)\n")
    found = [c for c in ast.walk(bad) if isinstance(c, ast.Call)]
    assert dotted(found[0].func) == "torch.load" and keyword(found[0], "weights_only") is None
    assert keyword(found[1], "unsafe_allow_html") is True


def test_no_text_loads_anything_from_the_web():
    """A Markdown image with a web address would be fetched by every student's browser."""
    remote_image = re.compile(r"!\[[^\]]*\]\(\s*(https?:)?//", re.IGNORECASE)
    for path in sorted((ROOT / "cnnviz" / "locales").glob("*.toml")) + APP_CODE:
        assert not remote_image.search(path.read_text()), path
