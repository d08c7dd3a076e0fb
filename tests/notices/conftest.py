"""Fixtures of the notices tests: the scheduling term and enrolment, and
local HTTP servers that speak the providers' protocols (WeCom 家校沟通,
Tencent Cloud SMS), so the real backends are driven over HTTP."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache

from tests.scheduling.conftest import enroll, term  # noqa: F401


class Provider:
    """A fake provider: records requests, answers from a queue of replies."""

    def __init__(self):
        self.requests: list[dict] = []
        self.replies: dict[str, list[tuple[int, dict]]] = {}

    def handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, body: bytes):
                url = urllib.parse.urlsplit(self.path)
                provider.requests.append(
                    {
                        "method": self.command,
                        "path": url.path,
                        "query": dict(urllib.parse.parse_qsl(url.query)),
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body.decode(),
                    }
                )
                queue = provider.replies.get(url.path) or [(200, {"errcode": 0})]
                status, data = queue.pop(0) if len(queue) > 1 else queue[0]
                out = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def do_GET(self):
                self._answer(b"")

            def do_POST(self):
                self._answer(self.rfile.read(int(self.headers.get("Content-Length", 0))))

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def provider():
    p = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), p.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    p.url = f"http://127.0.0.1:{server.server_port}"
    yield p
    server.shutdown()
    server.server_close()


@pytest.fixture
def wecom(settings, provider):
    cache.clear()
    settings.NOTICE_CHANNELS = ["wecom"]
    settings.NOTICE_BACKENDS = {
        "wecom": {
            "BACKEND": "afterschool.notices.backends.WeComSchoolNoticeBackend",
            "BASE_URL": provider.url,
            "CORP_ID": "ww123",
            "SECRET": "s3cret",
            "AGENT_ID": "1000004",
        }
    }
    provider.replies["/cgi-bin/gettoken"] = [
        (200, {"errcode": 0, "errmsg": "ok", "access_token": "TOKEN1", "expires_in": 7200})
    ]
    return provider


@pytest.fixture
def sms(settings, provider):
    settings.NOTICE_CHANNELS = ["sms"]
    settings.NOTICE_BACKENDS = {
        "sms": {
            "BACKEND": "afterschool.notices.backends.TencentSmsBackend",
            "ENDPOINT": provider.url,
            "SECRET_ID": "AKIDtest",
            "SECRET_KEY": "keytest",
            "REGION": "ap-guangzhou",
            "SDK_APP_ID": "1400000001",
            "SIGN_NAME": "实验小学",
            "TEMPLATE_ID": "123456",
        }
    }
    return provider
