"""E-mail (通知): messages composed in Chinese and sent to a real SMTP server on loopback.

The server is aiosmtpd, started by the tests on 127.0.0.1; a handler keeps every envelope
(sender, recipients, raw bytes) and can refuse chosen recipients or answer 421 once.
"""

from __future__ import annotations

import datetime as dt
import email
import logging
import socket
import ssl
from email import policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from pydantic import ValidationError

from progress_audit.config import Settings
from progress_audit.model.period import Period
from progress_audit.notification.mail import (
    NotifyError,
    SmtpSettings,
    exception_report_message,
    reminder_message,
    reminder_messages,
    send,
    unknown_recipient_units,
)
from progress_audit.notification.reminders import RejectedFile, Reminder

TZ = ZoneInfo("Asia/Shanghai")
JUNE = Period(2019, 6)
AS_OF = dt.datetime(2019, 7, 6, 9, 0, tzinfo=TZ)
DUE = JUNE.due("Asia/Shanghai", 5)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUMMARY = {"overdue": 3, "off_track": 2, "at_risk": 5, "missing": 4, "on_track": 60}


# ── the server ─────────────────────────────────────────────────────────────────────────────


class Mailbox:
    """An aiosmtpd handler that keeps what arrives."""

    def __init__(self, refuse=(), closing_replies=0):
        self.refuse = set(refuse)
        self.closing_replies = closing_replies  # answer DATA with 421 this many times
        self.received: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.closing_replies:
            self.closing_replies -= 1
            return "421 4.3.2 service shutting down"
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 2.0.0 accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, mailbox: Mailbox, port: int | None = None, **kwargs):
        self.mailbox = mailbox
        self.port = port or free_port()
        self.controller = Controller(mailbox, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> Server:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def smtp_settings(port: int, **overrides) -> SmtpSettings:
    values = dict(
        host="127.0.0.1",
        port=port,
        sender="dcs@example.gov.cn",
        timeout=5,
        retries=2,
        retry_backoff=0.5,
        office_recipients=["zfb@example.gov.cn", "dcs-leader@example.gov.cn"],
        unit_recipients={
            "人社局": ["rsj@example.gov.cn", "rsj-bgs@example.gov.cn"],
            "发改委": ["fgw@example.gov.cn"],
        },
    )
    return SmtpSettings(**(values | overrides))


def no_sleep(seconds: float) -> None:
    raise AssertionError(f"unexpected retry wait of {seconds} s")


@pytest.fixture
def reports(tmp_path: Path) -> list[Path]:
    """Report files with bytes that survive only an exact transfer (every byte value)."""
    paths = []
    for i, name in enumerate(["exceptions.xlsx", "exceptions.html", "overdue.xlsx"]):
        path = tmp_path / name
        if name.endswith(".html"):
            path.write_text("<!doctype html><title>督办通报</title><p>逾期未完成 3 项</p>\n")
        else:
            path.write_bytes(bytes((b + i) % 256 for b in range(256)) * 40)
        paths.append(path)
    return paths


def attachments(msg: EmailMessage) -> dict[str, tuple[str, bytes]]:
    return {
        part.get_filename(): (part.get_content_type(), part.get_payload(decode=True))
        for part in msg.iter_attachments()
    }


# ── the exception report ───────────────────────────────────────────────────────────────────


def test_exception_report_arrives_in_chinese_with_the_reports_attached(reports):
    settings = smtp_settings(25)
    message = exception_report_message(JUNE, AS_OF, SUMMARY, reports, settings)
    with Server(Mailbox()) as server:
        result = send([message], settings.model_copy(update={"port": server.port}))

    assert result.ok and len(result.sent) == 1, str(result)
    ((mail_from, rcpt, msg),) = server.mailbox.received
    assert mail_from == "dcs@example.gov.cn"
    assert rcpt == ["zfb@example.gov.cn", "dcs-leader@example.gov.cn"]
    assert msg["Subject"] == "【督办通报】2019年6月重点任务进度督查结果"
    assert msg["From"].addresses[0].display_name == "区政府办公室督查室"
    assert msg["Date"].datetime == AS_OF
    assert msg["Message-ID"] == message["Message-ID"]

    body = msg.get_body(("plain",)).get_content()
    assert "2019年6月" in body and "2019年7月6日09:00" in body
    for label, count in [("逾期未完成", 3), ("严重滞后", 2), ("进度滞后", 5), ("未报送", 4)]:
        assert any(label in line and f"{count} 项" in line for line in body.splitlines()), label
    assert "共督查 74 项" in body

    got = attachments(msg)
    assert set(got) == {
        "2019年6月督办通报.xlsx",
        "2019年6月督办通报.html",
        "2019年6月逾期任务清单.xlsx",
    }
    assert got["2019年6月督办通报.xlsx"] == (XLSX, reports[0].read_bytes())
    assert got["2019年6月督办通报.html"] == ("text/html", reports[1].read_bytes())
    assert got["2019年6月逾期任务清单.xlsx"] == (XLSX, reports[2].read_bytes())
    for name in got:
        assert name in body
    # Chinese file names travel as RFC 2231 parameters, the headers themselves stay ASCII.
    raw = message.as_bytes()
    assert b"filename*" in raw and b"utf-8''" in raw
    assert all(ord(c) < 128 for c in raw.split(b"\r\n\r\n")[0].decode("ascii"))


def test_a_rerun_composes_the_same_bytes_dated_by_as_of(reports):
    settings = smtp_settings(25)
    first = exception_report_message(JUNE, AS_OF, SUMMARY, reports, settings)
    again = exception_report_message(JUNE, AS_OF, SUMMARY, reports, settings)
    assert first.as_bytes() == again.as_bytes()
    later = exception_report_message(JUNE, AS_OF + dt.timedelta(days=1), SUMMARY, reports, settings)
    assert later["Message-ID"] != first["Message-ID"]
    assert later["Date"].datetime == AS_OF + dt.timedelta(days=1)


def test_exception_report_refuses_what_it_cannot_send(reports, tmp_path):
    settings = smtp_settings(25)
    with pytest.raises(NotifyError, match="office_recipients"):
        exception_report_message(
            JUNE, AS_OF, SUMMARY, reports, settings.model_copy(update={"office_recipients": []})
        )
    with pytest.raises(NotifyError, match="late_ish"):
        exception_report_message(JUNE, AS_OF, {"late_ish": 1}, reports, settings)
    with pytest.raises(NotifyError, match=r"at-risk\.xlsx"):
        exception_report_message(JUNE, AS_OF, SUMMARY, [tmp_path / "at-risk.xlsx"], settings)
    with pytest.raises(NotifyError, match="时区"):
        exception_report_message(JUNE, dt.datetime(2019, 7, 6), SUMMARY, reports, settings)


# ── reminders ──────────────────────────────────────────────────────────────────────────────


def reminder(unit, as_of=dt.datetime(2019, 7, 3, 9, 0, tzinfo=TZ), **kw):
    return Reminder(unit, "2019-06", DUE, 12, as_of, **kw)


def test_reminder_before_the_deadline_asks_for_the_workbook():
    msg = reminder_message(reminder("发改委"), smtp_settings(25))
    assert msg["Subject"] == "【催报】请于2019年7月5日24时前报送2019年6月重点任务进度填报表"
    assert msg["To"] == "fgw@example.gov.cn"
    body = msg.get_body(("plain",)).get_content()
    assert body.startswith("发改委：")
    assert "12 项任务" in body and "截至2019年7月3日09:00" in body
    assert msg["Date"].datetime == dt.datetime(2019, 7, 3, 9, 0, tzinfo=TZ)
    # Plain text only: nothing a unit typed can become markup.
    assert [p.get_content_type() for p in msg.walk()] == ["text/plain"]


def test_reminder_after_the_deadline_names_the_rejected_files_and_attaches_feedback(tmp_path):
    feedback = tmp_path / "人社局.xlsx"
    feedback.write_bytes(b"PK\x03\x04 feedback workbook")
    rejected = RejectedFile(
        "人社局/<b>六月</b>.xlsx",
        dt.datetime(2019, 7, 2, 10, 0, tzinfo=TZ),
        ("找不到“进度填报”工作表，请用下发的模板填报",),
    )
    late = reminder("人社局", as_of=dt.datetime(2019, 7, 8, 9, 0, tzinfo=TZ), rejected=(rejected,))
    msg = reminder_message(late, smtp_settings(25), feedback)

    assert msg["Subject"] == "【催报】2019年6月重点任务进度填报表已超过报送截止时间，请尽快报送"
    body = msg.get_body(("plain",)).get_content()
    assert "报送截止时间2019年7月5日24时已过" in body
    assert "人社局/<b>六月</b>.xlsx（2019年7月2日10:00收到）：找不到“进度填报”工作表" in body
    assert attachments(msg) == {"2019年6月人社局填报问题反馈.xlsx": (XLSX, feedback.read_bytes())}
    assert "text/html" not in {p.get_content_type() for p in msg.walk()}


def test_reminders_go_to_each_units_own_addresses_and_the_unaddressed_are_listed():
    settings = smtp_settings(25)
    batch = reminder_messages(
        [reminder("人社局"), reminder("教育局"), reminder("发改委")], settings
    )
    assert batch.unaddressed == ("教育局",)
    assert reminder_message(reminder("教育局"), settings) is None

    with Server(Mailbox()) as server:
        result = send(batch.messages, settings.model_copy(update={"port": server.port}))

    assert result.ok, str(result)
    got = [
        (rcpt, msg.get_body(("plain",)).get_content().split("：")[0])
        for _, rcpt, msg in server.mailbox.received
    ]
    assert got == [
        (["rsj@example.gov.cn", "rsj-bgs@example.gov.cn"], "人社局"),
        (["fgw@example.gov.cn"], "发改委"),
    ]


def test_unknown_units_in_the_recipients_are_pointed_out():
    assert unknown_recipient_units(smtp_settings(25), ["人社局", "教育局"]) == ["发改委"]


# ── sending ────────────────────────────────────────────────────────────────────────────────


def test_a_refused_recipient_does_not_stop_the_rest():
    settings = smtp_settings(
        25,
        unit_recipients={
            "人社局": ["rsj@example.gov.cn", "nobody@example.gov.cn"],
            "财政局": ["nobody@example.gov.cn"],
            "发改委": ["fgw@example.gov.cn"],
        },
    )
    batch = reminder_messages([reminder(u) for u in ("人社局", "财政局", "发改委")], settings)
    with Server(Mailbox(refuse={"nobody@example.gov.cn"})) as server:
        result = send(
            batch.messages, settings.model_copy(update={"port": server.port}), sleep=no_sleep
        )

    partial, refused, fine = result.deliveries
    assert partial.accepted == ("rsj@example.gov.cn",)
    assert partial.refused[0][0] == "nobody@example.gov.cn" and "550" in partial.refused[0][1]
    assert refused.error and not refused.accepted
    assert fine.ok and fine.accepted == ("fgw@example.gov.cn",)
    assert [rcpt for _, rcpt, _ in server.mailbox.received] == [
        ["rsj@example.gov.cn"],
        ["fgw@example.gov.cn"],
    ]
    assert not result.ok and len(result.sent) == 2 and len(result.failed) == 2
    assert "nobody@example.gov.cn" in str(result)


def test_a_connection_refused_is_retried_with_backoff_until_the_server_is_up():
    port = free_port()
    server = Server(Mailbox(), port=port)
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        if len(waits) == 2:
            server.__enter__()

    settings = smtp_settings(port, retries=3)
    try:
        result = send([reminder_message(reminder("发改委"), settings)], settings, sleep=sleep)
    finally:
        server.__exit__()
    assert waits == [0.5, 1.0]
    assert result.ok and len(server.mailbox.received) == 1


def test_an_unreachable_server_fails_every_message_without_raising():
    waits = []
    settings = smtp_settings(free_port(), retries=2)
    batch = reminder_messages([reminder("人社局"), reminder("发改委")], settings)
    result = send(batch.messages, settings, sleep=waits.append)
    assert waits == [0.5, 1.0]
    assert len(result.failed) == 2 and not result.sent
    assert all("无法连接邮件服务器 127.0.0.1" in d.error for d in result.deliveries)


def test_a_server_closing_mid_batch_gets_the_message_again_on_a_new_connection():
    settings = smtp_settings(25)
    batch = reminder_messages([reminder("人社局"), reminder("发改委")], settings)
    waits = []
    with Server(Mailbox(closing_replies=1)) as server:
        result = send(
            batch.messages, settings.model_copy(update={"port": server.port}), sleep=waits.append
        )
    assert result.ok, str(result)
    assert waits == [0.5]
    assert [m["Subject"] for _, _, m in server.mailbox.received] == [
        m["Subject"] for m in batch.messages
    ]


# ── TLS and login ──────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, as an intranet mail server might have."""
    x509 = pytest.importorskip("cryptography.x509", reason="cryptography makes the test cert")
    import ipaddress

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_tls(certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


PASSWORD = "Pa55-dcs-s3cret!"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"dcs" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


def test_starttls_with_login_delivers_and_never_logs_the_password(certificate, caplog):
    caplog.set_level(logging.DEBUG)
    settings = smtp_settings(
        25, starttls=True, ca_file=certificate[0], username="dcs", password=PASSWORD
    )
    mailbox = Mailbox()
    server = Server(
        mailbox,
        tls_context=server_tls(certificate),
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    with server:
        result = send(
            [reminder_message(reminder("发改委"), settings)],
            settings.model_copy(update={"port": server.port}),
            sleep=no_sleep,
        )
    assert result.ok, str(result)
    assert len(mailbox.received) == 1
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("progress_audit")]
    assert ours, "the connection is logged"
    assert not any(PASSWORD in line for line in ours)
    assert PASSWORD not in repr(settings) and PASSWORD not in str(result)


def test_a_wrong_password_fails_at_once_and_says_what_to_check(certificate):
    settings = smtp_settings(
        25, starttls=True, ca_file=certificate[0], username="dcs", password="wrong"
    )
    server = Server(
        Mailbox(),
        tls_context=server_tls(certificate),
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    batch = reminder_messages([reminder("人社局"), reminder("发改委")], settings)
    with server:
        result = send(
            batch.messages, settings.model_copy(update={"port": server.port}), sleep=no_sleep
        )
    assert len(result.failed) == 2
    assert all("smtp.password" in d.error and "wrong" not in d.error for d in result.deliveries)


def test_a_password_smtplib_cannot_send_is_explained(certificate):
    settings = smtp_settings(
        25, starttls=True, ca_file=certificate[0], username="dcs", password="督查室2019"
    )
    with Server(
        Mailbox(),
        tls_context=server_tls(certificate),
        authenticator=authenticator,
        auth_required=True,
    ) as server:
        result = send(
            [reminder_message(reminder("发改委"), settings)],
            settings.model_copy(update={"port": server.port}),
            sleep=no_sleep,
        )
    (failed,) = result.failed
    assert "非 ASCII" in failed.error and "督查室2019" not in failed.error


def test_an_untrusted_certificate_is_refused_and_the_ca_file_is_suggested(certificate):
    settings = smtp_settings(25, starttls=True)  # the system CAs do not know the test cert
    with Server(Mailbox(), tls_context=server_tls(certificate)) as server:
        result = send(
            [reminder_message(reminder("发改委"), settings)],
            settings.model_copy(update={"port": server.port}),
            sleep=no_sleep,
        )
    assert "smtp.ca_file" in result.deliveries[0].error and not result.sent


def test_smtps_from_the_first_byte(certificate):
    settings = smtp_settings(25, ssl=True, ca_file=certificate[0])
    with Server(Mailbox(), ssl_context=server_tls(certificate)) as server:
        result = send(
            [reminder_message(reminder("发改委"), settings)],
            settings.model_copy(update={"port": server.port}),
            sleep=no_sleep,
        )
    assert result.ok, str(result)
    assert len(server.mailbox.received) == 1


# ── settings ───────────────────────────────────────────────────────────────────────────────

OFFICE_TOML = """
[smtp]
host = "mail.example.gov.cn"
port = 587
starttls = true
sender = "dcs@example.gov.cn"
username = "dcs"
office_recipients = ["zfb@example.gov.cn", "dcs@example.gov.cn"]

[smtp.unit_recipients]
"人社局" = ["rsj@example.gov.cn", "rsj-bgs@example.gov.cn"]
"发改委" = "fgw@example.gov.cn"
"""


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No PROGRESS_AUDIT_* variables from the calling shell; the settings file in tmp_path."""
    import os

    for name in list(os.environ):
        if name.upper().startswith("PROGRESS_AUDIT_"):
            monkeypatch.delenv(name)
    path = tmp_path / "progress-audit.toml"
    monkeypatch.setenv("PROGRESS_AUDIT_SETTINGS", str(path))
    return path


def test_no_smtp_table_means_no_email(clean_env):
    assert Settings().smtp is None


def test_the_office_writes_smtp_in_the_settings_file_and_the_password_in_the_environment(
    clean_env, monkeypatch
):
    clean_env.write_text(OFFICE_TOML, encoding="utf-8")
    monkeypatch.setenv("PROGRESS_AUDIT_SMTP__PASSWORD", PASSWORD)
    smtp = Settings().smtp
    assert (smtp.host, smtp.port, smtp.starttls, smtp.ssl) == (
        "mail.example.gov.cn",
        587,
        True,
        False,
    )
    assert smtp.username == "dcs" and smtp.password.get_secret_value() == PASSWORD
    assert smtp.office_recipients == ["zfb@example.gov.cn", "dcs@example.gov.cn"]
    assert smtp.unit_recipients == {
        "人社局": ["rsj@example.gov.cn", "rsj-bgs@example.gov.cn"],
        "发改委": ["fgw@example.gov.cn"],
    }


def test_smtp_from_environment_variables_alone(clean_env, monkeypatch):
    monkeypatch.setenv("PROGRESS_AUDIT_SMTP__HOST", "mail.example.gov.cn")
    monkeypatch.setenv("PROGRESS_AUDIT_SMTP__PORT", "465")
    monkeypatch.setenv("PROGRESS_AUDIT_SMTP__SSL", "true")
    monkeypatch.setenv("PROGRESS_AUDIT_SMTP__SENDER", "dcs@example.gov.cn")
    monkeypatch.setenv("PROGRESS_AUDIT_SMTP__OFFICE_RECIPIENTS", '["zfb@example.gov.cn"]')
    monkeypatch.setenv("PROGRESS_AUDIT_SMTP__UNIT_RECIPIENTS__人社局", '["rsj@example.gov.cn"]')
    monkeypatch.setenv("PROGRESS_AUDIT_SMTP__UNIT_RECIPIENTS__发改委", "fgw@example.gov.cn")
    smtp = Settings().smtp
    assert (smtp.host, smtp.port, smtp.ssl) == ("mail.example.gov.cn", 465, True)
    assert smtp.office_recipients == ["zfb@example.gov.cn"]
    assert smtp.unit_recipients == {
        "人社局": ["rsj@example.gov.cn"],
        "发改委": ["fgw@example.gov.cn"],
    }


def test_an_environment_variable_adds_to_the_settings_file(clean_env, monkeypatch):
    clean_env.write_text(OFFICE_TOML, encoding="utf-8")
    monkeypatch.setenv("PROGRESS_AUDIT_SMTP__PORT", "2525")
    monkeypatch.setenv("PROGRESS_AUDIT_SMTP__UNIT_RECIPIENTS__教育局", '["jyj@example.gov.cn"]')
    smtp = Settings().smtp
    assert smtp.port == 2525 and smtp.host == "mail.example.gov.cn"
    assert list(smtp.unit_recipients) == ["人社局", "发改委", "教育局"]


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ("start_tls = true\n", "start_tls"),
        ("ssl = true\n", "只能选一个"),
        ('office_recipients = ["zfb.example.gov.cn"]\n', "不是有效的电子邮件地址"),
    ],
)
def test_a_mistake_in_the_smtp_table_is_named(clean_env, extra, says):
    toml = OFFICE_TOML.replace('username = "dcs"\n', 'username = "dcs"\n' + extra)
    if extra.startswith("office_recipients"):
        toml = toml.replace(
            'office_recipients = ["zfb@example.gov.cn", "dcs@example.gov.cn"]\n', ""
        )
    clean_env.write_text(toml, encoding="utf-8")
    with pytest.raises(ValidationError, match=says):
        Settings()
