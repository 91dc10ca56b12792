"""The pronunciation scan's core (issue 26): texts, findings, precision and recall on the fixture
corpus, coverage by rules, and espeak-ng asked once per scan."""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from pronunciations import engine, espeak
from pronunciations.scan.coverage import Rules
from pronunciations.scan.run import scan
from pronunciations.scan.texts import ScanTooLarge, TextLimits, read_turns

FIXTURES = Path(__file__).parent / "scan_fixtures"
LIMITS = TextLimits(max_bytes=1024 * 1024, max_rows=10_000, max_depth=32)
needs_espeak = pytest.mark.skipif(espeak.binary() is None, reason="espeak-ng is not installed")


def fixture_turns() -> list[str]:
    turns = []
    for path in sorted(FIXTURES.iterdir()):
        if path.name != "expected.json":
            turns += read_turns(path.read_bytes(), path.suffix[1:], LIMITS)
    return turns


def rules(name: str, *pairs: tuple[str, str]) -> Rules:
    return Rules(name, engine.Matcher([engine.Rule(m, r) for m, r in pairs]), engine.Matcher([]))


@needs_espeak
def test_fixture_corpus_meets_precision_and_recall_goals() -> None:
    """Issue 26: recall ≥ 90 % and precision ≥ 80 % on agent texts whose risky words are known."""
    expected = json.loads((FIXTURES / "expected.json").read_text())
    found = {finding["key"] for finding in scan(fixture_turns(), "en-US")["findings"]}
    risky = set(expected["risky"])
    recall = len(found & risky) / len(risky)
    precision = len(found & risky) / len(found)
    print(f"scan fixture: recall {recall:.1%}, precision {precision:.1%}")
    print(f"  missed: {sorted(risky - found)}; not expected: {sorted(found - risky)}")
    assert recall >= 0.9
    assert precision >= 0.8
    assert not found & set(expected["common"])


@needs_espeak
def test_brands_and_symbols_rank_before_acronyms_and_heteronyms() -> None:
    findings = scan(fixture_turns(), "en-US")["findings"]
    order = [finding["key"] for finding in findings]
    assert order.index("qubepay") < order.index("sku") < order.index("read")
    assert order.index("c++") < order.index("api") < order.index("live")
    qubepay = findings[0]
    assert qubepay["key"] == "qubepay"
    assert qubepay["reasons"] == ["case_mix", "unknown", "rare"]
    assert len(qubepay["examples"]) == 3
    assert {e["text"] for e in qubepay["examples"]} == {"QubePay"}


def test_espeak_is_asked_once_per_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """One run for the lexicon check of every rare word, one for the IPA: never one per word."""
    if espeak.binary() is None:
        pytest.skip("espeak-ng is not installed")
    calls = []
    real_run = subprocess.run

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return real_run(*args, **kwargs)

    monkeypatch.setattr(espeak.subprocess, "run", counting)
    espeak._known_cache.clear()
    text = "Call Zorvex, Kryvo, Vantrell, Quibbix or Plorana about QubePay and SKU-4471."
    body = scan([text], "en-US")
    assert [call[2] for call in calls] == ["-X", "--ipa"]
    assert {"zorvex", "kryvo", "vantrell", "quibbix", "plorana"} <= {
        f["key"] for f in body["findings"]
    }
    calls.clear()
    scan([text], "en-US")  # the lexicon's answers are cached per language and word
    assert [call[2] for call in calls] == ["--ipa"]


def test_without_espeak_rare_words_are_reported_with_a_note(settings: Any) -> None:
    settings.LEXICON_ESPEAK = ""
    body = scan(["Thanks for calling Zorvex about your refund."], "en-US")
    (finding,) = body["findings"]
    assert (finding["key"], finding["reasons"]) == ("zorvex", ["rare"])
    assert finding["suggestion"]["ipa"] is None
    assert body["espeak"] is False
    assert "espeak-ng is not installed" in body["notes"][0]


def test_common_words_shouting_and_compounds_are_not_findings() -> None:
    text = "PLEASE NOTE THAT THE OFFICE IS CLOSED TODAY. Your onboarding and checkout are ready."
    assert scan([text], "en-US")["findings"] == []


def test_coverage_says_which_dictionary_has_a_rule_and_what_it_becomes() -> None:
    brand = rules("brand", ("QubePay", "Cube Pay"), ("unused rule", "x"))
    other = rules("other")
    body = scan(["Welcome to QubePay. QubePay is ready."], "en-US", [brand, other])
    (finding,) = body["findings"]
    assert finding["coverage"] == [
        {"dictionary": "brand", "state": "fires", "match": "QubePay", "becomes": "Cube Pay",
         "fires": 2},
        {"dictionary": "other", "state": "none", "match": None, "becomes": None, "fires": 0},
    ]  # fmt: skip
    assert finding["covered"] is True
    dead = [rule for rule in body["rules"] if rule["dead"]]
    assert [(rule["dictionary"], rule["match"]) for rule in dead] == [("brand", "unused rule")]
    assert body["summary"] == {"findings": 1, "uncovered": 0, "dead_rules": 1}


def test_rules_firing_where_not_meant_and_in_both_senses() -> None:
    brand = rules("brand", ("US", "United States"), ("NET", "net"), ("live", "lyve"))
    text = (
        "Contact us in the US. Our .NET kit is ready. Start a live chat. "
        "Where do you live? We ship from the US."
    )
    by_match = {rule["match"]: rule for rule in scan([text], "en-US", [brand])["rules"]}
    assert (by_match["US"]["fires"], by_match["US"]["inside"]["count"]) == (3, 1)
    assert by_match["US"]["inside"]["examples"][0]["text"] == "us"
    assert (by_match["NET"]["fires"], by_match["NET"]["inside"]["count"]) == (1, 1)
    live = by_match["live"]
    assert live["both_senses"] is True
    assert [s["example"]["after"][:5] for s in live["senses"]] == ["? We ", " chat"]


def test_a_phrase_split_across_turns_is_reported() -> None:
    brand = rules("brand", ("Zorvex Cloud", "Zor vex cloud"))
    body = scan(["Connect it to the Zorvex", "Cloud dashboard."], "en-US", [brand])
    (rule,) = body["rules"]
    assert (rule["fires"], rule["dead"], rule["may_split"]) == (0, True, True)
    assert rule["split"]["count"] == 1


def test_heteronym_suggests_a_phrase_rule_and_a_check_per_reading() -> None:
    body = scan(["Start a live chat now. A live chat is faster."], "en-US")
    (finding,) = body["findings"]
    suggestion = finding["suggestion"]
    assert (suggestion["match"], suggestion["replace"]) == ("live chat", "lyve chat")
    assert [check["say"] for check in suggestion["checks"]] == ["liv", "lyve"]
    assert [r["count"] for r in finding["readings"]] == [0, 2]


@pytest.mark.parametrize(
    ("term", "replace"),
    [("C++", "C plus plus"), ("SKU-4471", "S K U 4 4 7 1"), ("B2B", "B 2 B"),
     ("QubePay", "Qube Pay"), ("AT&T", "AT and T"), ("50+", "50 plus"), (".NET", "dot NET")],
)  # fmt: skip
def test_suggested_rewrites(term: str, replace: str) -> None:
    (finding,) = scan([f"Ask about {term} today."], "en-US")["findings"]
    assert finding["suggestion"]["replace"] == replace


@pytest.mark.parametrize(
    ("data", "file_format", "message"),
    [
        (b"\x00\x01binary\xff", "txt", "is not text: byte 0x00 at offset 0"),
        (b"hello\x00world", "txt", "is not text: byte 0x00 at offset 5"),
        (b"caf\xe9", "txt", "is not UTF-8: byte 0xe9 at offset 3"),
        (b"[" * 100_000, "jsonl", "line 1: nested deeper than 32 levels"),
        (b'{"text": "ok"}\n{"text": ', "jsonl", "line 2: not valid JSON"),
    ],
)
def test_hostile_texts_are_refused_naming_the_problem(
    data: bytes, file_format: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        read_turns(data, file_format, LIMITS)
    assert caught.value.message_dict["file"][0].startswith(message)


def test_oversize_text_and_too_many_rows_are_refused() -> None:
    with pytest.raises(ScanTooLarge, match="at most 1048576 bytes"):
        read_turns(b"a" * (1024 * 1024 + 1), "txt", LIMITS)
    with pytest.raises(ScanTooLarge, match="at most 10000 rows"):
        read_turns(b"a\n" * 10_001, "csv", LIMITS)


def test_subtitles_and_json_lines_are_read_as_turns() -> None:
    vtt = (FIXTURES / "webinar.vtt").read_bytes()
    assert read_turns(vtt, "vtt", LIMITS)[0] == (
        "Hello everyone, and thanks for joining our live webinar."
    )
    srt = read_turns((FIXTURES / "onboarding.srt").read_bytes(), "srt", LIMITS)
    assert srt[1] == "In this video we set up your first terminal and connect it to the Zorvex"
    jsonl = read_turns((FIXTURES / "transcript.jsonl").read_bytes(), "jsonl", LIMITS)
    assert jsonl[:2] == ["assistant", "Thanks for calling QubePay, this is Mira. How can I help?"]


def test_a_language_without_frequencies_reports_only_structural_reasons() -> None:
    body = scan(["Rufen Sie Zorvex an, oder nutzen Sie QubePay und B2B."], "xx-test")
    assert [f["key"] for f in body["findings"]] == ["qubepay", "b2b"]
    assert body["notes"] == ["No word frequencies for this language: rare words are not found."]
