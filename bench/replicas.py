"""Several app processes behind nginx with sticky sessions, on loopback: ``python -m bench.replicas``.

Why sticky: a Streamlit session lives in one process. Its websocket, the files
a student uploads (an HTTP PUT) and the images the page shows (HTTP GETs under
/media/) must all reach the process that owns the session, or uploads fail
and images go missing. nginx (the open-source build) has no "sticky cookie",
so this config makes one: a client without the ``cnnviz_replica`` cookie gets
a random value (nginx's ``$request_id``), the upstream is chosen by a
consistent hash of that value, and the cookie keeps every later request of
that browser on the same replica. (``ip_hash`` also works where every student
has their own address; behind one NAT, or here on loopback, it sends everybody
to one replica.)

Every replica gets the same ``server.cookieSecret``, as a real deployment must.
The config is written into a temporary folder, nginx listens on 127.0.0.1 only,
and everything stops when the context (or the command's time limit) ends.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.harness import Server, free_port, running_server, wait_healthy

COOKIE = "cnnviz_replica"

NGINX_CONF = """\
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format replica '$upstream_addr $cookie_{cookie} $status $request_method $uri';
    access_log {tmp}/access.log replica;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    # A little above the app's server.maxUploadSize (10 MB), so the app gives the refusal.
    client_max_body_size 12m;

    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    # The sticky key: the browser's cookie, or a fresh random value for a new browser.
    map $cookie_{cookie} $replica_key {{ "" $request_id; default $cookie_{cookie}; }}
    map $cookie_{cookie} $replica_cookie {{
        "" "{cookie}=$request_id; Path=/; HttpOnly; SameSite=Lax";
        default "";
    }}

    upstream cnnviz {{
        hash $replica_key consistent;
{servers}
    }}

    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://cnnviz;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # The websocket stays open for the whole lesson.
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
            # Uploads stream to the app instead of a temporary file.
            proxy_request_buffering off;
            add_header Set-Cookie $replica_cookie always;
        }}
    }}
}}
"""


def nginx_path() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def nginx_config(tmp: Path, port: int, upstreams: list[str]) -> str:
    servers = "\n".join(f"        server {address} max_fails=0;" for address in upstreams)
    return NGINX_CONF.format(tmp=tmp, port=port, servers=servers, cookie=COOKIE)


@dataclass
class Deployment:
    base: str                # nginx's address: what the students open
    replicas: list[Server]
    nginx: subprocess.Popen
    access_log: Path

    def requests_by_replica(self) -> dict[str, Counter]:
        """For each sticky cookie seen, how many requests each replica served (one replica per cookie)."""
        routes: dict[str, Counter] = {}
        for line in self.access_log.read_text().splitlines():
            upstream, cookie, *_ = line.split(" ", 2)
            if cookie != "-":
                routes.setdefault(cookie, Counter())[upstream] += 1
        return routes


@contextmanager
def replicas(count: int = 2, port: int | None = None, args: tuple[str, ...] = ()):
    """``count`` app processes (each on a free port, with extra ``args``) sharing one cookie secret,
    behind nginx on 127.0.0.1:``port``."""
    binary = nginx_path()
    if binary is None:
        raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
    secret = secrets.token_hex(32)
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cnnviz-nginx-")))
        tmp.chmod(0o755)            # nginx's workers (user nobody when started as root) use its temp folders
        servers = [stack.enter_context(running_server(
            env={"STREAMLIT_SERVER_COOKIE_SECRET": secret}, args=args, log_name=f"replica-{index}.log"))
            for index in range(count)]
        port = port or free_port()
        conf = tmp / "nginx.conf"
        conf.write_text(nginx_config(tmp, port, [s.base.removeprefix("http://") for s in servers]))
        nginx = subprocess.Popen([binary, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        stack.callback(_stop, nginx)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, nginx, str(tmp / "error.log"), timeout=20)
        except RuntimeError as error:
            raise RuntimeError(f"nginx failed: {nginx.stderr.read().decode(errors='replace')}") from error
        yield Deployment(base, servers, nginx, tmp / "access.log")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8640, help="nginx's port on 127.0.0.1")
    parser.add_argument("--minutes", type=float, default=10, help="stop by itself after this long")
    options = parser.parse_args(argv)
    with replicas(options.replicas, options.port) as deployment:
        print(f"{options.replicas} replicas behind nginx: open {deployment.base} "
              f"(replicas: {', '.join(s.base for s in deployment.replicas)}); Ctrl-C stops", flush=True)
        try:
            time.sleep(options.minutes * 60)
        except KeyboardInterrupt:
            pass
        for cookie, counts in deployment.requests_by_replica().items():
            print(f"browser {cookie[:8]}: {dict(counts)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
