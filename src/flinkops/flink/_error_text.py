"""Flink's errors as one-line messages (cause chain, transport reason); URLs without secrets."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

import httpx

from flinkops.errors import FlinkError

__all__ = [
    "error_from_response",
    "flink_error_summary",
    "not_flink",
    "redact_url",
    "transport_reason",
]

_GENERIC = {"internal server error.", "internal server error"}


def redact_url(url: str) -> str:
    """``url`` without user:password and without a query string."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def flink_error_summary(errors: list[str]) -> str:
    """The useful part of Flink's ``errors`` list, in one line.

    Flink wraps server-side failures in ``<Exception on server side: ...>`` with
    Java stack traces and wrapper exceptions ("Could not execute application.").
    This walks the cause chain, drops class names and generic wrappers, and keeps
    the outermost specific message, plus the deepest cause if it says more.
    """
    texts = [e for e in errors if e and e.strip().lower() not in _GENERIC] or errors
    out: list[str] = []
    for text in texts:
        chain = _cause_chain(text)
        if not chain:
            continue
        specific = [m for m in chain if m.lower().rstrip(".") not in _WRAPPERS] or chain
        summary, deepest = specific[0], specific[-1]
        if deepest not in summary:
            summary = f"{summary} (caused by: {deepest})"
        out.append(summary)
    return "; ".join(out) if out else "no error text"


_WRAPPERS = {
    "could not execute application",
    "internal server error",
    "exception on server side",
    "job submission failed",
    "could not run the jar",
}


def _cause_chain(text: str) -> list[str]:
    """Messages of a Java stack trace, outermost first, without class names or repeats."""
    body = re.sub(r"^<Exception on server side:\s*", "", text.strip())
    body = re.sub(r"\s*End of exception on server side>\s*$", "", body)
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    if not lines:
        return []
    heads = [lines[0]] + [
        ln[len("Caused by:") :].strip() for ln in lines if ln.startswith("Caused by:")
    ]
    chain: list[str] = []
    for head in heads:
        msg = _strip_class(head)
        if msg and (not chain or chain[-1] != msg):
            chain.append(msg)
    return chain


def _strip_class(line: str) -> str:
    """``a.b.XException: c.d.YException: message`` -> ``message``; dedupes repeated sentences."""
    prev = None
    msg = line
    while prev != msg:
        prev = msg
        m = re.match(r"^(?:[a-zA-Z_$][\w$]*\.)+[A-Z][\w$]*:\s*(.*)$", msg)
        if m:
            msg = m.group(1)
        msg = re.sub(r"^The main method caused an error:\s*", "", msg)
    msg = re.sub(r"(\b[A-Z][^.]{3,80}\.\s)(?:\1)+", r"\1", msg)  # "X failed. X failed. " once
    return msg.strip() or line.strip()


def error_from_response(what: str, url: str, resp: httpx.Response) -> FlinkError:
    """The FlinkError of an error answer: status and the summary of Flink's ``errors``."""
    errors: list[str] = []
    try:
        body = resp.json()
        if isinstance(body, dict) and isinstance(body.get("errors"), list):
            errors = [str(e) for e in body["errors"]]
    except ValueError:
        pass
    foreign = not_flink(resp) if not errors else None
    if foreign:
        return FlinkError(f"{what}: HTTP {resp.status_code}: {foreign}", url=url,
                          status=resp.status_code)  # fmt: skip
    if not errors and resp.text:
        errors = [resp.text[:2000]]
    summary = flink_error_summary(errors) if errors else resp.reason_phrase
    return FlinkError(
        f"{what}: HTTP {resp.status_code}: {summary}",
        url=url,
        status=resp.status_code,
        flink_errors=errors,
    )


def not_flink(resp: httpx.Response) -> str | None:
    """What to say of an answer that is not Flink's REST API (an HTML page, a proxy's
    or another server's), else None: Flink answers JSON, errors as ``{"errors": [...]}``."""
    text = resp.text.lstrip()
    html = "html" in resp.headers.get("content-type", "") or text[:1] == "<"
    if not html:
        return None
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    page = f"an HTML page ({' '.join(title.group(1).split())[:80]})" if title else "an HTML page"
    return (
        f"the server answered with {page}, not Flink's REST API (JSON); is the URL that of "
        "the JobManager's REST endpoint (rest.port, 8081 by default)?"
    )


def transport_reason(exc: httpx.TransportError) -> str:
    """Why a request got no answer, in a few words ("connection refused")."""
    text = str(exc) or type(exc).__name__
    if "refused" in text.lower():
        return "connection refused"
    return text.splitlines()[0][:200]
