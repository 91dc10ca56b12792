"""PLS 1.0 export and import: exact output, round trips, every warning and every refusal."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pronunciations.transfer.pls import PLS_NAMESPACE, PlsError, PlsImport, pls_dump, pls_load
from pronunciations.validation import match_key

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
    # A bare CR would be read back as LF, so it goes as a character reference; white space
    # that the importer would normalize is marked as meant.
    assert b'<alias xml:space="preserve"> rocket&#13;\n\tship </alias>' in data


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
# Matches are unique as SLNG compares them: a dictionary never holds two that match alike.
RULES = st.lists(st.tuples(XML_TEXT, XML_TEXT), max_size=6, unique_by=lambda r: match_key(r[0]))
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
    assert (loaded.modes, loaded.language) == (modes, metadata.get("language"))
    assert loaded.warnings == (() if rewrite_pairs or ipa_pairs else (NOTHING_NO_LEXEMES,))


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
    # issue 25: X-SAMPA is converted to IPA (ipakit), and the report says so
    assert loaded.modes["ipa"] == {"rules": ipa(("data", "ˈdɑːtə"), ("either", "ˈiːðɚ"))}
    assert loaded.warnings == (
        '1 lexeme in alphabet "x-sampa" converted to IPA (SLNG keeps IPA phonemes only): '
        "check them: either (lexeme 2, line 2)",
    )


def test_load_skips_a_non_ipa_phoneme_for_a_later_ipa_one() -> None:
    body = (
        "<lexeme><grapheme>either</grapheme>"
        '<phoneme alphabet="sapi">iy dh er</phoneme><phoneme>ˈaɪðɚ</phoneme></lexeme>'
    )
    loaded = load(lexicon(body))
    assert loaded.modes["ipa"] == {"rules": ipa(("either", "ˈaɪðɚ"))}
    assert loaded.warnings == (
        '1 lexeme uses alphabet "sapi", which SLNG cannot store (it keeps IPA phonemes '
        "only): either (lexeme 1, line 2)",
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


def test_load_keeps_the_first_of_repeated_graphemes_and_reports_the_other() -> None:
    body = (
        "<lexeme><grapheme>read</grapheme><alias>reed</alias></lexeme>"
        "<lexeme><grapheme>read</grapheme><alias>red</alias></lexeme>"
    )
    loaded = load(lexicon(body))

    assert loaded.modes["rewrite"] == {"rules": rewrite(("read", "reed"))}
    assert loaded.warnings == (
        "1 grapheme matches like an earlier one (SLNG ignores case) but with another alias; "
        'the first in the file is kept: read "red" (lexeme 2, line 2) lost to '
        'read "reed" (lexeme 1, line 2)',
    )
    assert [(c.kept.value, c.lost.value) for c in loaded.conflicts] == [("reed", "red")]


def test_load_normalizes_xml_white_space_and_reads_cdata_and_character_references() -> None:
    body = (
        "<lexeme><grapheme> a&#13;b <!-- note --> </grapheme>"
        "<alias><![CDATA[<x>  & y]]>&#x1F680;\u00a0</alias></lexeme>"
    )
    # XML's white space (CR from a reference too) is trimmed and collapsed; U+00A0 is text.
    assert load(lexicon(body)).modes["rewrite"] == {"rules": rewrite(("a b", "<x> & y🚀\u00a0"))}


def test_load_keeps_white_space_where_xml_space_preserve_says_so() -> None:
    body = (
        '<lexeme xml:space="preserve"><grapheme>a  b</grapheme>'
        '<alias xml:space="default"> x  y </alias><phoneme> ɪ </phoneme></lexeme>'
    )
    assert load(lexicon(body)).modes == {
        "rewrite": {"rules": rewrite(("a  b", "x y"))},
        "ipa": {"rules": ipa(("a  b", " ɪ "))},
    }


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
NOTHING_NO_LEXEMES = "Nothing in this file can be imported: it has no lexemes."


@pytest.mark.parametrize(
    ("lexeme", "warning"),
    [
        (
            "<lexeme><grapheme>IEEE</grapheme>"
            "<alias>I triple E</alias><alias>eye triple ee</alias></lexeme>",
            "1 extra alias not imported (SLNG keeps a lexeme's first alias): "
            'IEEE "eye triple ee" (lexeme 2, line 2)',
        ),
        (
            "<lexeme><grapheme>route</grapheme><phoneme>ɹuːt</phoneme><phoneme>ɹaʊt</phoneme></lexeme>",
            "1 extra IPA phoneme not imported (SLNG keeps a lexeme's first IPA phoneme): "
            'route "ɹaʊt" (lexeme 2, line 2)',
        ),
        (
            "<lexeme><grapheme>fine</grapheme><alias>okay</alias>"
            '<phoneme alphabet="sapi">ow k ey</phoneme></lexeme>',
            '1 lexeme uses alphabet "sapi", which SLNG cannot store (it keeps IPA phonemes '
            "only): fine (lexeme 2, line 2)",
        ),
        (
            "<lexeme><grapheme>fine</grapheme><alias>okay</alias>"
            "<example>It is fine.</example><example>Fine.</example></lexeme>",
            "2 <example> elements not imported: fine (lexeme 2, line 2)",
        ),
        (
            '<lexeme role="claws:VVI"><grapheme>read</grapheme><alias>reed</alias></lexeme>',
            "1 lexeme has a role, which is not imported: its rules apply everywhere: "
            'read (lexeme 2, line 2, role "claws:VVI")',
        ),
        (
            "<lexeme><alias>orphan</alias></lexeme>",
            "1 lexeme without a grapheme not imported: lexeme 2, line 2",
        ),
        (
            "<lexeme><grapheme>lonely</grapheme></lexeme>",
            "1 lexeme with neither an alias nor a phoneme not imported: lonely (lexeme 2, line 2)",
        ),
        (
            "<lexeme><grapheme>fine</grapheme><alias>okay</alias>"
            '<x:note xmlns:x="urn:x">n</x:note></lexeme>',
            "1 <{urn:x}note> element not imported: fine (lexeme 2, line 2)",
        ),
        (
            "<lexeme><grapheme>OK</grapheme><grapheme>Ok</grapheme><alias>okay</alias></lexeme>",
            "2 graphemes match like an earlier one (SLNG ignores case) and say the same, so they "
            "were merged into its rule: OK (lexeme 2, line 2) = ok (lexeme 1, line 2), "
            "Ok (lexeme 2, line 2) = ok (lexeme 1, line 2)",
        ),
    ],
)
def test_load_reports_what_a_lexeme_loses(lexeme: str, warning: str) -> None:
    loaded = load(
        lexicon(OK_LEXEME + lexeme + "<lexeme><grapheme>end</grapheme><alias>e</alias></lexeme>")
    )
    assert loaded.warnings == (warning,)


def test_load_groups_warnings_by_kind_with_a_count_and_three_examples() -> None:
    body = "".join(
        f'<lexeme>\n<grapheme>w{i}</grapheme><phoneme alphabet="sapi">w</phoneme></lexeme>'
        for i in range(5)
    )
    loaded = load(lexicon(OK_LEXEME + body))

    assert loaded.warnings == (
        '5 lexemes use alphabet "sapi", which SLNG cannot store (it keeps IPA phonemes '
        "only): w0 (lexeme 2, line 3), w1 (lexeme 3, line 4), w2 (lexeme 4, line 5), …",
    )


def test_load_imports_the_first_alias_and_phoneme() -> None:
    body = (
        "<lexeme><grapheme>route</grapheme><alias>root</alias><alias>rowt</alias>"
        "<phoneme>ɹuːt</phoneme><phoneme>ɹaʊt</phoneme></lexeme>"
    )
    assert load(lexicon(body)).modes == {
        "rewrite": {"rules": rewrite(("route", "root"))},
        "ipa": {"rules": ipa(("route", "ɹuːt"))},
    }


def test_load_reads_phonemes_as_ipa_when_the_lexicon_names_no_alphabet() -> None:
    body = "<lexeme><grapheme>ok</grapheme><alias>okay</alias><phoneme>oʊˈkeɪ</phoneme></lexeme>"
    loaded = load(lexicon(body, 'xml:lang="en"'))

    assert loaded.modes["ipa"] == {"rules": ipa(("ok", "oʊˈkeɪ"))}
    assert loaded.warnings == (
        "The lexicon (line 2) has no alphabet attribute: its phonemes are read as IPA, the "
        'default (alphabet="ipa").',
    )


def test_load_says_plainly_when_nothing_can_be_imported() -> None:
    body = '<lexeme><grapheme>w</grapheme><phoneme alphabet="sapi">w 1</phoneme></lexeme>'
    loaded = load(lexicon(body + "<lexeme><alias>x</alias></lexeme>"))

    assert loaded.modes == {"rewrite": {"rules": []}}
    assert loaded.warnings[0] == (
        "Nothing in this file can be imported: none of its 2 lexemes has an alias or an IPA "
        'phoneme that SLNG can store (1 uses alphabet "sapi"; 1 has no grapheme).'
    )


@pytest.mark.parametrize("element", ["meta", "metadata", "lookup"])
def test_load_reports_lexicon_level_elements(element: str) -> None:
    body = f'{OK_LEXEME}<{element} name="author" content="docs"/>{OK_LEXEME.replace("ok", "k")}'
    loaded = load(lexicon(body))
    assert loaded.warnings == (f"1 <{element}> element of the lexicon not imported: line 2",)
    assert loaded.modes["rewrite"] == {"rules": rewrite(("ok", "okay"), ("k", "kay"))}


def test_load_keeps_one_kind_of_warning_per_line_up_to_the_bound() -> None:
    body = "".join(
        f"<lexeme><grapheme>g</grapheme><alias>a</alias><x{i}/></lexeme>" for i in range(9)
    )
    loaded = pls_load(lexicon(body).encode(), max_bytes=MAX_BYTES, max_warnings=3)

    assert len(loaded.warnings) == 3
    assert loaded.more_warnings > 0


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
