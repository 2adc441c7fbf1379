"""E-mail to the office and the units (通知): the exception report (督办通报) and reminders (催报).

Composing is pure: a message depends only on its inputs and `as_of` (which dates it), so a
rerun composes the same bytes, Message-ID included. `send` is the one place that talks to the
mail server: one connection for a batch, every message's outcome collected, never raised.

Messages are plain text in UTF-8 (no HTML part, so nothing a unit typed can become markup),
with the reports attached under Chinese file names (RFC 2231).
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from progress_audit.config import SmtpSettings
from progress_audit.model.period import Period
from progress_audit.model.records import FINDING_STATUS_LABELS
from progress_audit.model.reports import BY_NAME
from progress_audit.model.wording import day_label, deadline_label, moment_label
from progress_audit.notification.reminders import Reminder

log = logging.getLogger(__name__)

_MIME_TYPES: dict[str, tuple[str, str]] = {
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".xls": ("application", "vnd.ms-excel"),
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".html": ("text", "html"),
    ".htm": ("text", "html"),
    ".json": ("application", "json"),
    ".csv": ("text", "csv"),
    ".pdf": ("application", "pdf"),
    ".zip": ("application", "zip"),
}


class NotifyError(ValueError):
    """A message that cannot be composed as configured; the text says what to set."""


def unknown_recipient_units(settings: SmtpSettings, units: Sequence[str]) -> list[str]:
    """Names in `unit_recipients` that are not reporting units (a typo would silently leave a
    unit without reminders), in the settings' order."""
    known = set(units)
    return [unit for unit in settings.unit_recipients if unit not in known]


# ── composing ──────────────────────────────────────────────────────────────────────────────


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NotifyError(f"{what} 缺少时区：{moment.isoformat()}")
    return moment


def _moment_label(moment: datetime) -> str:
    """2019年7月6日09:00, in the moment's own time zone."""
    return moment_label(moment, sep="")


@dataclass(frozen=True)
class _Attachment:
    name: str
    description: str
    data: bytes
    maintype: str
    subtype: str


def _attachment(path: Path, name: str, description: str) -> _Attachment:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise NotifyError(f"附件无法读取：{path}（{e.strerror or e}）") from e
    maintype, subtype = _MIME_TYPES.get(path.suffix.lower(), ("application", "octet-stream"))
    return _Attachment(name, description, data, maintype, subtype)


def _report_attachment(path: Path, period: Period) -> _Attachment:
    path = Path(path)
    report = BY_NAME.get(path.name)
    if report is None:
        return _attachment(path, path.name, path.name)
    return _attachment(path, f"{period.label}{report.heading}{path.suffix}", report.description)


def _compose(
    settings: SmtpSettings,
    to: Sequence[str],
    subject: str,
    body: str,
    date: datetime,
    attachments: Sequence[_Attachment],
) -> EmailMessage:
    """A UTF-8 message whose every byte follows from its inputs: the Message-ID and the MIME
    boundary are digests of the content, so a rerun composes the same message."""
    digest = hashlib.sha256()
    for part in (settings.sender, settings.sender_name, *to, subject, body, date.isoformat()):
        digest.update(part.encode("utf-8") + b"\0")
    for a in attachments:
        digest.update(a.name.encode("utf-8") + b"\0" + hashlib.sha256(a.data).digest())
    token = digest.hexdigest()[:32]
    local, _, domain = settings.sender.rpartition("@")

    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = Address(settings.sender_name, local, domain)
    msg["To"] = ", ".join(to)
    msg["Date"] = date
    msg["Message-ID"] = f"<{token}.progress-audit@{domain}>"
    # RFC 3834: keeps out-of-office replies from answering a machine.
    msg["Auto-Submitted"] = "auto-generated"
    # base64: Chinese text passes any server, 8BITMIME or not.
    msg.set_content(body, charset="utf-8", cte="base64")
    for a in attachments:
        params = {"charset": "utf-8"} if a.maintype == "text" else {}
        msg.add_attachment(
            a.data, maintype=a.maintype, subtype=a.subtype, filename=a.name, params=params
        )
    if attachments:
        msg.set_boundary(f"=_progress-audit_{token}")
    return msg


def _signature(as_of: datetime, settings: SmtpSettings) -> str:
    return f"{settings.sender_name}\n{day_label(as_of.date())}\n"


def exception_report_message(
    period: Period,
    as_of: datetime,
    summary: Mapping[str, int],
    attachments: Sequence[Path],
    settings: SmtpSettings,
) -> EmailMessage:
    """The month's exception report (督办通报) to the office: counts by status and the report
    files attached. Raises NotifyError when no office recipient is configured, a status is not
    one of the contract's, or an attachment cannot be read."""
    _aware(as_of, "as_of")
    if not settings.office_recipients:
        raise NotifyError("没有配置督办通报的收件人：请在 [smtp] 中设置 office_recipients")
    unknown = sorted(set(summary) - set(FINDING_STATUS_LABELS))
    if unknown:
        raise NotifyError(f"督办通报中有未知的状态：{'、'.join(unknown)}")
    files = [_report_attachment(p, period) for p in attachments]

    total = sum(summary.values())
    width = max(len(label) for label in FINDING_STATUS_LABELS.values())
    counts = "\n".join(
        f"  {label}{'　' * (width - len(label))}  {summary.get(status, 0):>4} 项"
        for status, label in FINDING_STATUS_LABELS.items()
    )
    listing = (
        "\n".join(f"  {i}. {a.name}：{a.description}" for i, a in enumerate(files, 1))
        if files
        else "  （本次没有附件）"
    )
    body = (
        "各位领导：\n\n"
        f"现将{period.label}重点任务进度督查结果报告如下（数据截至{_moment_label(as_of)}）。\n\n"
        f"一、总体情况：共督查 {total} 项任务指标，其中\n{counts}\n\n"
        f"二、附件\n{listing}\n\n"
        "逾期、滞后、未报送和数据异常的任务明细见附件，每个数字均注明来源单位工作簿的单元格。\n\n"
        + _signature(as_of, settings)
    )
    subject = f"【督办通报】{period.label}重点任务进度督查结果"
    return _compose(settings, settings.office_recipients, subject, body, as_of, files)


def reminder_message(
    reminder: Reminder,
    settings: SmtpSettings,
    feedback: Path | None = None,
    link: str | None = None,
) -> EmailMessage | None:
    """The reminder (催报) to one unit, with its feedback workbook attached when given and its
    own portal link when the portal's address is configured; None when the unit has no address
    in `unit_recipients`."""
    to = settings.unit_recipients.get(reminder.unit)
    if not to:
        return None
    due = _aware(reminder.due, "due")
    # The e-mail is dated by the moment the reminder speaks for; never by the wall clock.
    as_of = _aware(reminder.as_of or reminder.due, "as_of")
    period = Period.parse(reminder.period)
    form = f"{period.label}重点任务进度填报表"
    deadline = deadline_label(due)

    if reminder.overdue:
        subject = f"【催报】{form}已超过报送截止时间，请尽快报送"
        ask = f"报送截止时间{deadline}已过，请尽快报送；逾期报送将在督办通报中列明。"
    else:
        subject = f"【催报】请于{deadline}前报送{form}"
        ask = f"请于{deadline}前报送。"
    paragraphs = [
        f"{reminder.unit}：",
        f"截至{_moment_label(as_of)}，督查室尚未收到贵单位可以使用的{form}"
        f"（贵单位共有 {reminder.lines} 项任务需要填报）。{ask}",
    ]
    if reminder.rejected:
        lines = ["贵单位已报送的以下文件无法使用，视同未报送，请按原因修改后重新报送："]
        for f in reminder.rejected:
            reasons = "；".join(f.reasons) or "无法读取"
            lines.append(f"  - {f.file}（{_moment_label(f.received_at)}收到）：{reasons}")
        paragraphs.append("\n".join(lines))
    files = []
    if feedback is not None:
        name = f"{period.label}{reminder.unit}填报问题反馈{Path(feedback).suffix}"
        files.append(_attachment(feedback, name, "填报问题反馈"))
        paragraphs.append(f"附件《{name}》逐格列明了需要修改的内容。")
    if link:
        paragraphs.append(
            f"贵单位专用的报送链接（请勿转发）：{link}\n"
            "打开后可下载本月填报表、上传填好的工作簿，并立即收到回执。"
        )
    paragraphs.append("请使用督查室下发的填报表模板填写，不要改动表头和任务编号。")
    body = "\n\n".join(paragraphs) + "\n\n" + _signature(as_of, settings)
    return _compose(settings, to, subject, body, as_of, files)


def return_message(
    unit: str,
    period: Period,
    reason: str,
    at: datetime,
    settings: SmtpSettings,
    link: str | None = None,
) -> EmailMessage | None:
    """The notice to a unit that the office returned its workbook (退回), with the reason;
    None when the unit has no address in `unit_recipients`."""
    to = settings.unit_recipients.get(unit)
    if not to:
        return None
    at = _aware(at, "at")
    form = f"{period.label}重点任务进度填报表"
    paragraphs = [
        f"{unit}：",
        f"贵单位报送的{form}已于{_moment_label(at)}被督查室退回，退回理由：{reason}",
        "请按理由更正后重新报送；重新报送前，本月各项任务在督办通报中按未报送列明。",
    ]
    if link:
        paragraphs.append(f"贵单位的报送页面：{link}")
    body = "\n\n".join(paragraphs) + "\n\n" + _signature(at, settings)
    return _compose(settings, to, f"【退回】{form}须更正后重新报送", body, at, [])


RECEIPT_STATUS_WORDS = {"on_time": "按时收到", "late": "逾期收到", "rejected": "未予采用"}


def receipt_message(
    receipt: Mapping[str, Any], settings: SmtpSettings, link: str | None = None
) -> EmailMessage | None:
    """The receipt (回执) of a portal upload to the unit's addresses: status, sha256 and every
    problem with its cell and what to do; None when the unit has no address."""
    unit = str(receipt["unit"])
    to = settings.unit_recipients.get(unit)
    if not to:
        return None
    received = _aware(datetime.fromisoformat(str(receipt["received_at"])), "received_at")
    period = Period.parse(str(receipt["period"])) if receipt.get("period") else None
    form = f"{period.label}进度填报表" if period else "进度填报表"
    status = RECEIPT_STATUS_WORDS.get(str(receipt["status"]), str(receipt["status"]))
    problems = list(receipt.get("problems") or [])
    lines = [
        f"{unit}：",
        f"督查室报送门户于{_moment_label(received)}{status}贵单位的{form}"
        f"（文件 {receipt['file']}，SHA-256 {receipt['sha256']}）。",
    ]
    if problems:
        lines.append(_problem_listing(problems))
    else:
        lines.append("读取时未发现问题。")
    lines.append(
        "本月数据质量校验（与上月比较、突增检查）的结果几秒钟后加入回执"
        + (f"，可在报送链接中查看：{link}" if link else "，可在报送门户中查看。")
    )
    body = "\n\n".join(lines) + "\n\n" + _signature(received, settings)
    subject = f"【回执】{form}：{status}" + (f"，{len(problems)} 处问题" if problems else "")
    return _compose(settings, to, subject, body, received, [])


def receipt_followup_message(
    receipt: Mapping[str, Any],
    added: Sequence[Mapping[str, Any]],
    settings: SmtpSettings,
    link: str | None = None,
) -> EmailMessage | None:
    """The problems the month's quality suites added to a receipt (回执补充), to the unit's
    addresses; None when there are none or the unit has no address."""
    unit = str(receipt["unit"])
    to = settings.unit_recipients.get(unit)
    if not to or not added:
        return None
    received = _aware(datetime.fromisoformat(str(receipt["received_at"])), "received_at")
    period = Period.parse(str(receipt["period"])) if receipt.get("period") else None
    form = f"{period.label}进度填报表" if period else "进度填报表"
    lines = [
        f"{unit}：",
        f"贵单位于{_moment_label(received)}报送的{form}（文件 {receipt['file']}，"
        f"SHA-256 {receipt['sha256']}）经本月数据质量校验（与上月比较、突增检查），"
        + _problem_listing(added),
        "请核实；需要更正的，请在报送截止前重新上传填报表（以最后一次上传为准）"
        + (f"：{link}" if link else "。"),
    ]
    body = "\n\n".join(lines) + "\n\n" + _signature(received, settings)
    subject = f"【回执补充】{form}：数据质量校验发现 {len(added)} 处问题"
    return _compose(settings, to, subject, body, received, [])


def _problem_listing(problems: Sequence[Mapping[str, Any]]) -> str:
    listing = [f"发现 {len(problems)} 处问题："]
    for i, p in enumerate(problems, 1):
        listing.append(f"  {i}. {p.get('cell') or ''}：{p['message']}（{p.get('advice', '')}）")
    return "\n".join(listing)


@dataclass(frozen=True)
class ReminderBatch:
    """The reminders that can be sent, and the units that have no address (未配置邮箱)."""

    messages: tuple[EmailMessage, ...]
    unaddressed: tuple[str, ...]


def reminder_messages(
    reminders: Sequence[Reminder],
    settings: SmtpSettings,
    feedback: Mapping[str, Path] | None = None,
    links: Mapping[str, str] | None = None,
) -> ReminderBatch:
    """A message per reminder whose unit has an address; the others listed, in order."""
    messages, unaddressed = [], []
    for r in reminders:
        msg = reminder_message(r, settings, (feedback or {}).get(r.unit), (links or {}).get(r.unit))
        if msg is None:
            unaddressed.append(r.unit)
        else:
            messages.append(msg)
    return ReminderBatch(tuple(messages), tuple(unaddressed))


# ── sending ────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Delivery:
    """What happened to one message: who accepted it, who was refused and why, or why the
    whole message failed (`error`)."""

    message_id: str
    subject: str
    accepted: tuple[str, ...] = ()
    refused: tuple[tuple[str, str], ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.refused


@dataclass(frozen=True)
class SendResult:
    """The outcome of a batch, one Delivery per message in the order given."""

    deliveries: tuple[Delivery, ...]

    @property
    def ok(self) -> bool:
        return all(d.ok for d in self.deliveries)

    @property
    def sent(self) -> tuple[Delivery, ...]:
        """Messages at least one recipient accepted."""
        return tuple(d for d in self.deliveries if d.accepted)

    @property
    def failed(self) -> tuple[Delivery, ...]:
        """Messages not delivered to every recipient."""
        return tuple(d for d in self.deliveries if not d.ok)

    def describe(self) -> str:
        """One line per problem, in Chinese, for the run's log and summary."""
        lines = [f"邮件：{len(self.sent)}/{len(self.deliveries)} 封已发出"]
        for d in self.failed:
            if d.error:
                lines.append(f"  未发出《{d.subject}》：{d.error}")
            for address, reason in d.refused:
                lines.append(f"  《{d.subject}》收件人 {address} 被拒收：{reason}")
        return "\n".join(lines)

    __str__ = describe


class _Transient(Exception):
    """The connection failed in a way worth trying again."""


class _Permanent(Exception):
    """The connection cannot work as configured (login refused, certificate rejected…)."""


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = None
    if settings.ssl or settings.starttls:
        context = ssl.create_default_context(
            cafile=str(settings.ca_file) if settings.ca_file else None
        )
    where = f"{settings.host}:{settings.port}"
    smtp: smtplib.SMTP | None = None
    try:
        if settings.ssl:
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        smtp.ehlo()
        if settings.starttls:
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.username:
            password = settings.password.get_secret_value() if settings.password else ""
            smtp.login(settings.username, password)
        return smtp
    except smtplib.SMTPAuthenticationError as e:
        _close(smtp)
        raise _Permanent(
            f"登录邮件服务器 {where} 失败（用户 {settings.username}）："
            f"{_reply(e.smtp_code, e.smtp_error)}"
            "；请核对 smtp.username 和 smtp.password"
        ) from None
    except UnicodeEncodeError:
        # smtplib sends AUTH credentials as ASCII only.
        _close(smtp)
        raise _Permanent(
            f"无法登录邮件服务器 {where}：smtp.username 或 smtp.password 含非 ASCII 字符，"
            "smtplib 不支持；请改用只含英文字母、数字和符号的密码"
        ) from None
    except smtplib.SMTPNotSupportedError as e:
        _close(smtp)
        raise _Permanent(
            f"邮件服务器 {where} 不支持所需功能：{e}；请核对 starttls/ssl 设置"
        ) from None
    except ssl.SSLCertVerificationError as e:
        _close(smtp)
        raise _Permanent(
            f"邮件服务器 {where} 的证书无法验证：{e.verify_message}；"
            "内网自签证书请在 smtp.ca_file 中指定根证书"
        ) from None
    except smtplib.SMTPResponseException as e:
        _close(smtp)
        if 400 <= e.smtp_code < 500:
            raise _Transient(
                f"邮件服务器 {where} 暂时不可用：{_reply(e.smtp_code, e.smtp_error)}"
            ) from None
        raise _Permanent(
            f"邮件服务器 {where} 拒绝连接：{_reply(e.smtp_code, e.smtp_error)}"
        ) from None
    except OSError as e:  # refused, unreachable, timed out, dropped (SMTPServerDisconnected)
        _close(smtp)
        raise _Transient(f"无法连接邮件服务器 {where}：{e}") from None


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _recipients(msg: EmailMessage) -> list[str]:
    fields = [str(v) for name in ("To", "Cc", "Bcc") for v in msg.get_all(name, [])]
    return list(dict.fromkeys(spec for _, spec in getaddresses(fields) if spec))


def _send_one(smtp: smtplib.SMTP, msg: EmailMessage, sender: str, to: list[str]):
    """Send one message; a 421 (the server is closing the connection) is transient."""
    try:
        return smtp.send_message(msg, from_addr=sender, to_addrs=to)
    except smtplib.SMTPRecipientsRefused as e:
        closing = [r for r in e.recipients.values() if r[0] == 421]
        if closing:
            raise _Transient(f"邮件服务器关闭了连接：{_reply(*closing[0])}") from None
        raise
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as e:
        if e.smtp_code == 421:
            raise _Transient(f"邮件服务器关闭了连接：{_reply(421, e.smtp_error)}") from None
        raise


def send(
    messages: Sequence[EmailMessage],
    settings: SmtpSettings,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> SendResult:
    """Send `messages` over one SMTP connection, in order, and report each one's outcome.

    A refused recipient or message is recorded and the batch goes on. A connection that
    cannot be made or drops is tried again up to `settings.retries` times in a row, waiting
    `retry_backoff` × 1, 2, 4… seconds (`sleep` is injectable for tests); the message being
    sent when it dropped is sent again (at least once: the server may already have had it).
    Login refused or a certificate that cannot be verified fails the batch at once. The
    password is never logged or put in a result.
    """
    deliveries: list[Delivery] = []
    pending = list(messages)
    smtp: smtplib.SMTP | None = None
    failures = 0  # connection failures in a row
    i = 0
    try:
        while i < len(pending):
            msg = pending[i]
            message_id, subject = msg.get("Message-ID", ""), msg.get("Subject", "")
            to = _recipients(msg)
            if not to:
                deliveries.append(Delivery(message_id, subject, error="邮件没有收件人"))
                i += 1
                continue
            try:
                if smtp is None:
                    user = f"（用户 {settings.username}）" if settings.username else ""
                    log.info("连接邮件服务器 %s:%s%s", settings.host, settings.port, user)
                    smtp = _connect(settings)
                refused = _send_one(smtp, msg, settings.sender, to)
                failures = 0
                replies = tuple((a, _reply(*r)) for a, r in refused.items())
                accepted = tuple(a for a in to if a not in refused)
                outcome = Delivery(message_id, subject, accepted, replies)
            except _Permanent as e:
                log.error("%s", e)
                deliveries.extend(
                    Delivery(m.get("Message-ID", ""), m.get("Subject", ""), error=str(e))
                    for m in pending[i:]
                )
                break
            except smtplib.SMTPRecipientsRefused as e:
                replies = tuple((a, _reply(*r)) for a, r in e.recipients.items())
                outcome = Delivery(message_id, subject, refused=replies, error="所有收件人都被拒收")
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as e:
                reason = _reply(e.smtp_code, e.smtp_error)
                outcome = Delivery(message_id, subject, error=f"服务器拒收：{reason}")
            except (_Transient, OSError) as e:  # OSError: dropped mid-message, timed out
                _close(smtp)
                smtp = None
                failures += 1
                if failures > settings.retries:
                    reason = f"{e}（已重试 {settings.retries} 次）"
                    log.error("%s", reason)
                    deliveries.extend(
                        Delivery(m.get("Message-ID", ""), m.get("Subject", ""), error=reason)
                        for m in pending[i:]
                    )
                    break
                delay = settings.retry_backoff * 2 ** (failures - 1)
                log.warning("%s；%g 秒后重试（第 %d/%d 次）", e, delay, failures, settings.retries)
                sleep(delay)
                continue  # the same message again
            if outcome.error:
                log.warning("未发出《%s》：%s %s", subject, outcome.error, outcome.refused)
            for address, reason in outcome.refused if not outcome.error else ():
                log.warning("《%s》收件人 %s 被拒收：%s", subject, address, reason)
            deliveries.append(outcome)
            i += 1
    finally:
        _close(smtp)
    return SendResult(tuple(deliveries))
