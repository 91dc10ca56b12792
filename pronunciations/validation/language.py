"""BCP 47 language tags (RFC 5646): the well-formedness of ``metadata.language`` in the admin.

The API stores metadata as SLNG does, free-form; the admin's Language field offers tags and
refuses text that is not one. Re-exported by ``pronunciations.validation``.
"""

import re

from django.core.exceptions import ValidationError

LANGUAGE_TAG_MAX_LENGTH = 64
_ALNUM = "[A-Za-z0-9]"
_LANGUAGE_TAG = re.compile(
    rf"""
    (?:
      [A-Za-z]{{2,3}}(?:-[A-Za-z]{{3}}){{0,3}}                     # language, extlangs
      (?:-[A-Za-z]{{4}})?                                        # script
      (?:-(?:[A-Za-z]{{2}}|[0-9]{{3}}))?                          # region
      (?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*               # variants
      (?:-[0-9A-WY-Za-wy-z](?:-{_ALNUM}{{2,8}})+)*               # extensions
      (?:-[xX](?:-{_ALNUM}{{1,8}})+)?                            # private use
    |
      [xX](?:-{_ALNUM}{{1,8}})+                                  # private use only
    )
    """,
    re.VERBOSE,
)


def language_tag_problems(value: str) -> list[ValidationError]:
    """[] for a well-formed BCP 47 tag (``en-US``, ``hi-IN``, ``zh-Hant-TW``), else one problem
    with code ``not_language_tag``. Well-formed only: the subtags are not looked up, but the
    language subtag must have 2 or 3 letters (RFC 5646 reserves 4 and registers no 5 to 8
    letter ones), so a word such as ``english`` is refused."""
    if len(value) <= LANGUAGE_TAG_MAX_LENGTH and _LANGUAGE_TAG.fullmatch(value):
        return []
    return [
        ValidationError(
            "must be a BCP 47 language tag such as en-US or hi-IN", code="not_language_tag"
        )
    ]
