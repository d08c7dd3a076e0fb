"""Outside delivery channels behind one interface, chosen in settings
(``NOTICE_CHANNELS``, ``NOTICE_BACKENDS``).

A backend's ``send(message)`` returns the provider's reply as text, or
raises ``DeliveryError`` (``retryable`` says whether a later try may work:
network errors, 5xx, the provider's "busy" codes) or ``NoAddress`` (the
person has no mobile or WeCom account: nothing to try again).

- ``ConsoleBackend``: one line per notice in a file or the log, for
  development and the demo.
- ``TencentSmsBackend``: Tencent Cloud SMS ``SendSms`` (API 3.0, version
  2021-01-11), signed with TC3-HMAC-SHA256, one template parameter (the
  notice's title).
- ``WeComSchoolNoticeBackend``: 企业微信 家校沟通 「学校通知」:
  ``GET /cgi-bin/gettoken`` then ``POST /cgi-bin/externalcontact/message/send``
  to the parent's 家校通讯录 ``parent_userid`` (text message); the access
  token is cached until shortly before it expires and fetched again when
  the provider says it is invalid.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    def __init__(self, message: str, *, retryable: bool, reply: str = ""):
        super().__init__(message)
        self.retryable = retryable
        self.reply = reply


class NoAddress(Exception):
    """The recipient cannot be reached on this channel."""


@dataclass(frozen=True)
class Message:
    """What a backend sends: plain Chinese text and an absolute link."""

    title: str
    body: str
    url: str
    mobile: str
    wecom_parent_userid: str
    notice_id: int

    @property
    def text(self) -> str:
        parts = [f"【{self.title}】", self.body]
        if self.url:
            parts.append(self.url)
        return "\n".join(p for p in parts if p)


def _timeout() -> float:
    return float(getattr(settings, "NOTICE_HTTP_TIMEOUT_SECONDS", 10))


def _http(
    method: str, url: str, *, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, str]:
    """One HTTP exchange; returns (status, text). Network failures and 5xx
    are retryable DeliveryErrors."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=_timeout()) as resp:  # noqa: S310 (configured URL)
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        text = exc.read().decode("utf-8", "replace")
        raise DeliveryError(
            f"HTTP {exc.code}", retryable=exc.code >= 500 or exc.code == 429, reply=text
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}", retryable=True) from exc


def _json(text: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DeliveryError("reply is not JSON", retryable=True, reply=text[:500]) from exc
    if not isinstance(data, dict):
        raise DeliveryError("reply is not a JSON object", retryable=True, reply=text[:500])
    return data


class ConsoleBackend:
    def __init__(self, options: dict):
        self.path = options.get("PATH", "")

    def send(self, message: Message) -> str:
        line = f"notice {message.notice_id}: {message.title} {message.url}".strip()
        if self.path:
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        else:
            logger.info("%s", line)
        return "ok"


def tc3_signature(
    *, secret_key: str, service: str, timestamp: int, payload: str, host: str, content_type: str
) -> tuple[str, str]:
    """Tencent Cloud's TC3-HMAC-SHA256 signature of a POST to ``/``; returns
    (credential scope, hex signature)."""
    date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload.encode()).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )

    def _h(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = _h(_h(_h(("TC3" + secret_key).encode(), date), service), "tc3_request")
    return scope, hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


# Tencent's error codes that a later try may cure (limits, the service busy).
TENCENT_RETRYABLE = (
    "InternalError",
    "RequestLimitExceeded",
    "LimitExceeded",
    "ResourceUnavailable",
)


class TencentSmsBackend:
    CONTENT_TYPE = "application/json; charset=utf-8"

    def __init__(self, options: dict):
        self.o = options

    def send(self, message: Message) -> str:
        if not message.mobile:
            raise NoAddress("no mobile")
        payload = json.dumps(
            {
                "PhoneNumberSet": [f"+86{message.mobile}"],
                "SmsSdkAppId": self.o["SDK_APP_ID"],
                "SignName": self.o["SIGN_NAME"],
                "TemplateId": self.o["TEMPLATE_ID"],
                "TemplateParamSet": [message.title[:20]],
            },
            ensure_ascii=False,
        )
        endpoint = self.o["ENDPOINT"].rstrip("/")
        host = urllib.parse.urlsplit(endpoint).netloc
        ts = int(time.time())
        scope, signature = tc3_signature(
            secret_key=self.o["SECRET_KEY"],
            service="sms",
            timestamp=ts,
            payload=payload,
            host=host,
            content_type=self.CONTENT_TYPE,
        )
        headers = {
            "Content-Type": self.CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Version": "2021-01-11",
            "X-TC-Timestamp": str(ts),
            "X-TC-Region": self.o.get("REGION", "ap-guangzhou"),
            "Authorization": (
                f"TC3-HMAC-SHA256 Credential={self.o['SECRET_ID']}/{scope}, "
                f"SignedHeaders=content-type;host, Signature={signature}"
            ),
        }
        _status, text = _http("POST", endpoint + "/", body=payload.encode(), headers=headers)
        response = _json(text).get("Response", {})
        if "Error" in response:
            code = str(response["Error"].get("Code", ""))
            raise DeliveryError(
                f"SMS {code}", retryable=code.startswith(TENCENT_RETRYABLE), reply=text[:1000]
            )
        statuses = response.get("SendStatusSet") or []
        if not statuses or statuses[0].get("Code") != "Ok":
            code = statuses[0].get("Code", "") if statuses else "empty"
            raise DeliveryError(
                f"SMS {code}", retryable=str(code).startswith(TENCENT_RETRYABLE), reply=text[:1000]
            )
        return text[:1000]


# WeCom errcodes: the token expired or is invalid (fetch a new one once),
# and those a later try may cure (system busy, frequency limits).
WECOM_TOKEN_INVALID = {40014, 42001}
WECOM_RETRYABLE = {-1, 45009, 45033}


class WeComSchoolNoticeBackend:
    def __init__(self, options: dict):
        self.o = options
        self.base = options["BASE_URL"].rstrip("/")

    @property
    def _cache_key(self) -> str:
        return f"wecom-token:{self.o['CORP_ID']}:{self.o['AGENT_ID']}"

    def _token(self, *, fresh: bool = False) -> str:
        if not fresh:
            token = cache.get(self._cache_key)
            if token:
                return token
        query = urllib.parse.urlencode(
            {"corpid": self.o["CORP_ID"], "corpsecret": self.o["SECRET"]}
        )
        _status, text = _http("GET", f"{self.base}/cgi-bin/gettoken?{query}")
        data = _json(text)
        if data.get("errcode", 0) != 0 or not data.get("access_token"):
            code = data.get("errcode")
            raise DeliveryError(
                f"WeCom gettoken {code}", retryable=code in WECOM_RETRYABLE, reply=text[:1000]
            )
        token = data["access_token"]
        # Renew five minutes before the provider's expiry (7200 s).
        cache.set(self._cache_key, token, max(int(data.get("expires_in", 7200)) - 300, 60))
        return token

    def _post(self, token: str, payload: bytes) -> tuple[dict, str]:
        query = urllib.parse.urlencode({"access_token": token})
        _status, text = _http(
            "POST",
            f"{self.base}/cgi-bin/externalcontact/message/send?{query}",
            body=payload,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        return _json(text), text

    def send(self, message: Message) -> str:
        if not message.wecom_parent_userid:
            raise NoAddress("no WeCom parent userid")
        payload = json.dumps(
            {
                "recv_scope": 0,
                "to_parent_userid": [message.wecom_parent_userid],
                "toall": 0,
                "msgtype": "text",
                "agentid": int(self.o["AGENT_ID"]),
                "text": {"content": message.text[:2000]},
                "enable_id_trans": 0,
                "enable_duplicate_check": 1,
                "duplicate_check_interval": 1800,
            },
            ensure_ascii=False,
        ).encode()
        data, text = self._post(self._token(), payload)
        if data.get("errcode") in WECOM_TOKEN_INVALID:
            data, text = self._post(self._token(fresh=True), payload)
        code = data.get("errcode")
        if code != 0:
            raise DeliveryError(
                f"WeCom {code}", retryable=code in WECOM_RETRYABLE, reply=text[:1000]
            )
        if message.wecom_parent_userid in (data.get("invalid_parent_userid") or []):
            raise DeliveryError("WeCom invalid parent userid", retryable=False, reply=text[:1000])
        return text[:1000]


def get_backend(channel: str):
    """The configured backend instance of ``channel`` (``NOTICE_BACKENDS``)."""
    options = settings.NOTICE_BACKENDS[channel]
    return import_string(options["BACKEND"])(options)
