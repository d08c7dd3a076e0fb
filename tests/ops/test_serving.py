"""Production serving for real: collectstatic with the production storage, then
gunicorn with deploy/gunicorn.conf.py and production settings on a free port
(and nginx in front of it with deploy/nginx/, where nginx is installed)."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

from tests.ops.conftest import PYTHON, ROOT, production_env

HOST = "kehou.example.edu.cn"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, headers=None, data=None, context=None):
    """(status, headers, body) without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    handlers = [NoRedirect()]
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_for(url, headers, process, log):
    for _ in range(150):
        if process.poll() is not None:
            pytest.fail(f"server exited: {log.read_text()}")
        try:
            return fetch(url, headers)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"server did not answer: {log.read_text()}")


@pytest.fixture(scope="module")
def static_root(collected_static) -> Path:
    return collected_static


@pytest.fixture(scope="module")
def gunicorn(static_root, tmp_path_factory):
    """A running gunicorn with 2 workers; yields (base_url, log_path)."""
    tmp = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    log = tmp / "gunicorn.log"
    env = production_env(
        STATIC_ROOT=str(static_root),
        # A database file of its own: the pages probed here read no table.
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
    )
    with log.open("w") as out:
        process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz", {"Host": HOST}, process, log)
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=30)


class TestCollectstatic:
    def test_writes_hashed_and_compressed_files_with_a_manifest(self, static_root):
        manifest = json.loads((static_root / "staticfiles.json").read_text())
        hashed = manifest["paths"]["vendor/bootstrap/bootstrap.min.css"]
        assert re.fullmatch(r"vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css", hashed)
        assert (static_root / hashed).exists()
        assert (static_root / f"{hashed}.gz").exists()


class TestGunicorn:
    def test_health_check_over_plain_http(self, gunicorn):
        base, _ = gunicorn
        status, headers, body = fetch(f"{base}/healthz", {"Host": HOST})
        assert status == 200
        assert json.loads(body) == {"status": "ok", "database": "ok"}
        assert headers.get("Set-Cookie") is None

    def test_plain_http_pages_redirect_to_https(self, gunicorn):
        base, _ = gunicorn
        status, headers, _ = fetch(f"{base}/login/", {"Host": HOST})
        assert status == 301
        assert headers["Location"] == f"https://{HOST}/login/"

    def test_login_page_behind_the_proxy_has_the_production_headers(self, gunicorn):
        base, _ = gunicorn
        status, headers, body = fetch(
            f"{base}/login/", {"Host": HOST, "X-Forwarded-Proto": "https"}
        )
        assert status == 200
        assert "登录课后服务" in body.decode()
        assert headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        cookie = headers["Set-Cookie"]
        assert cookie.startswith("__Host-csrftoken=")
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert "Path=/" in cookie
        # The page links the hashed, collected stylesheet.
        stylesheet = r"/static/css/bootstrap\.trimmed\.[0-9a-f]{12}\.css"
        assert re.search(stylesheet, body.decode())

    def test_whitenoise_serves_collected_files_for_a_year(self, gunicorn, static_root):
        base, _ = gunicorn
        manifest = json.loads((static_root / "staticfiles.json").read_text())
        hashed = manifest["paths"]["css/site.css"]
        status, headers, body = fetch(
            f"{base}/static/{hashed}",
            {"Host": HOST, "X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"},
        )
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"]
        assert body == (static_root / f"{hashed}.gz").read_bytes()

    def test_unknown_host_is_refused(self, gunicorn):
        base, _ = gunicorn
        status, _, body = fetch(f"{base}/healthz", {"Host": "evil.example.com"})
        assert status == 400
        assert "请求无法处理" in body.decode()

    def test_access_log_has_no_query_string(self, gunicorn):
        base, log = gunicorn
        fetch(f"{base}/healthz?mobile=13800138000&q=%E5%BC%A0%E4%B8%89", {"Host": HOST})
        time.sleep(0.3)
        text = log.read_text()
        assert '"GET /healthz HTTP/1.1" 200' in text
        assert "13800138000" not in text
        assert "mobile=" not in text
        assert "%E5%BC%A0" not in text

    def test_no_control_socket_unless_asked_for(self, gunicorn):
        _, log = gunicorn
        assert "Booting worker" in log.read_text()
        assert "Control socket" not in log.read_text()

    def test_access_log_blanks_a_mobile_in_the_path(self, gunicorn):
        base, log = gunicorn
        status, _, _ = fetch(f"{base}/guardians/13800138000/", {"Host": HOST})
        assert status == 301  # to HTTPS, as any page over plain HTTP
        time.sleep(0.3)
        text = log.read_text()
        assert '"GET /guardians/<mobile>/ HTTP/1.1" 301' in text
        assert "13800138000" not in text


@pytest.fixture(scope="module")
def nginx(gunicorn, tmp_path_factory):
    """nginx with deploy/nginx/*.conf (paths and ports rewritten) on free ports."""
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed here")
    base, _ = gunicorn
    tmp = tmp_path_factory.mktemp("nginx")
    (tmp / "logs").mkdir()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    deploy = ROOT / "deploy" / "nginx"
    (tmp / "afterschool-proxy.conf").write_text((deploy / "afterschool-proxy.conf").read_text())
    http_port, https_port = free_port(), free_port()
    site = (
        (deploy / "afterschool.conf")
        .read_text()
        .replace("/etc/nginx/snippets/", f"{tmp}/")
        .replace("/var/log/nginx/", f"{tmp}/logs/")
        .replace("/etc/ssl/certs/kehou.example.edu.cn.fullchain.pem", f"{tmp}/cert.pem")
        .replace("/etc/ssl/private/kehou.example.edu.cn.key", f"{tmp}/key.pem")
        .replace("127.0.0.1:8000", base.removeprefix("http://"))
        .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
        .replace("listen [::]:80;", "")
        .replace("listen [::]:443 ssl http2;", "")
    )
    (tmp / "site.conf").write_text(site)
    (tmp / "nginx.conf").write_text(
        f"pid {tmp}/nginx.pid;\nerror_log {tmp}/logs/error.log;\nevents {{}}\n"
        f"http {{ client_body_temp_path {tmp}; proxy_temp_path {tmp};"
        f" include {tmp}/site.conf; }}\n"
    )
    log = tmp / "logs" / "error.log"
    process = subprocess.Popen(
        ["nginx", "-c", f"{tmp}/nginx.conf", "-p", str(tmp), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    context = ssl.create_default_context(cafile=tmp / "cert.pem")
    context.check_hostname = False
    url = f"https://127.0.0.1:{https_port}"
    try:
        for _ in range(100):
            if process.poll() is not None:
                pytest.fail(f"nginx exited: {log.read_text()}")
            try:
                fetch(f"{url}/healthz", {"Host": HOST}, context=context)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        yield url, f"http://127.0.0.1:{http_port}", context, tmp
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed here")
class TestNginxInFront:
    def test_https_login_page_through_nginx(self, nginx):
        url, _, context, _ = nginx
        status, headers, body = fetch(f"{url}/login/", {"Host": HOST}, context=context)
        assert status == 200  # X-Forwarded-Proto reached Django: no redirect loop
        assert "登录课后服务" in body.decode()
        assert headers["Set-Cookie"].startswith("__Host-csrftoken=")

    def test_plain_http_is_sent_to_https(self, nginx):
        _, http_url, _, _ = nginx
        status, headers, _ = fetch(f"{http_url}/login/", {"Host": HOST})
        assert status == 301
        assert headers["Location"] == f"https://{HOST}/login/"

    def test_body_over_the_limit_is_refused_by_nginx_in_chinese(self, nginx):
        url, _, context, _ = nginx
        body = b"x" * (settings.REQUEST_BODY_MAX_BYTES + 1)
        status, _, page = fetch(
            f"{url}/login/",
            {"Host": HOST, "Content-Type": "application/octet-stream"},
            data=body,
            context=context,
        )
        assert status == 413
        assert "上传的文件不能超过 5 MB" in page.decode()

    def test_access_log_has_no_query_string(self, nginx):
        url, _, context, tmp = nginx
        fetch(f"{url}/healthz?mobile=13800138000", {"Host": HOST}, context=context)
        text = (tmp / "logs" / "afterschool.access.log").read_text()
        assert '"GET /healthz HTTP/1.1" 200' in text
        assert "13800138000" not in text


class TestNginxLimitMatchesSettings:
    def test_client_max_body_size_is_the_request_body_limit(self):
        conf = (ROOT / "deploy" / "nginx" / "afterschool.conf").read_text()
        size = re.search(r"^\s*client_max_body_size (\d+)m;", conf, re.M).group(1)
        assert int(size) * 1024 * 1024 == settings.REQUEST_BODY_MAX_BYTES
        limit_mb = settings.ROSTER_UPLOAD_MAX_BYTES // (1024 * 1024)
        assert f"上传的文件不能超过 {limit_mb} MB" in conf


def test_systemd_units_cap_memory_and_the_readme_says_why(root):
    for unit in ("afterschool-web.service", "afterschool-worker.service"):
        text = (root / "deploy" / "systemd" / unit).read_text()
        assert "\nMemoryMax=" in text, unit
        assert "\nMemorySwapMax=0" in text, unit
    readme = (root / "README.md").read_text()
    assert "### Memory limits" in readme and "MemoryMax" in readme
