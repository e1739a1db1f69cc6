"""The deployment files (Dockerfile, .dockerignore, docs/deploy.md), checked without Docker.

The image itself cannot be built here, so these tests read the Dockerfile and check what
it promises: a non-root user, the port, a health check, torch pinned as in
requirements.txt, only the app's own files copied. Then they run the command the
image runs (with this environment's Python, on a free loopback port) and the image's
health check against it.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.harness import ROOT, free_port, serving

DOCKERFILE = (ROOT / "Dockerfile").read_text()
DOCKERIGNORE = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
DEPLOY_DOC = (ROOT / "docs" / "deploy.md").read_text()
NOT_IN_THE_IMAGE = {"tests", "bench", "data", "docs", ".git"}


def instructions(text: str) -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    found, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1].rstrip() + " "
            continue
        word, _, rest = (current + line).partition(" ")
        found.append((word.upper(), rest.strip()))
        current = ""
    assert not current, "the Dockerfile ends inside a continued line"
    return found


STEPS = instructions(DOCKERFILE)


def arguments(instruction: str) -> list[str]:
    return [rest for word, rest in STEPS if word == instruction]


def index_of_last(instruction: str) -> int:
    return max(i for i, (word, _) in enumerate(STEPS) if word == instruction)


def exec_form(rest: str) -> list[str]:
    assert rest.startswith("["), f"not the JSON-array form: {rest}"
    return json.loads(rest)


def copy_sources() -> list[str]:
    sources = []
    for rest in arguments("COPY"):
        parts = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
        parts = [p for p in parts if not p.startswith("--")]
        assert len(parts) >= 2, f"COPY {rest}"
        sources += parts[:-1]
    return sources


def run_command() -> list[str]:
    """What the container runs: ENTRYPOINT followed by CMD (both JSON arrays)."""
    entrypoint = exec_form(arguments("ENTRYPOINT")[-1]) if arguments("ENTRYPOINT") else []
    cmd = exec_form(arguments("CMD")[-1]) if arguments("CMD") else []
    return entrypoint + cmd


def healthcheck() -> list[str]:
    rest = arguments("HEALTHCHECK")[-1]
    options, separator, command = rest.partition("CMD ")
    assert separator, f"HEALTHCHECK without CMD: {rest}"
    return exec_form(command.strip())


def image_env() -> dict[str, str]:
    env = {}
    for rest in arguments("ENV"):
        for pair in shlex.split(rest):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


def flag_value(command: list[str], flag: str) -> str | None:
    return command[command.index(flag) + 1] if flag in command else None


# ---- the Dockerfile

def test_the_image_starts_from_python_3_11_slim():
    assert arguments("FROM")[0].split()[0] == "python:3.11-slim"


def test_the_app_runs_as_a_user_other_than_root():
    runs = max(index_of_last("CMD"), index_of_last("ENTRYPOINT") if arguments("ENTRYPOINT") else -1)
    users = [(i, rest) for i, (word, rest) in enumerate(STEPS) if word == "USER" and i < runs]
    assert users, "no USER before the CMD: the app would run as root"
    user = users[-1][1].split(":")[0].strip()
    assert user not in ("root", "0", ""), user


def test_port_8501_is_exposed():
    exposed = {port.split("/")[0] for rest in arguments("EXPOSE") for port in rest.split()}
    assert "8501" in exposed


def test_the_healthcheck_asks_streamlits_health_route_with_python():
    command = healthcheck()
    assert command[:2] == ["python", "-c"], command
    assert "http://127.0.0.1:8501/_stcore/health" in command[2]
    options = arguments("HEALTHCHECK")[-1].partition("CMD ")[0]
    for option in ("--interval=", "--timeout=", "--start-period="):
        assert option in options, option


def test_torch_is_pinned_as_in_requirements():
    required = re.search(r"^torch==(\S+)", (ROOT / "requirements.txt").read_text(), re.MULTILINE).group(1)
    pinned = re.findall(r"torch==([\w.+-]+)", DOCKERFILE)
    assert pinned and set(pinned) == {required}, (pinned, required)
    assert "ARG TORCH_INDEX_URL" in DOCKERFILE and '--index-url "$TORCH_INDEX_URL"' in DOCKERFILE


def test_requirements_are_installed_after_torch():
    runs = arguments("RUN")
    torch_step = next(i for i, rest in enumerate(runs) if "torch==" in rest)
    requirements_step = next(i for i, rest in enumerate(runs) if "-r requirements.txt" in rest)
    assert torch_step < requirements_step
    assert "requirements.txt" in copy_sources()


def test_everything_copied_exists_and_nothing_else_goes_in():
    sources = copy_sources()
    for needed in ("app.py", "pages", "ui", "cnnviz", "assets", ".streamlit"):
        assert needed in {s.rstrip("/") for s in sources}, needed
    for source in sources:
        assert source not in (".", "./", "*"), "the whole folder is copied"
        assert (ROOT / source).exists(), f"COPY {source}: no such path in the repository"
        assert Path(source).parts[0] not in NOT_IN_THE_IMAGE, source


def test_no_secret_or_device_is_baked_in():
    baked = set(image_env()) | {rest.split("=")[0].strip() for rest in arguments("ARG")}
    assert not any("COOKIE_SECRET" in name.upper() for name in baked), baked
    assert "CNNVIZ_DEVICE" not in baked
    assert image_env().get("PYTHONDONTWRITEBYTECODE") == "1"
    assert image_env().get("PYTHONUNBUFFERED") == "1"


def test_the_command_serves_on_every_interface_at_8501():
    command = run_command()
    assert command[:3] == ["streamlit", "run", "app.py"], command
    assert flag_value(command, "--server.address") == "0.0.0.0"
    assert flag_value(command, "--server.port") == "8501"


# ---- .dockerignore

def test_dockerignore_keeps_tests_benchmarks_git_and_data_out():
    for pattern in ("tests", "bench", ".git", "*.npz"):
        assert pattern in DOCKERIGNORE or f"**/{pattern}" in DOCKERIGNORE, pattern


def test_dockerignore_does_not_hide_what_the_image_copies():
    for source in copy_sources():
        path = source.rstrip("/")
        for pattern in DOCKERIGNORE:
            assert not fnmatch.fnmatch(path, pattern.rstrip("/")), f"{pattern} excludes {source}"


# ---- the command the image runs, here

@pytest.fixture(scope="module")
def served():
    """The Dockerfile's command with this venv's Python, on a free loopback port; yields the port."""
    port = free_port()
    command = run_command()
    command = [sys.executable, "-m", "streamlit", *command[1:]]
    command[command.index("--server.port") + 1] = str(port)
    command[command.index("--server.address") + 1] = "127.0.0.1"
    with serving(command, port, image_env(), "deploy-server.log"):
        yield port


def health_snippet(port: int) -> str:
    snippet = healthcheck()[2]
    assert "127.0.0.1:8501" in snippet
    return snippet.replace("127.0.0.1:8501", f"127.0.0.1:{port}")


def test_the_images_command_starts_a_healthy_server(served):
    import urllib.request
    assert urllib.request.urlopen(f"http://127.0.0.1:{served}/_stcore/health", timeout=5).read() == b"ok"


def test_the_healthcheck_passes_against_it(served):
    done = subprocess.run([sys.executable, "-c", health_snippet(served)], capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr.decode(errors="replace")


def test_the_healthcheck_fails_without_a_server():
    done = subprocess.run([sys.executable, "-c", health_snippet(free_port())], capture_output=True, timeout=30)
    assert done.returncode != 0


# ---- docs/deploy.md

def nginx_blocks() -> list[str]:
    return re.findall(r"```nginx\n(.*?)```", DEPLOY_DOC, re.DOTALL)


def test_the_nginx_config_has_the_essentials():
    blocks = nginx_blocks()
    assert len(blocks) == 1, "docs/deploy.md should hold one nginx config"
    config = blocks[0]
    for needed in ("proxy_set_header Upgrade $http_upgrade", "proxy_set_header Connection $connection_upgrade",
                   "proxy_http_version 1.1", "proxy_read_timeout 1d", "client_max_body_size 12m",
                   "proxy_request_buffering off", "listen 443 ssl", "ssl_certificate ",
                   "ssl_certificate_key ", "frame-ancestors 'self'", "location = /_stcore/metrics"):
        assert needed in config, needed
    assert re.search(r"^\s*hash \$replica_key consistent;", config, re.MULTILINE), "the sticky hash line"
    assert "ip_hash;" not in config


def test_the_sticky_hash_is_the_one_the_bench_runs():
    """The documented config and bench/replicas.py's (which the classroom test runs through) pick replicas alike."""
    from bench.replicas import COOKIE, NGINX_CONF
    config = nginx_blocks()[0]
    assert "hash $replica_key consistent;" in NGINX_CONF
    assert f"$cookie_{COOKIE}" in config and f"{COOKIE}=$request_id" in config


def test_the_deploy_doc_covers_the_cookie_secret_and_allowed_hosts():
    assert "cookieSecret" in DEPLOY_DOC and "STREAMLIT_SERVER_COOKIE_SECRET" in DEPLOY_DOC
    assert "allowedHosts" in DEPLOY_DOC
    assert "/_stcore/upload_file" in DEPLOY_DOC and "/media/" in DEPLOY_DOC and "/_stcore/stream" in DEPLOY_DOC


@pytest.mark.skipif(not (shutil.which("openssl") and (shutil.which("nginx") or Path("/usr/sbin/nginx").exists())),
                    reason="needs nginx and openssl")
def test_nginx_accepts_the_documented_config(tmp_path):
    """``nginx -t`` on the documented config, with a throwaway certificate and every path in tmp_path."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    config = nginx_blocks()[0]
    config = re.sub(r"^(\s*ssl_certificate)\s+\S+;", rf"\1 {cert};", config, flags=re.MULTILINE)
    config = re.sub(r"^(\s*ssl_certificate_key)\s+\S+;", rf"\1 {key};", config, flags=re.MULTILINE)
    temp_paths = "".join(f"    {kind}_temp_path {tmp_path / kind};\n"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                    f"http {{\n    access_log off;\n{temp_paths}{config}}}\n")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
