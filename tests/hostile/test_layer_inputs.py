"""Issue 29's entry points fed hostile input through real gunicorn: includes and layer_only on
create, PUT and PATCH, disabled rules (bodies, one rule's PUT, imports, exports), the flattened
view and export, and the import's comment. Each refusal is SLNG's 400 naming the field, another
organization's dictionary is as absent as one that never existed, and nothing is a 500.
"""

from typing import Any

import httpx
import pytest

from tests.hostile.conftest import Server
from tests.hostile.test_inputs import API, invalid, raw_json

JSON = {"Content-Type": "application/json"}
NOT_BOOL = ["must be true or false"]
NAME_CHARS = ["may contain only letters, digits, '.', '_' and '-'"]


def body(name: str, *rules: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "modes": {"rewrite": {"rules": list(rules)}}, **extra}


def send(client: httpx.Client, method: str, path: str, payload: Any) -> httpx.Response:
    """``payload`` as JSON with every non-ASCII character escaped (lone surrogates too)."""
    return client.request(method, f"{API}/{path}", content=raw_json(payload), headers=JSON)


def created(client: httpx.Client, payload: dict[str, Any]) -> None:
    response = send(client, "POST", "dictionaries", payload)
    assert response.status_code == 201, response.text


def without_request_id(response: httpx.Response) -> dict[str, Any]:
    answer: dict[str, Any] = response.json()
    answer.pop("slng_request_id")
    return answer


# -- includes and layer_only -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("includes", "field_errors"),
    [
        ("brand", {"includes": ["must be an array of includes"]}),
        (7, {"includes": ["must be an array of includes"]}),
        ({"name": "brand"}, {"includes": ["must be an array of includes"]}),
        ([["brand"]], {"includes[0]": ["must be an object with a name"]}),
        ([{"name": ["brand"]}], {"includes[0].name": ["must be a string"]}),
        ([{"name": {"name": "brand"}}], {"includes[0].name": ["must be a string"]}),
        ([{"name": None}], {"includes[0].name": ["must be a string"]}),
        ([{"name": 5}], {"includes[0].name": ["must be a string"]}),
        ([{"name": True}], {"includes[0].name": ["must be a string"]}),
        ([{}], {"includes[0].name": ["must be a string"]}),
        ([{"name": ""}], {"includes[0].name": ["must not be empty"]}),
        ([{"name": "b" * 129}], {"includes[0].name": ["must be at most 128 characters"]}),
        (
            [{"name": "b" * 100_000}],
            {"includes[0].name": ["must be at most 128 characters"]},
        ),
        ([{"name": "bra\x00nd"}], {"includes[0].name": NAME_CHARS}),
        ([{"name": "\ud800"}], {"includes[0].name": NAME_CHARS}),
        (
            [{"name": "bra\u200bnd"}],
            {
                "includes[0].name": [
                    "must not contain invisible or bidirectional-control characters "
                    "(U+200B ZERO WIDTH SPACE)",
                    *NAME_CHARS,
                ]
            },
        ),
        (
            [{"name": ".."}],
            {
                "includes[0].name": [
                    "must not be only dots: HTTP clients remove '.' and '..' from a URL"
                ]
            },
        ),
        *(
            (
                [{"name": "brand", "language": language}],
                {"includes[0].language": ["must be a BCP 47 language tag such as en or de-CH"]},
            )
            for language in ("english!!", "en\x00", "\ud800", 5, ["en"], True, "en-" + "a" * 10_000)
        ),
        ([{"name": "brand", "x": 1}], {"includes[0]": ["unknown field: x"]}),
        (
            [{"name": f"l{i}"} for i in range(9)],
            {"includes": ["must have at most 8 includes, got 9"]},
        ),
        (
            [{"name": "brand"}] * 10_000,
            {"includes": ["must have at most 8 includes, got 10000"]},
        ),
        ([{"name": "D"}], {"includes[0].name": ["a dictionary cannot include itself"]}),
        (
            [{"name": "brand"}, {"name": "BRAND"}],
            {"includes[1].name": ["includes[0] names the same layer"]},
        ),
    ],
)
def test_create_refuses_hostile_includes_naming_the_field(
    acme: httpx.Client, includes: Any, field_errors: dict[str, list[str]]
) -> None:
    created(acme, body("brand", layer_only=True))

    response = send(acme, "POST", "dictionaries", body("d", includes=includes))

    invalid(response, field_errors)
    assert acme.get(f"{API}/dictionaries/d").status_code == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_another_organizations_layer_is_as_absent_as_a_missing_one(
    server: Server, acme: httpx.Client, method: str
) -> None:
    """Same status, same body but for the name: no oracle for what globex holds."""
    with server.client(server.globex) as globex:
        created(globex, body("secret"))
    created(acme, body("d"))
    path = "dictionaries" if method == "POST" else "dictionaries/d"
    name = "e" if method == "POST" else "d"

    answers = [
        send(acme, method, path, body(name, includes=[{"name": layer}]))
        for layer in ("secret", "nothing")
    ]

    for answer, layer in zip(answers, ("secret", "nothing"), strict=True):
        invalid(answer, {"includes[0].name": [f"no dictionary named {layer} in this organization"]})


def test_another_organizations_dictionary_is_absent_from_flattened_and_exports(
    server: Server, acme: httpx.Client
) -> None:
    with server.client(server.globex) as globex:
        created(globex, body("secret", {"match": "a", "replace": "b"}))

    for path in ("flattened", "export?flattened=true", "export?format=pls"):
        foreign = acme.get(f"{API}/dictionaries/secret/{path}")
        absent = acme.get(f"{API}/dictionaries/nothing/{path}")

        assert (foreign.status_code, absent.status_code) == (404, 404)
        assert without_request_id(foreign) == {
            **without_request_id(absent),
            "error": without_request_id(absent)["error"].replace("nothing", "secret"),
        }
        assert foreign.json()["code"] == "pronunciation_not_found"


@pytest.mark.parametrize("value", ["true", 1, 0, [True], {"on": True}])
def test_layer_only_must_be_a_boolean(acme: httpx.Client, value: Any) -> None:
    response = send(acme, "POST", "dictionaries", body("d", layer_only=value))

    invalid(response, {"layer_only": NOT_BOOL})


def test_an_include_language_as_long_as_a_tag_may_be_is_stored(acme: httpx.Client) -> None:
    """A well-formed tag of 36 to 64 characters passed validation, then overflowed the include
    row's 35-character column (DataError, 500)."""
    tag = "en-Latn-US-x-abcdefgh-abcdefgh-abcdefgh"  # 39 characters
    created(acme, body("brand", {"match": "NAIC", "replace": "nake"}, layer_only=True))
    metadata = {"language": tag + "-more"}

    response = send(
        acme,
        "POST",
        "dictionaries",
        body("d", metadata=metadata, includes=[{"name": "brand", "language": tag}]),
    )

    assert response.status_code == 201, response.text
    flat = acme.get(f"{API}/dictionaries/d/flattened").json()
    assert flat["layers"] == [{"name": "brand", "revision": 1}, {"name": "d", "revision": 1}]


# -- disabled rules --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["false", "true", None, 0, 1, [False], {"a": 1}])
def test_a_rules_disabled_must_be_a_boolean(acme: httpx.Client, value: Any) -> None:
    rule = {"match": "NAIC", "replace": "nake", "disabled": value}

    response = send(acme, "POST", "dictionaries", body("d", rule))

    invalid(response, {"modes.rewrite.rules[0].disabled": NOT_BOOL})


def test_one_rules_put_keeps_it_switched_off_and_says_so(acme: httpx.Client) -> None:
    """A rule's PUT rebuilt the rule without its flag: changing a disabled rule's value (as a
    client that never saw the flag does) switched it on, and a body's "disabled" was ignored."""
    created(acme, body("d", {"match": "NAIC", "replace": "nake", "disabled": True}))
    rule = f"{API}/dictionaries/d/rules/rewrite"

    read = acme.get(f"{rule}/naic")
    changed = send(acme, "PUT", "dictionaries/d/rules/rewrite/NAIC", {"replace": "N.A.I.C."})
    added = send(
        acme, "PUT", "dictionaries/d/rules/rewrite/ACH", {"replace": "a", "disabled": True}
    )
    on = send(acme, "PUT", "dictionaries/d/rules/rewrite/ACH", {"replace": "a", "disabled": False})

    assert read.json() == {
        "dictionary": "d",
        "mode": "rewrite",
        "match": "NAIC",
        "replace": "nake",
        "disabled": True,
        "position": 0,
        "revision": 1,
    }
    assert changed.status_code == 200
    assert changed.json()["disabled"] is True
    assert added.status_code == 201
    assert added.json()["disabled"] is True
    assert on.status_code == 200
    assert "disabled" not in on.json()
    assert acme.get(f"{API}/dictionaries/d/revisions/4").json()["modes"] == {
        "rewrite": {
            "rules": [
                {"match": "NAIC", "replace": "N.A.I.C.", "disabled": True},
                {"match": "ACH", "replace": "a"},
            ]
        }
    }
    # SLNG's shape still never shows the rule switched off
    assert acme.get(f"{API}/dictionaries/d").json()["modes"] == {
        "rewrite": {"rules": [{"match": "ACH", "replace": "a"}]}
    }


@pytest.mark.parametrize("value", ["false", None, 0, [True]])
def test_one_rules_put_refuses_a_disabled_that_is_not_a_boolean(
    acme: httpx.Client, value: Any
) -> None:
    created(acme, body("d", {"match": "NAIC", "replace": "nake", "disabled": True}))

    response = send(
        acme, "PUT", "dictionaries/d/rules/rewrite/NAIC", {"replace": "x", "disabled": value}
    )

    if value is None:  # null is "not given", as for every optional field of this body
        assert response.status_code == 200
        assert response.json()["disabled"] is True
    else:
        invalid(response, {"disabled": NOT_BOOL})


def test_pls_and_vendor_exports_leave_disabled_rules_out(acme: httpx.Client) -> None:
    """PLS and the vendors' formats have no way to switch a rule off: the disabled rule was
    written as an ordinary lexeme, spoken by whoever read the file (or imported back on)."""
    rules = (
        {"match": "NAIC", "replace": "nake", "disabled": True},
        {"match": "hi", "replace": "hello"},
    )
    created(acme, body("d", *rules))

    pls = acme.get(f"{API}/dictionaries/d/export", params={"format": "pls"})
    vendor = acme.get(f"{API}/dictionaries/d/export", params={"format": "elevenlabs"})

    assert pls.status_code == 200
    assert "NAIC" not in pls.text
    assert "<grapheme>hi</grapheme>" in pls.text
    assert "1 disabled rule is not in this file" in pls.text
    assert vendor.status_code == 200
    assert "NAIC" not in vendor.text
    assert "hello" in vendor.text


@pytest.mark.parametrize("file_format", ["pls", "elevenlabs"])
def test_pls_and_vendor_exports_honour_flattened(acme: httpx.Client, file_format: str) -> None:
    """?flattened=true was ignored by these formats: a 200 holding the dictionary's own rules
    only, which an integrator asking for what the targets receive took for the whole."""
    created(acme, body("brand", {"match": "NAIC", "replace": "nake"}, layer_only=True))
    created(acme, body("agent", {"match": "hi", "replace": "hello"}, includes=[{"name": "brand"}]))
    export = f"{API}/dictionaries/agent/export"

    own = acme.get(export, params={"format": file_format})
    flat = acme.get(export, params={"format": file_format, "flattened": "true"})

    assert (own.status_code, flat.status_code) == (200, 200)
    assert ("hello" in own.text, "nake" in own.text) == (True, False)
    assert ("hello" in flat.text, "nake" in flat.text) == (True, True)


# -- imports: the comment and the disabled column ----------------------------------------------

CSV = b"dictionary,mode,match,replace\r\nimported,rewrite,a,b\r\n"


@pytest.mark.parametrize(
    ("comment", "problems"),
    [
        ("a\x00b", ["must not contain control characters or unpaired surrogates (U+0000)"]),
        ("c" * 501, ["must be at most 500 characters"]),
    ],
)
def test_an_imports_comment_is_checked_before_the_file_is_read(
    acme: httpx.Client, comment: str, problems: list[str]
) -> None:
    response = acme.post(
        f"{API}/import",
        files={"file": ("d.csv", CSV)},
        data={"create_missing": "true", "comment": comment},
    )

    invalid(response, {"comment": problems})
    assert acme.get(f"{API}/dictionaries/imported").status_code == 404


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("yes", "disabled must be true, false or empty"),
        ("tr\x00ue", "disabled must be true, false or empty"),
        ("1", "disabled must be true, false or empty"),
    ],
)
def test_an_imports_disabled_cell_is_true_false_or_empty(
    acme: httpx.Client, cell: str, problem: str
) -> None:
    data = f"dictionary,mode,match,replace,disabled\r\nimported,rewrite,a,b,{cell}\r\n".encode()

    response = acme.post(
        f"{API}/import", files={"file": ("d.csv", data)}, data={"create_missing": "true"}
    )

    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_pronunciation"
    assert response.json()["fieldErrors"] == {"rows[2].disabled": [problem]}
    assert acme.get(f"{API}/dictionaries/imported").status_code == 404


# -- bodies, nesting and a flattened result past SLNG's limit ------------------------------------


def test_includes_nested_100000_deep_are_a_400_that_says_so(acme: httpx.Client) -> None:
    created(acme, body("d"))
    nested = b'{"includes": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    response = acme.patch(f"{API}/dictionaries/d", content=nested, headers=JSON)

    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_pronunciation"
    assert list(response.json()["fieldErrors"]) == ["body"]


def test_a_flattened_result_past_256_rules_is_shown_previewed_and_exported(
    acme: httpx.Client,
) -> None:
    """Each dictionary holds 200 rules (valid); flattened they hold 400, which SLNG refuses:
    the reads say so and answer, none fails."""
    layer = [{"match": f"w{i}", "replace": "x"} for i in range(200)]
    own = [{"match": f"v{i}", "replace": "y"} for i in range(200)]
    created(acme, body("big", *layer, layer_only=True))
    check = [{"text": "w1 v1", "expect": "x y"}]
    created(acme, body("agent", *own, includes=[{"name": "big"}], checks=check))

    flat = acme.get(f"{API}/dictionaries/agent/flattened")
    previewed = send(acme, "POST", "dictionaries/agent/preview", {"text": "w1 v2"})
    linted = acme.get(f"{API}/dictionaries/agent/lint")
    exported = acme.get(f"{API}/dictionaries/agent/export", params={"flattened": "true"})

    assert flat.status_code == 200
    assert flat.json()["over_limit"] == [{"mode": "rewrite", "rules": 400, "limit": 256}]
    assert previewed.status_code == 200
    assert previewed.json()["text"] == "x y"
    assert linted.status_code == 200
    assert exported.status_code == 200
    lines = exported.text.splitlines()
    assert (len(lines), lines[-1]) == (402, "agent,check,w1 v1,x y,,0,")  # header, 400 rules
