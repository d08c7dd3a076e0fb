"""Delivery through the outside channels, against local HTTP servers that
speak the providers' protocols (WeCom 家校沟通, Tencent Cloud SMS), with
retries and back-off on a pinned clock."""

from __future__ import annotations

import datetime
import json

import time_machine

from afterschool.models import Delivery, DeliveryStatus, NoticeKind, NoticePreference
from afterschool.notices.backends import tc3_signature
from afterschool.notices.services import notify
from afterschool.notices.tasks import deliveries_send_due

T0 = datetime.datetime(2024, 10, 8, 9, 0, tzinfo=datetime.UTC)


def set_wecom(guardian, userid: str) -> None:
    guardian.wecom_parent_userid = userid
    guardian.save(update_fields=["wecom_parent_userid"])


def _send(world, django_capture_on_commit_callbacks, **kw):
    with django_capture_on_commit_callbacks(execute=True):
        return notify(
            school=world.school,
            recipients=[world.guardian_x.user],
            kind=NoticeKind.SERVICE_SUSPENDED,
            title="停课通知",
            body="10月9日暂停课后服务。",
            link="/scheduling/timetable/",
            **kw,
        )


class TestWeCom:
    def test_school_notice_sent_to_the_parent_userid(
        self, world, wecom, django_capture_on_commit_callbacks
    ):
        set_wecom(world.guardian_x, "p_zhang")
        with time_machine.travel(T0, tick=False):
            _send(world, django_capture_on_commit_callbacks)
        d = Delivery.objects.get()
        assert d.status == DeliveryStatus.SENT and d.attempts == 1
        token, send = wecom.requests
        assert token["path"] == "/cgi-bin/gettoken"
        assert token["query"] == {"corpid": "ww123", "corpsecret": "s3cret"}
        assert send["path"] == "/cgi-bin/externalcontact/message/send"
        assert send["query"] == {"access_token": "TOKEN1"}
        body = json.loads(send["body"])
        assert body["to_parent_userid"] == ["p_zhang"]
        assert body["msgtype"] == "text" and body["agentid"] == 1000004
        assert "停课通知" in body["text"]["content"]
        assert "http://127.0.0.1:8000/scheduling/timetable/" in body["text"]["content"]

    def test_token_is_cached_and_renewed_when_invalid(
        self, world, wecom, django_capture_on_commit_callbacks
    ):
        set_wecom(world.guardian_x, "p_zhang")
        _send(world, django_capture_on_commit_callbacks, dedupe_key="a")
        wecom.replies["/cgi-bin/externalcontact/message/send"] = [
            (200, {"errcode": 42001, "errmsg": "access_token expired"}),
            (200, {"errcode": 0, "errmsg": "ok"}),
        ]
        _send(world, django_capture_on_commit_callbacks, dedupe_key="b")
        paths = [r["path"] for r in wecom.requests]
        assert paths == [
            "/cgi-bin/gettoken",
            "/cgi-bin/externalcontact/message/send",
            "/cgi-bin/externalcontact/message/send",  # cached token, expired
            "/cgi-bin/gettoken",
            "/cgi-bin/externalcontact/message/send",
        ]
        assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}

    def test_busy_is_retried_with_back_off_then_failed(
        self, world, wecom, settings, django_capture_on_commit_callbacks
    ):
        settings.NOTICE_MAX_ATTEMPTS = 3
        settings.NOTICE_RETRY_BASE_SECONDS = 60
        set_wecom(world.guardian_x, "p_zhang")
        wecom.replies["/cgi-bin/externalcontact/message/send"] = [
            (200, {"errcode": -1, "errmsg": "system busy"})
        ]
        with time_machine.travel(T0, tick=False) as clock:
            _send(world, django_capture_on_commit_callbacks)
            d = Delivery.objects.get()
            assert (d.status, d.attempts) == (DeliveryStatus.RETRY, 1)
            assert d.next_attempt_at == T0 + datetime.timedelta(seconds=60)
            assert d.last_error == "WeCom -1" and "system busy" in d.provider_reply
            clock.shift(30)
            assert deliveries_send_due() == 0  # not due yet
            assert Delivery.objects.get().attempts == 1
            clock.shift(31)
            deliveries_send_due()
            d.refresh_from_db()
            assert (d.status, d.attempts) == (DeliveryStatus.RETRY, 2)
            assert d.next_attempt_at == T0 + datetime.timedelta(seconds=61 + 120)
            clock.shift(121)
            deliveries_send_due()
            d.refresh_from_db()
            assert (d.status, d.attempts, d.next_attempt_at) == (DeliveryStatus.FAILED, 3, None)

    def test_recovers_after_a_server_error(self, world, wecom, django_capture_on_commit_callbacks):
        set_wecom(world.guardian_x, "p_zhang")
        wecom.replies["/cgi-bin/externalcontact/message/send"] = [
            (502, {"error": "bad gateway"}),
            (200, {"errcode": 0, "errmsg": "ok"}),
        ]
        with time_machine.travel(T0, tick=False) as clock:
            _send(world, django_capture_on_commit_callbacks)
            assert Delivery.objects.get().last_error == "HTTP 502"
            clock.shift(61)
            assert deliveries_send_due() == 1
        d = Delivery.objects.get()
        assert (d.status, d.attempts, d.last_error) == (DeliveryStatus.SENT, 2, "")

    def test_invalid_parent_fails_without_retry(
        self, world, wecom, django_capture_on_commit_callbacks
    ):
        set_wecom(world.guardian_x, "p_gone")
        wecom.replies["/cgi-bin/externalcontact/message/send"] = [
            (200, {"errcode": 0, "errmsg": "ok", "invalid_parent_userid": ["p_gone"]})
        ]
        _send(world, django_capture_on_commit_callbacks)
        d = Delivery.objects.get()
        assert (d.status, d.attempts) == (DeliveryStatus.FAILED, 1)

    def test_parent_without_wecom_account_is_skipped(
        self, world, wecom, django_capture_on_commit_callbacks
    ):
        _send(world, django_capture_on_commit_callbacks)
        assert Delivery.objects.get().status == DeliveryStatus.SKIPPED
        assert wecom.requests == []

    def test_guardian_who_turned_wecom_off_gets_in_app_only(
        self, world, wecom, django_capture_on_commit_callbacks
    ):
        NoticePreference.objects.create(user=world.guardian_x.user, wecom=False)
        set_wecom(world.guardian_x, "p_zhang")
        notices = _send(world, django_capture_on_commit_callbacks)
        assert len(notices) == 1 and not Delivery.objects.exists()


class TestTencentSms:
    def test_send_sms_signed_request(self, world, sms, django_capture_on_commit_callbacks):
        sms.replies["/"] = [
            (
                200,
                {
                    "Response": {
                        "SendStatusSet": [
                            {"SerialNo": "2028:1", "PhoneNumber": "+8613900000001", "Code": "Ok"}
                        ],
                        "RequestId": "r1",
                    }
                },
            )
        ]
        _send(world, django_capture_on_commit_callbacks)
        d = Delivery.objects.get()
        assert d.status == DeliveryStatus.SENT and "2028:1" in d.provider_reply
        (req,) = sms.requests
        body = json.loads(req["body"])
        assert body["PhoneNumberSet"] == ["+8613900000001"]
        assert body["TemplateParamSet"] == ["停课通知"]
        assert body["SmsSdkAppId"] == "1400000001"
        assert req["headers"]["x-tc-action"] == "SendSms"
        # The provider recomputes the signature from what it received.
        ts = int(req["headers"]["x-tc-timestamp"])
        scope, signature = tc3_signature(
            secret_key="keytest",
            service="sms",
            timestamp=ts,
            payload=req["body"],
            host=req["headers"]["host"],
            content_type=req["headers"]["content-type"],
        )
        assert req["headers"]["authorization"] == (
            f"TC3-HMAC-SHA256 Credential=AKIDtest/{scope}, "
            f"SignedHeaders=content-type;host, Signature={signature}"
        )

    def test_rate_limit_retried_auth_failure_not(
        self, world, sms, django_capture_on_commit_callbacks
    ):
        sms.replies["/"] = [
            (200, {"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "x"}}}),
        ]
        _send(world, django_capture_on_commit_callbacks, dedupe_key="1")
        assert Delivery.objects.get().status == DeliveryStatus.RETRY
        sms.replies["/"] = [
            (
                200,
                {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "x"}}},
            ),
        ]
        _send(world, django_capture_on_commit_callbacks, dedupe_key="2")
        last = Delivery.objects.order_by("pk").last()
        assert (last.status, last.last_error) == (
            DeliveryStatus.FAILED,
            "SMS AuthFailure.SignatureFailure",
        )

    def test_unreachable_provider_is_retried(
        self, world, settings, django_capture_on_commit_callbacks
    ):
        settings.NOTICE_CHANNELS = ["sms"]
        settings.NOTICE_BACKENDS = {
            "sms": {
                "BACKEND": "afterschool.notices.backends.TencentSmsBackend",
                "ENDPOINT": "http://127.0.0.1:9",  # nothing listens on the discard port
                "SECRET_ID": "a",
                "SECRET_KEY": "b",
                "SDK_APP_ID": "1",
                "SIGN_NAME": "s",
                "TEMPLATE_ID": "1",
            }
        }
        settings.NOTICE_HTTP_TIMEOUT_SECONDS = 2
        _send(world, django_capture_on_commit_callbacks)
        d = Delivery.objects.get()
        assert d.status == DeliveryStatus.RETRY and d.last_error


class TestConsole:
    def test_console_backend_writes_a_line(
        self, world, settings, tmp_path, django_capture_on_commit_callbacks
    ):
        path = tmp_path / "notices.log"
        settings.NOTICE_CHANNELS = ["console"]
        settings.NOTICE_BACKENDS = {
            "console": {"BACKEND": "afterschool.notices.backends.ConsoleBackend", "PATH": str(path)}
        }
        _send(world, django_capture_on_commit_callbacks)
        assert Delivery.objects.get().status == DeliveryStatus.SENT
        assert "停课通知" in path.read_text(encoding="utf-8")
        assert "13900000001" not in path.read_text(encoding="utf-8")
