"""kubectl's stderr, turned into one clear message and a category.

Who calls it: ``kubectl.Kubectl`` when kubectl exits non-zero. kubectl prints several kinds of lines:
klog lines (``E0612 10:11:12.123456 12345 memcache.go:265] ...``), ``Warning: ...`` lines (deprecations;
not errors), and the error itself, often wrapped in noise about standard input
(``error when creating "STDIN": ``). The message keeps kubectl's own words (users search for them) and
drops the noise; the category tells callers whether the cluster was unreachable, the object invalid,
missing, forbidden, in conflict, or of an unknown kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KLOG = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+\s+\S+:\d+\]\s?")
STDIN_NOISE = re.compile(
    r"error when (?:creating|applying patch|applying|patching|replacing|deleting|retrieving current "
    r'configuration of)[^"]*"(?:STDIN|-)":\s*(?:\n\s*)?',
)
FROM_SERVER = re.compile(r"^Error from server \((?P<reason>[A-Za-z]+)\):\s*")
UNREACHABLE_PATTERNS = (
    "The connection to the server",
    "Unable to connect to the server",
    "connect: connection refused",
    "no such host",
    "i/o timeout",
    "TLS handshake timeout",
    "Client.Timeout exceeded",
    "context deadline exceeded",
    "connection reset by peer",
    "EOF",
)

# Categories.
UNREACHABLE = "unreachable"
INVALID = "invalid"
NOT_FOUND = "notFound"
CONFLICT = "conflict"
FORBIDDEN = "forbidden"
UNKNOWN_KIND = "unknownKind"
ALREADY_EXISTS = "alreadyExists"
OTHER = "other"

_REASONS = {
    "Invalid": INVALID,
    "BadRequest": INVALID,
    "NotFound": NOT_FOUND,
    "Conflict": CONFLICT,
    "Forbidden": FORBIDDEN,
    "Unauthorized": FORBIDDEN,
    "AlreadyExists": ALREADY_EXISTS,
}


@dataclass
class ParsedError:
    """kubectl's failure: the cleaned message, its category, and the warnings it printed."""

    message: str
    category: str = OTHER
    warnings: list[str] = field(default_factory=list)


def _unreachable_reason(lines: list[str]) -> str | None:
    for line in reversed(lines):
        if line.startswith(("The connection to the server", "Unable to connect to the server")):
            return line
    for line in lines:
        if "connect: connection refused" in line or "no such host" in line or "i/o timeout" in line:
            match = re.search(r"(dial tcp [^\"]+|lookup [^\"]+)", line)
            return match.group(1) if match else line
    return None


def parse_kubectl_error(stderr: str, stdout: str = "") -> ParsedError:
    """The message and category of a failed kubectl run (see the module docstring)."""
    warnings: list[str] = []
    klog: list[str] = []
    body: list[str] = []
    for raw in stderr.splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        if line.startswith("Warning: "):
            warnings.append(line.removeprefix("Warning: "))
        elif KLOG.match(line):
            klog.append(KLOG.sub("", line))
        else:
            body.append(line)
    everything = body + klog
    unreachable = _unreachable_reason(everything)
    if unreachable is not None and not any(FROM_SERVER.match(b) for b in body):
        return ParsedError(unreachable, UNREACHABLE, warnings)
    text = (
        "\n".join(body) if body else "\n".join(klog) or stdout.strip() or "kubectl failed without a message"
    )
    text = STDIN_NOISE.sub("", text)
    category = OTHER
    first = FROM_SERVER.match(text)
    if first is not None:
        category = _REASONS.get(first.group("reason"), OTHER)
    elif text.startswith("error: "):
        text = text.removeprefix("error: ")
    if "no matches for kind" in text or "the server doesn't have a resource type" in text:
        category = UNKNOWN_KIND
    elif re.match(r'^The \S+ "[^"]*" is invalid', text):
        category = INVALID
    elif text.startswith("Apply failed with") and "conflict" in text:
        category = CONFLICT
    elif " not found" in text and category == OTHER:
        category = NOT_FOUND
    lines = [ln for ln in text.splitlines() if ln.strip()]
    # kubectl explains SSA conflicts at length; keep the conflict lines and the first hint only.
    if category == CONFLICT and len(lines) > 6:
        lines = lines[:6]
    return ParsedError("\n".join(lines).strip(), category, warnings)
