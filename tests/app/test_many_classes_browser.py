"""Two app servers behind one nginx with the sticky cookie of deploy/nginx-many-classes.conf
(the README's "Many classes"), in a real Chromium: new browsers spread over both servers, and
everything one browser asks for (its page, its WebSocket, its upload) reaches the server that
holds its session. The same upload sent to the other server is refused, which is why; and
an upload refused for its size does not move the browser.

Needs nginx (Debian's package) besides Chromium; skipped with the reason without it. The
servers and nginx are stopped by their PIDs in teardown.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from appdriver.chromium import descendants
from appdriver.page import press, settle
from appdriver.server import (
    REPO_ROOT,
    free_port,
    start_streamlit,
    stop_streamlit,
    wait_until_healthy,
)
from tests.app.conftest import ARTIFACTS, Tab
from tests.app.test_browser import (
    assert_no_exception,
    open_app,
    server_says_paused,
    step_counter,
    wait_for,
)

pytestmark = pytest.mark.browser

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONFIG = REPO_ROOT / "deploy" / "nginx-many-classes.conf"
# Students open the app one by one until both servers hold one: at least FIRST_STUDENTS, at
# most MOST_STUDENTS (all of them on one server by chance: one time in 2**(MOST_STUDENTS-1)).
FIRST_STUDENTS = 4
MOST_STUDENTS = 10
SIDEBAR = '[data-testid="stSidebar"]'
CSV_ROWS = ["x,y,label"] + [f"{i % 10},{(i * 7) % 11},{'cat' if i % 2 else 'dog'}"
                            for i in range(40)]  # fmt: skip


@dataclass
class Proxy:
    url: str
    servers: list[str]  # "127.0.0.1:PORT" of each app server, as nginx logs it
    access_log: Path

    def requests(self) -> list[dict[str, str]]:
        """The requests nginx has logged (a WebSocket's when it closes): each with the
        browser's server key, the server that answered it, its status, method and path."""
        fields = ("key", "server", "status", "method", "path")
        lines = self.access_log.read_text().splitlines()
        return [dict(zip(fields, line.split("|", 4), strict=True)) for line in lines]

    def server_of(self, key: str) -> set[str]:
        return {line["server"] for line in self.requests() if line["key"] == key}


def nginx_config(prefix: Path, port: int, servers: list[str]) -> str:
    """deploy/nginx-many-classes.conf listening on `port` of 127.0.0.1 in front of `servers`,
    inside a main configuration that keeps nginx in the foreground with its files in
    `prefix` and ARTIFACTS, and logs each request's server key and the server it went to."""
    template = CONFIG.read_text()
    listen = "listen 8080;"
    example = list(re.finditer(r"^( *server )127\.0\.0\.1:850\d([^;\n]*;\n)", template, re.M))
    assert listen in template and len(example) > 1, "the file changed its example servers"
    first, last = example[0], example[-1]  # our servers, with the example's parameters
    ours = "".join(f"{first.group(1)}{server}{first.group(2)}" for server in servers)
    site = template[: first.start()] + ours + template[last.end() :]
    site = site.replace(listen, f"listen 127.0.0.1:{port};")
    # Bodies and answers too big for memory go to files in `prefix`, as they would in
    # /var/lib/nginx.
    return f"""
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {ARTIFACTS}/nginx-many-classes-error.log info;
events {{ worker_connections 512; }}
http {{
    log_format mlp_sticky '$mlp_server|$upstream_addr|$status|$request_method|$uri';
    access_log {ARTIFACTS}/nginx-many-classes-access.log mlp_sticky;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{site}
}}
"""


def stop_nginx(process: subprocess.Popen) -> None:
    """End the nginx we started, by its PID (a fast shutdown takes its worker with it), then
    its worker by PID should it still run."""
    workers = descendants(process.pid)
    stop_streamlit(process)  # terminate, wait, kill: the same for any process
    for pid in workers:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if b"nginx" not in cmdline.read():
                    continue
        except OSError:
            continue
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def proxy():
    """Two `streamlit run app.py`, each with a training pool of one process (one per core on a
    two-core machine), behind one nginx on a free port."""
    if not Path(NGINX).exists():
        pytest.skip(f"nginx is not installed (looked for {NGINX})")
    ARTIFACTS.mkdir(exist_ok=True)
    # nginx's own folder: run as root, its worker runs as nobody, and must enter it.
    prefix = Path(tempfile.mkdtemp(prefix="mlp-nginx-"))
    prefix.chmod(0o755)
    started: list[subprocess.Popen] = []
    nginx = None
    with contextlib.ExitStack() as logs:
        try:
            ports = [free_port() for _ in range(2)]
            for number, port in enumerate(ports, 1):
                log = ARTIFACTS / f"streamlit-many-classes-{number}.log"
                env = {"MLP_TRAINING_PROCESSES": "1"}
                started.append(start_streamlit(port, logs.enter_context(log.open("w")), env))
            for process, port in zip(started, ports, strict=True):
                wait_until_healthy(process, f"http://127.0.0.1:{port}")
            servers = [f"127.0.0.1:{port}" for port in ports]
            port = free_port()
            conf = prefix / "nginx.conf"
            conf.write_text(nginx_config(prefix, port, servers))
            access_log = ARTIFACTS / "nginx-many-classes-access.log"
            access_log.unlink(missing_ok=True)
            (ARTIFACTS / "nginx-many-classes-error.log").unlink(missing_ok=True)
            output = logs.enter_context((ARTIFACTS / "nginx-many-classes-output.log").open("w"))
            nginx = subprocess.Popen(
                [NGINX, "-c", str(conf), "-p", str(prefix), "-e", str(prefix / "start.log")],
                stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
            url = f"http://127.0.0.1:{port}"
            wait_until_healthy(nginx, url, timeout=30)
            yield Proxy(url, servers, access_log)
        finally:
            if nginx is not None:
                stop_nginx(nginx)
            for process in started:
                stop_streamlit(process)
            shutil.rmtree(prefix, ignore_errors=True)


def established(port: int) -> int:
    """Open TCP connections to 127.0.0.1:`port` (from /proc/net/tcp): with nginx closing its
    connection to a server after each plain request, the sessions' WebSockets."""
    local = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as table:
        rows = [line.split() for line in table.readlines()[1:]]
    return sum(1 for row in rows if row[1] == local and row[3] == "01")


def open_student(browser, url: str, tabs: list[Tab]) -> Tab:
    """A tab in a new browser context (its own cookies, like a student's own computer) on the
    app, added to `tabs`."""
    tab = Tab(browser)
    tabs.append(tab)
    if "dataset=csv" in url:  # no run controls until a file is there
        tab.page.goto(url)
        tab.page.wait_for_selector(f"{SIDEBAR} summary", timeout=60_000)
        settle(tab.page)
    else:
        open_app(tab.page, url)
    return tab


def key_of(context) -> str:
    (key,) = [cookie["value"] for cookie in context.cookies() if cookie["name"] == "mlp_server"]
    return key


def upload_csv(page) -> dict[str, str]:
    """Upload CSV_ROWS in the sidebar's Data section of a page opened on `?dataset=csv`; the
    upload's request (its URL and headers) as the browser sent it."""
    page.locator(f"{SIDEBAR} summary", has_text="Data").click()
    chooser = page.locator(f'{SIDEBAR} [data-testid="stFileUploaderDropzoneInput"]')
    chooser.wait_for(state="attached", timeout=30_000)
    file = {"name": "points.csv", "mimeType": "text/csv", "buffer": "\n".join(CSV_ROWS).encode()}
    with page.expect_response(lambda r: "/_stcore/upload_file/" in r.url, timeout=30_000) as sent:
        chooser.set_input_files(files=[file])
    response = sent.value
    assert response.status in (200, 204), (response.status, response.text())
    return {"url": response.url, **response.request.all_headers()}


def put_again(upload: dict[str, str], key: str, content: str = "") -> tuple[int, str]:
    """The browser's upload (CSV_ROWS, or `content`) sent again with its XSRF cookie and
    token, but with the server key `key`: the status and body of the answer."""
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"points.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            + (content or "\n".join(CSV_ROWS)) + f"\r\n--{boundary}--\r\n").encode()  # fmt: skip
    xsrf = re.search(r"_streamlit_xsrf=([^;]+)", upload["cookie"]).group(1)
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "X-Xsrftoken": upload["x-xsrftoken"],
        "Cookie": f"mlp_server={key}; _streamlit_xsrf={xsrf}",
    }
    request = urllib.request.Request(upload["url"], data=body, method="PUT", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def tabs(browser, request):
    """The students' tabs; those the test leaves open are closed after it, the first one's
    page printed if the test failed."""
    opened: list[Tab] = []
    try:
        yield opened
    finally:
        for number, tab in enumerate(opened):
            if not tab.page.is_closed():
                if number == 0:
                    tab.report_if_failed(request)
                tab.close()


def test_students_spread_over_two_servers_and_each_stays_on_its_own(browser, proxy, tabs):
    # The first student uploads a CSV and trains on it: the upload must reach the
    # server that holds the session.
    uploader = open_student(browser, proxy.url + "/?dataset=csv", tabs).page
    upload = upload_csv(uploader)
    uploader.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    settle(uploader)
    press(uploader, "Play")
    assert wait_for(lambda: step_counter(uploader) > 100, timeout=60), step_counter(uploader)
    press(uploader, "Pause")
    assert wait_for(lambda: server_says_paused(uploader), timeout=30), "no Paused."
    assert_no_exception(uploader)

    # More students, until both servers hold at least one.
    keys = [key_of(tabs[0].context)]
    while len(keys) < MOST_STUDENTS:
        holding = {server for key in keys for server in proxy.server_of(key)}
        if len(keys) >= FIRST_STUDENTS and holding == set(proxy.servers):
            break
        keys.append(key_of(open_student(browser, proxy.url, tabs).context))
    students = {server: sum(proxy.server_of(key) == {server} for key in keys)
                for server in proxy.servers}  # fmt: skip
    assert sum(students.values()) == len(keys), {key: proxy.server_of(key) for key in keys}
    assert all(students.values()), students
    # Each server holds the WebSockets of the students whose page it served.
    ports = [int(server.rsplit(":", 1)[1]) for server in proxy.servers]
    assert wait_for(lambda: [established(port) for port in ports] == list(students.values()),
                    timeout=20), ([established(port) for port in ports], students)  # fmt: skip

    # Without the stickiness the upload breaks: the same request, pinned by a key that
    # goes to the other server, finds no such session there.
    own = proxy.server_of(keys[0])
    elsewhere = next(key for key in keys if proxy.server_of(key) != own)
    assert put_again(upload, keys[0])[0] in (200, 204)
    status, text = put_again(upload, elsewhere)
    assert status == 400 and "Invalid session_id" in text, (status, text)
    # An upload the server refuses before reading it all (here: over its 5 MB) breaks
    # nginx's connection to the server. That must not count the server as down, which
    # would send its browsers elsewhere for a while: the next request of the same
    # browser goes to the same server.
    assert put_again(upload, keys[0], "1,2,a\n" * 920_000)[0] in (413, 502)
    status, _ = put_again(upload, keys[0])
    assert status in (200, 204) and proxy.server_of(keys[0]) == own, proxy.requests()[-3:]

    for tab in tabs:  # nginx logs a WebSocket when it closes
        tab.close()

    # Every request of each student went to one server, its WebSocket (logged when it
    # closes) included.
    def logged_sockets() -> int:
        return sum(line["path"] == "/_stcore/stream" for line in proxy.requests())

    assert wait_for(lambda: logged_sockets() >= len(keys), timeout=20), proxy.requests()[-20:]
    for key in keys:
        lines = [line for line in proxy.requests() if line["key"] == key]
        answered = {line["server"] for line in lines}
        assert len(answered) == 1 and answered <= set(proxy.servers), lines
        assert {("GET", "/"), ("GET", "/_stcore/stream")} <= {
            (line["method"], line["path"]) for line in lines
        }, lines
    uploads = [line for line in proxy.requests()
               if line["key"] == keys[0] and line["method"] == "PUT"]  # fmt: skip
    assert uploads and uploads[0]["status"] in ("200", "204"), uploads
