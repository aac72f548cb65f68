"""Evidence quotes are Google's words: whole words, no JSON or repr structure dragged along."""

import re

from gemini_doctor import explain
from gemini_doctor.evidence import parse_text

QUOTE = re.compile(r"«(.*?)»")
DEBRIS = re.compile(r"""['"]\s*[,}\]]|\{'|\{"|\\n""")


def _quotes(text: str) -> list[str]:
    return [
        q
        for cause in explain(text).to_dict()["causes"]
        for line in cause["evidence"]
        for q in QUOTE.findall(line)
    ]


def test_a_repr_message_is_quoted_without_its_structure():
    text = (
        "google.genai.errors.ClientError: 400 FAILED_PRECONDITION. {'error': {'code': 400, 'message': "
        "'User location is not supported for the API use.', 'status': 'FAILED_PRECONDITION'}}"
    )
    assert _quotes(text) == ["User location is not supported for the API use."]


def test_quotes_over_every_case_carry_no_debris_and_end_between_words(error_cases):
    for case in error_cases:
        for quote in _quotes(case["error_text"]):
            assert not DEBRIS.search(quote), (case["id"], quote)
            if quote.endswith("…"):  # cut: after a whole word of the text the evidence was read from
                read = parse_text(case["error_text"]).text
                at = read.find(quote[:-1])
                assert at != -1 and not read[at + len(quote) - 1 : at + len(quote)].isalnum(), (
                    case["id"],
                    quote,
                )
