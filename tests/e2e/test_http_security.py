"""The running server refuses what docs/security.md says it refuses, seen over plain HTTP."""

import urllib.error
import urllib.request

import pytest


def status(url: str, method: str = "GET", data: bytes | None = None, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_an_upload_without_the_xsrf_token_is_refused(app_url):
    """A page on another site cannot push a file into a student's session."""
    assert status(f"{app_url}/_stcore/upload_file/some-session/some-file", "PUT", b"not an image",
                  {"Content-Type": "application/octet-stream", "Origin": "http://elsewhere.example"}) == 403


@pytest.mark.parametrize("path", ["/_stcore/agent/interact", "/_stcore/agent/mcp"])
def test_the_agent_api_is_off(app_url, path):
    assert status(f"{app_url}{path}", "POST", b"{}", {"Content-Type": "application/json"}) >= 400


def test_no_folder_is_served_as_static_files(app_url):
    """server.enableStaticServing is off: /app/static/ serves nothing of the project."""
    for name, content in (("app.py", b"import streamlit"), (".streamlit/config.toml", b"[server]"),
                          ("requirements.txt", b"streamlit==")):
        try:
            with urllib.request.urlopen(f"{app_url}/app/static/{name}", timeout=10) as response:
                assert content not in response.read(), name
        except urllib.error.HTTPError:
            pass
