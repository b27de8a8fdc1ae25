"""Incoming webhooks: signature checks (``signatures``), git push payloads (``git_push``) and a generic
webhook trigger's ``payloadConstraints`` (``constraints``)."""

from gennaker.triggers.webhooks.constraints import (
    ConstraintResult,
    JsonPathError,
    evaluate_json_path,
    payload_constraints_match,
)
from gennaker.triggers.webhooks.git_push import (
    GitPushEvent,
    PayloadError,
    branch_matches,
    parse_git_push,
)
from gennaker.triggers.webhooks.signatures import (
    SignatureCheck,
    hmac_sha256_hex,
    verify_bitbucket,
    verify_git_push,
    verify_github,
    verify_gitlab,
    verify_shared_secret,
)

__all__ = [
    "ConstraintResult",
    "GitPushEvent",
    "JsonPathError",
    "PayloadError",
    "SignatureCheck",
    "branch_matches",
    "evaluate_json_path",
    "hmac_sha256_hex",
    "parse_git_push",
    "payload_constraints_match",
    "verify_bitbucket",
    "verify_git_push",
    "verify_github",
    "verify_gitlab",
    "verify_shared_secret",
]
