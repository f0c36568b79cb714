"""E-mail over SMTP (R-8.4), with aiosmtplib: `APPEALS_SMTP_URL` is `smtp://user:pass@host:port`
(STARTTLS where the server offers it) or `smtps://…` (TLS from the start); `APPEALS_MAIL_FROM`
is the sender. An outcome names the SMTP reply code or the error's kind, never the password."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

import aiosmtplib

from appeals_api import outbound


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    tls: bool  # smtps: TLS from the first byte
    username: str | None
    password: str | None

    @classmethod
    def of(cls, url: str) -> Server:
        parts = urlsplit(url)
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if tls else 25),
            tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


@dataclass(frozen=True)
class Mail:
    sender: str
    to: str
    subject: str
    body: str
    message_id: str  # the same for every attempt: a receiver can tell a repeat


def message(mail: Mail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = mail.sender, mail.to, mail.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = mail.message_id
    msg.set_content(mail.body, charset="utf-8")
    return msg


async def send(server: Server, mail: Mail, *, seconds: float) -> outbound.Outcome:
    """Hand the mail to the server: accepted (2xx for every recipient) or why not."""
    try:
        async with asyncio.timeout(seconds):
            errors, _ = await aiosmtplib.send(
                message(mail),
                hostname=server.host,
                port=server.port,
                use_tls=server.tls,
                username=server.username,
                password=server.password,
                timeout=seconds,
            )
    except aiosmtplib.SMTPResponseException as exc:
        return outbound.Outcome(ok=False, status_code=exc.code, error=_describe(exc))
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        return outbound.Outcome(ok=False, status_code=None, error=_describe(exc))
    if errors:  # a recipient refused
        code = next(iter(errors.values())).code
        return outbound.Outcome(ok=False, status_code=code, error=f"SMTP {code}: refused")
    return outbound.Outcome(ok=True, status_code=250, error=None)


def _describe(exc: BaseException) -> str:
    detail = str(exc).strip()
    text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return text[: outbound.ERROR_TEXT_MAX]
