"""PLS 1.0 export and import: exact output, round trips, every warning and every refusal."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pronunciations.transfer.pls import PLS_NAMESPACE, PlsError, PlsImport, pls_dump, pls_load

MAX_BYTES = 1_000_000


def load(data: bytes | str) -> PlsImport:
    return pls_load(data.encode() if isinstance(data, str) else data, max_bytes=MAX_BYTES)


def lexicon(body: str, attributes: str = 'alphabet="ipa" xml:lang="en-US"') -> str:
    """A PLS document around ``body``, in the PLS namespace, version 1.0."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<lexicon version="1.0" xmlns="{PLS_NAMESPACE}" {attributes}>{body}</lexicon>'
    )


def rewrite(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"match": match, "replace": replace} for match, replace in pairs]


def ipa(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"match": match, "ipa": value} for match, value in pairs]


TRICKY_MODES: dict[str, Any] = {
    "rewrite": {
        "rules": rewrite(
            ("AT&T", "A T and T"),
            ("a < b > c", "\"less\" & 'more'"),
            ("=SUM(A1)", "+formula"),
            ("नमस्ते", "namaste 🙏"),
            ("🚀", " rocket\r\n\tship "),
            ("]]>", "&amp; stays literal"),
        )
    },
    "ipa": {"rules": ipa(("tomato", "təˈmɑːtəʊ"), ("हिन्दी", "ɦɪndiː"))},
}


# --- export ----------------------------------------------------------------------------------


def test_dump_writes_exact_indented_document() -> None:
    modes = {
        "rewrite": {"rules": rewrite(("SLNG", "slang"), ("R&D", "R and D"))},
        "ipa": {"rules": ipa(("tomato", "təˈmɑːtoʊ"))},
    }
    assert (
        pls_dump(modes, {"language": "en-US", "owner": "docs"})
        == (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"'
            ' alphabet="ipa" xml:lang="en-US">\n'
            "  <lexeme>\n"
            "    <grapheme>SLNG</grapheme>\n"
            "    <alias>slang</alias>\n"
            "  </lexeme>\n"
            "  <lexeme>\n"
            "    <grapheme>R&amp;D</grapheme>\n"
            "    <alias>R and D</alias>\n"
            "  </lexeme>\n"
            "  <lexeme>\n"
            "    <grapheme>tomato</grapheme>\n"
            "    <phoneme>təˈmɑːtoʊ</phoneme>\n"
            "  </lexeme>\n"
            "</lexicon>\n"
        ).encode()
    )


def test_dump_of_no_rules_is_an_empty_lexicon() -> None:
    assert (
        pls_dump({"rewrite": {"rules": []}}, {})
        == (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<lexicon version="1.0" xmlns="{PLS_NAMESPACE}" alphabet="ipa" xml:lang="und">\n'
            "</lexicon>\n"
        ).encode()
    )


def test_dump_escapes_markup_and_writes_other_characters_as_utf8() -> None:
    data = pls_dump(TRICKY_MODES, {"language": "hi-IN"})
    assert b"<grapheme>a &lt; b &gt; c</grapheme>" in data
    assert b"<grapheme>]]&gt;</grapheme>" in data
    assert b"<alias>&amp;amp; stays literal</alias>" in data
    assert "<grapheme>नमस्ते</grapheme>".encode() in data
    assert "namaste 🙏".encode() in data
    # A bare CR would be read back as LF, so it goes as a character reference.
    assert b"<alias> rocket&#13;\n\tship </alias>" in data


@pytest.mark.parametrize("metadata", [{}, {"language": ""}, {"language": 7}, {"language": None}])
def test_dump_without_a_language_string_writes_und(metadata: dict[str, Any]) -> None:
    assert b'xml:lang="und"' in pls_dump({"rewrite": {"rules": []}}, metadata)


def test_dump_escapes_the_language_attribute() -> None:
    data = pls_dump({"rewrite": {"rules": []}}, {"language": 'x-"a"&\tb'})
    assert b'xml:lang="x-&quot;a&quot;&amp;&#9;b"' in data
    assert load(data).language == 'x-"a"&\tb'


@pytest.mark.parametrize(
    ("modes", "written"),
    [
        ({"rewrite": {"rules": rewrite(("ok", "fine"), ("bell\x07", "x"))}}, "bell\ufffd"),
        ({"rewrite": {"rules": []}, "ipa": {"rules": ipa(("x", "\ufffe"))}}, "\ufffd"),
        ({"rewrite": {"rules": rewrite(("x", "\ud800"))}}, "\ufffd"),
    ],
)
def test_dump_replaces_characters_xml_cannot_carry(modes: dict[str, Any], written: str) -> None:
    """Issue 11: an export never fails on stored content; what XML cannot hold becomes U+FFFD."""
    data = pls_dump(modes, {})

    assert written.encode("utf-8") in data
    load(data)  # still well-formed


# --- round trips -----------------------------------------------------------------------------


def test_round_trip_keeps_tricky_values_exactly() -> None:
    loaded = load(pls_dump(TRICKY_MODES, {"language": "hi-IN"}))
    assert loaded == PlsImport(modes=TRICKY_MODES, language="hi-IN", warnings=())


def test_round_trip_without_ipa_rules_omits_the_ipa_mode() -> None:
    modes = {"rewrite": {"rules": rewrite(("SLNG", "slang"))}, "ipa": {"rules": []}}
    loaded = load(pls_dump(modes, {"language": "en-US"}))
    assert loaded.modes == {"rewrite": {"rules": rewrite(("SLNG", "slang"))}}


def test_round_trip_without_language_gives_none() -> None:
    loaded = load(pls_dump({"rewrite": {"rules": rewrite(("a", "b"))}}, {}))
    assert loaded.language is None


# Every character XML 1.0 can carry: no surrogates, no C0 controls but tab, LF and CR, and
# neither U+FFFE nor U+FFFF. C1 controls and DEL are legal XML 1.0 characters.
XML_TEXT = st.text(
    st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff")
    | st.sampled_from("\t\n\r\x7f\x85 "),
    max_size=20,
)
RULES = st.lists(st.tuples(XML_TEXT, XML_TEXT), max_size=6)
LANGUAGES = st.sampled_from([None, "en-US", "hi-IN", "zh-Hant-TW", "sr-Latn", "x-private"])


@given(rewrite_pairs=RULES, ipa_pairs=RULES, language=LANGUAGES)
def test_round_trip_property(
    rewrite_pairs: list[tuple[str, str]], ipa_pairs: list[tuple[str, str]], language: str | None
) -> None:
    modes: dict[str, Any] = {"rewrite": {"rules": rewrite(*rewrite_pairs)}}
    if ipa_pairs:
        modes["ipa"] = {"rules": ipa(*ipa_pairs)}
    metadata = {} if language is None else {"language": language}
    loaded = load(pls_dump(modes, metadata))
    assert loaded == PlsImport(modes=modes, language=metadata.get("language"), warnings=())


# --- import ----------------------------------------------------------------------------------

W3C_STYLE_EXAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0"
      xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
      xsi:schemaLocation="http://www.w3.org/2005/01/pronunciation-lexicon
        http://www.w3.org/TR/pronunciation-lexicon/pls.xsd"
      alphabet="ipa" xml:lang="en-GB">
  <!-- Place names a courier's voice assistant keeps getting wrong -->
  <lexeme>
    <grapheme>Leicester</grapheme>
    <phoneme>ˈlɛstə</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>Gloucester</grapheme>
    <grapheme>Glos.</grapheme>
    <phoneme>ˈɡlɒstə</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>St.</grapheme>
    <alias>Street</alias>
  </lexeme>
  <lexeme>
    <grapheme>Worcs</grapheme>
    <alias>Worcestershire</alias>
    <phoneme>ˈwʊstəʃə</phoneme>
  </lexeme>
</lexicon>
"""


def test_load_w3c_style_example() -> None:
    assert load(W3C_STYLE_EXAMPLE) == PlsImport(
        modes={
            "rewrite": {"rules": rewrite(("St.", "Street"), ("Worcs", "Worcestershire"))},
            "ipa": {
                "rules": ipa(
                    ("Leicester", "ˈlɛstə"),
                    ("Gloucester", "ˈɡlɒstə"),
                    ("Glos.", "ˈɡlɒstə"),
                    ("Worcs", "ˈwʊstəʃə"),
                )
            },
        },
        language="en-GB",
        warnings=(),
    )


def test_load_gives_one_rewrite_rule_per_grapheme() -> None:
    body = (
        "<lexeme><grapheme>WHO</grapheme><grapheme>W.H.O.</grapheme>"
        "<alias>World Health Organization</alias></lexeme>"
    )
    assert load(lexicon(body)).modes == {
        "rewrite": {
            "rules": rewrite(
                ("WHO", "World Health Organization"), ("W.H.O.", "World Health Organization")
            )
        }
    }


def test_load_lexeme_with_alias_and_phoneme_gives_both_rules() -> None:
    body = (
        "<lexeme><grapheme>SQL</grapheme><alias>sequel</alias><phoneme>ˈsiːkwəl</phoneme></lexeme>"
    )
    assert load(lexicon(body)).modes == {
        "rewrite": {"rules": rewrite(("SQL", "sequel"))},
        "ipa": {"rules": ipa(("SQL", "ˈsiːkwəl"))},
    }


def test_load_takes_the_alphabet_from_the_lexicon_when_the_phoneme_has_none() -> None:
    body = "<lexeme><grapheme>data</grapheme><phoneme>ˈdeɪtə</phoneme></lexeme>"
    loaded = load(lexicon(body, 'alphabet="ipa" xml:lang="en"'))
    assert loaded.modes["ipa"] == {"rules": ipa(("data", "ˈdeɪtə"))}
    assert loaded.warnings == ()


def test_load_phoneme_alphabet_overrides_the_lexicon_alphabet() -> None:
    body = (
        '<lexeme><grapheme>data</grapheme><phoneme alphabet="ipa">ˈdɑːtə</phoneme></lexeme>'
        '<lexeme><grapheme>either</grapheme><phoneme>"i:D@`</phoneme></lexeme>'
    )
    loaded = load(lexicon(body, 'alphabet="x-sampa" xml:lang="en"'))
    assert loaded.modes["ipa"] == {"rules": ipa(("data", "ˈdɑːtə"))}
    assert loaded.warnings == (
        "lexeme 2: phoneme in alphabet 'x-sampa' is not imported (only ipa)",
        "lexeme 2: has neither an alias nor an ipa phoneme, so it is not imported",
    )


def test_load_skips_a_non_ipa_phoneme_for_a_later_ipa_one() -> None:
    body = (
        "<lexeme><grapheme>either</grapheme>"
        '<phoneme alphabet="x-sampa">"aI.D@`</phoneme><phoneme>ˈaɪðɚ</phoneme></lexeme>'
    )
    loaded = load(lexicon(body))
    assert loaded.modes["ipa"] == {"rules": ipa(("either", "ˈaɪðɚ"))}
    assert loaded.warnings == (
        "lexeme 1: phoneme in alphabet 'x-sampa' is not imported (only ipa)",
    )


def test_load_accepts_a_document_without_namespace() -> None:
    data = (
        '<lexicon version="1.0" alphabet="ipa" xml:lang="fr-FR">'
        "<lexeme><grapheme>SNCF</grapheme><alias>ès èn cé èf</alias></lexeme></lexicon>"
    )
    assert load(data) == PlsImport(
        modes={"rewrite": {"rules": rewrite(("SNCF", "ès èn cé èf"))}},
        language="fr-FR",
        warnings=(),
    )


def test_load_keeps_duplicate_graphemes_across_lexemes() -> None:
    body = (
        "<lexeme><grapheme>read</grapheme><alias>reed</alias></lexeme>"
        "<lexeme><grapheme>read</grapheme><alias>red</alias></lexeme>"
    )
    assert load(lexicon(body)).modes["rewrite"] == {
        "rules": rewrite(("read", "reed"), ("read", "red"))
    }


def test_load_keeps_whitespace_and_reads_cdata_and_character_references() -> None:
    body = (
        "<lexeme><grapheme> a&#13;b <!-- note --> </grapheme>"
        "<alias><![CDATA[<x> & y]]>&#x1F680;</alias></lexeme>"
    )
    assert load(lexicon(body)).modes["rewrite"] == {"rules": rewrite((" a\rb  ", "<x> & y🚀"))}


def test_load_ignores_prefer_attributes() -> None:
    body = '<lexeme><grapheme>GIF</grapheme><alias prefer="true">jif</alias></lexeme>'
    assert load(lexicon(body)).warnings == ()


@pytest.mark.parametrize(
    ("attributes", "language"),
    [
        ('alphabet="ipa" xml:lang="pt-BR"', "pt-BR"),
        ('alphabet="ipa" xml:lang="und"', None),
        ('alphabet="ipa" xml:lang=""', None),
        ('alphabet="ipa"', None),
    ],
)
def test_load_language_comes_from_xml_lang(attributes: str, language: str | None) -> None:
    assert load(lexicon("", attributes)).language == language


def test_load_of_an_empty_lexicon_has_an_empty_rewrite_mode() -> None:
    assert load(lexicon("")).modes == {"rewrite": {"rules": []}}


# --- warnings --------------------------------------------------------------------------------

OK_LEXEME = "<lexeme><grapheme>ok</grapheme><alias>okay</alias></lexeme>"


@pytest.mark.parametrize(
    ("lexeme", "warning"),
    [
        (
            "<lexeme><grapheme>IEEE</grapheme>"
            "<alias>I triple E</alias><alias>eye triple ee</alias></lexeme>",
            "lexeme 2: extra alias 'eye triple ee' is not imported (only the first is)",
        ),
        (
            "<lexeme><grapheme>route</grapheme><phoneme>ɹuːt</phoneme><phoneme>ɹaʊt</phoneme></lexeme>",
            "lexeme 2: extra ipa phoneme 'ɹaʊt' is not imported (only the first is)",
        ),
        (
            "<lexeme><grapheme>ok</grapheme><alias>okay</alias>"
            '<phoneme alphabet="x-sampa">@U"keI</phoneme></lexeme>',
            "lexeme 2: phoneme in alphabet 'x-sampa' is not imported (only ipa)",
        ),
        (
            "<lexeme><grapheme>ok</grapheme><alias>okay</alias>"
            "<example>It is ok.</example></lexeme>",
            "lexeme 2: <example> is not imported",
        ),
        (
            '<lexeme role="claws:VVI"><grapheme>read</grapheme><alias>reed</alias></lexeme>',
            "lexeme 2: role 'claws:VVI' is not imported; its rules apply everywhere",
        ),
        (
            "<lexeme><alias>orphan</alias></lexeme>",
            "lexeme 2: has no grapheme, so it is not imported",
        ),
        (
            "<lexeme><grapheme>lonely</grapheme></lexeme>",
            "lexeme 2: has neither an alias nor an ipa phoneme, so it is not imported",
        ),
        (
            "<lexeme><grapheme>ok</grapheme><alias>okay</alias>"
            '<x:note xmlns:x="urn:x">n</x:note></lexeme>',
            "lexeme 2: <{urn:x}note> is not imported",
        ),
    ],
)
def test_load_reports_what_a_lexeme_loses(lexeme: str, warning: str) -> None:
    loaded = load(lexicon(OK_LEXEME + lexeme + OK_LEXEME))
    assert loaded.warnings == (warning,)


def test_load_imports_the_first_alias_and_phoneme() -> None:
    body = (
        "<lexeme><grapheme>route</grapheme><alias>root</alias><alias>rowt</alias>"
        "<phoneme>ɹuːt</phoneme><phoneme>ɹaʊt</phoneme></lexeme>"
    )
    assert load(lexicon(body)).modes == {
        "rewrite": {"rules": rewrite(("route", "root"))},
        "ipa": {"rules": ipa(("route", "ɹuːt"))},
    }


def test_load_reports_a_phoneme_without_any_alphabet() -> None:
    body = "<lexeme><grapheme>ok</grapheme><alias>okay</alias><phoneme>oʊˈkeɪ</phoneme></lexeme>"
    assert load(lexicon(body, 'xml:lang="en"')).warnings == (
        "lexeme 1: phoneme with no alphabet is not imported (only ipa)",
    )


@pytest.mark.parametrize("element", ["meta", "metadata", "lookup"])
def test_load_reports_lexicon_level_elements(element: str) -> None:
    body = f'{OK_LEXEME}<{element} name="author" content="docs"/>{OK_LEXEME}'
    loaded = load(lexicon(body))
    assert loaded.warnings == (f"lexicon: <{element}> is not imported",)
    assert loaded.modes["rewrite"] == {"rules": rewrite(("ok", "okay"), ("ok", "okay"))}


# --- refusals --------------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lexicon [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lexicon version="1.0" alphabet="ipa" xml:lang="en">
  <lexeme><grapheme>lol</grapheme><alias>&lol4;</alias></lexeme>
</lexicon>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE lexicon [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<lexicon version="1.0" alphabet="ipa" xml:lang="en">
  <lexeme><grapheme>x</grapheme><alias>&secret;</alias></lexeme>
</lexicon>
"""

PLAIN_DOCTYPE = (
    '<!DOCTYPE lexicon SYSTEM "pls.dtd">\n<lexicon version="1.0" xml:lang="en"></lexicon>'
)


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY, PLAIN_DOCTYPE])
def test_load_refuses_dtds_and_entities(data: str) -> None:
    with pytest.raises(PlsError, match="^PLS files may not declare a DTD or entities$"):
        load(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<lexicon version="1.0">\n  <lexeme>\n  </lexicon>',
            "PLS file is not well-formed XML: mismatched tag at line 3, column 5",
        ),
        (
            b'<lexicon version="1.0">&nbsp;</lexicon>',
            "PLS file is not well-formed XML: undefined entity at line 1, column 24",
        ),
        (b"", "PLS file is not well-formed XML: no element found at line 1, column 1"),
        (
            b'<lexicon version="1.0" xml:lang="en">\n<grapheme>caf\xe9</grapheme></lexicon>',
            "PLS file is not UTF-8 (nor in its declared encoding): "
            "not well-formed (invalid token) at line 2, column 14",
        ),
    ],
)
def test_load_refuses_malformed_xml_with_its_position(data: bytes, message: str) -> None:
    with pytest.raises(PlsError) as caught:
        load(data)
    assert str(caught.value) == message


def test_load_reads_a_declared_non_utf8_encoding() -> None:
    data = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>'
        b'<lexicon version="1.0" xml:lang="fr"><lexeme><grapheme>caf\xe9</grapheme>'
        b"<alias>kafe</alias></lexeme></lexicon>"
    )
    assert load(data).modes == {"rewrite": {"rules": rewrite(("café", "kafe"))}}


@pytest.mark.parametrize(
    ("encoding", "reason"),
    [
        ("x-unknown", "unknown encoding: x-unknown"),
        ("shift_jis", "multi-byte encodings are not supported"),
    ],
)
def test_load_refuses_an_unreadable_declared_encoding(encoding: str, reason: str) -> None:
    data = f'<?xml version="1.0" encoding="{encoding}"?><lexicon version="1.0"/>'
    with pytest.raises(PlsError) as caught:
        load(data)
    assert str(caught.value) == f"PLS file declares an encoding that cannot be read: {reason}"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('<speak version="1.0"/>', "PLS root element must be <lexicon>, found <speak>"),
        (
            '<lexicon xmlns="urn:other" version="1.0"/>',
            "PLS root element must be <lexicon>, found <{urn:other}lexicon>",
        ),
        (
            f'<lexicon xmlns="{PLS_NAMESPACE}" version="1.1"/>',
            "PLS lexicon version must be \"1.0\", found version '1.1'",
        ),
        ("<lexicon/>", 'PLS lexicon version must be "1.0", found no version'),
    ],
)
def test_load_refuses_other_documents(data: str, message: str) -> None:
    with pytest.raises(PlsError) as caught:
        load(data)
    assert str(caught.value) == message


def test_load_accepts_exactly_max_bytes() -> None:
    data = lexicon(OK_LEXEME).encode()
    assert pls_load(data, max_bytes=len(data)).modes == {
        "rewrite": {"rules": rewrite(("ok", "okay"))}
    }


def test_load_refuses_oversized_data_before_parsing() -> None:
    data = b"<not even xml" * 100
    with pytest.raises(PlsError) as caught:
        pls_load(data, max_bytes=len(data) - 1)
    assert str(caught.value) == f"PLS file is larger than {len(data) - 1} bytes"
