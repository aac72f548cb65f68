"""Another vendor's error: marks that only other APIs leave (their hosts, key prefixes, error types).

Read only from a text with no mark of Google (see :func:`foreign_vendor`): an OpenAI SDK or a proxy in
front of Gemini still carries Google's status, reason, service, host or name, and stays Google's.
"""

from __future__ import annotations

from functools import lru_cache

from ..matching.prefilter import LiteralScanner

# mark (lower case) -> who writes it. Hosts, key prefixes and wording that Google's errors never carry.
VENDOR_MARKS = {
    "api.openai.com": "OpenAI",
    "platform.openai.com": "OpenAI",
    "sk-proj-": "OpenAI",
    "sk-svcacct-": "OpenAI",
    "incorrect api key provided": "OpenAI",
    "insufficient_quota": "OpenAI",
    "in organization org-": "OpenAI",
    "openai.azure.com": "Azure OpenAI",
    "invalid subscription key": "Azure",
    "api.anthropic.com": "Anthropic",
    "console.anthropic.com": "Anthropic",
    "sk-ant-": "Anthropic",
    "invalid x-api-key": "Anthropic",
    "anthropic api": "Anthropic",
    "api.stripe.com": "Stripe",
    "stripe.com/": "Stripe",
    "sk_live_": "Stripe",
    "sk_test_": "Stripe",
    "rk_live_": "Stripe",
    "rk_test_": "Stripe",
    "pk_live_": "Stripe",
    "pk_test_": "Stripe",
    "invalid api key provided": "Stripe",
    "api.groq.com": "Groq",
    "gsk_": "Groq",
    "api.mistral.ai": "Mistral",
    "api.deepseek.com": "DeepSeek",
    "api.x.ai": "xAI",
    "amazonaws.com": "AWS",
    "bedrock": "AWS",
    "botocore": "AWS",
    # error types of the OpenAI-style schema ({"error": {"type": ...}}), which Google's errors do not use
    "invalid_request_error": "another provider",
    "authentication_error": "another provider",
    "permission_error": "another provider",
    "not_found_error": "another provider",
    "rate_limit_error": "another provider",
    "overloaded_error": "another provider",
    "invalid_api_key": "another provider",
}
# Google's own names, as a text written by any Google client or host carries them (lower case)
GOOGLE_NAMES = ("google", "gemini", "vertex", "aiplatform", "generativelanguage")


@lru_cache(maxsize=1)
def _scanner() -> LiteralScanner:
    return LiteralScanner(VENDOR_MARKS)


def foreign_vendor(lowered: str) -> tuple[str, str] | None:
    """(vendor, mark) when *lowered* (a text in lower case with no Google field) names no Google
    product and carries another vendor's mark; the first mark in :data:`VENDOR_MARKS` order wins."""
    if any(name in lowered for name in GOOGLE_NAMES):
        return None
    found = _scanner().present(lowered)
    mark = next((mark for mark in VENDOR_MARKS if mark in found), None)
    return (VENDOR_MARKS[mark], mark) if mark else None
