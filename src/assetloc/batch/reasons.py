"""Why households failed, grouped: an error row's message with its household-specific
part cut, so that ``accounts[0].balance: must be >= 0 (got -5)`` and
``accounts[2].balance: must be >= 0 (got -1)`` count as one reason.

The cut: in the field path before the first ``": "`` list indices become ``[*]`` (a file
path becomes ``FILE``); in the problem after it, parentheses go, quoted values become
``'…'``, paths and URLs ``PATH``, dollar amounts ``$…``, percents ``…%`` and decimals
``…``; at most :data:`MAX_CHARS` characters are kept, cut at a word."""

from __future__ import annotations

import re
from collections import Counter

#: reasons printed one per line; the rest are summed on one line
TOP = 5
#: characters of the problem kept, cut at a word
MAX_CHARS = 60

_INDEX = re.compile(r"\[\d+\]")
#: household-specific parts of a problem → what stands for them
_CUTS = (
    (re.compile(r"\s*\([^()]*\)"), ""),
    (re.compile(r"(?<!\w)'[^']*'(?!\w)"), "'…'"),
    (re.compile(r'"[^"]*"'), '"…"'),
    (re.compile(r"\S*[/\\][^\s:]*"), "PATH"),
    (re.compile(r"-?\$[\d,.]*\d"), "$…"),
    (re.compile(r"-?\d+(?:\.\d+)?%"), "…%"),
    (re.compile(r"-?\d+\.\d+|\d{1,3}(?:,\d{3})+"), "…"),
)


def reason(message: str) -> str:
    """The household-independent reason of one error message (module doc)."""
    field, sep, problem = message.partition(": ")
    if not sep:
        field, problem = "", message
    elif "/" in field or "\\" in field or field.endswith((".toml", ".jsonl")):
        field = "FILE"
    field = _INDEX.sub("[*]", field)
    for pattern, stand_in in _CUTS:
        problem = pattern.sub(stand_in, problem)
    problem = " ".join(problem.split())
    if len(problem) > MAX_CHARS:
        problem = problem[:MAX_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"
    return f"{field}: {problem}" if field else problem


def reason_lines(reasons: Counter[str], top: int = TOP) -> list[str]:
    """``failed: N × REASON`` lines, most frequent first (ties by reason), at most
    ``top``, then one line for the households of the other reasons."""
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    lines = [f"failed: {n} × {why}" for why, n in ranked[:top]]
    rest = ranked[top:]
    if rest:
        n = sum(c for _, c in rest)
        lines.append(f"failed: {n} × {len(rest)} other reason{'s' if len(rest) > 1 else ''}")
    return lines
