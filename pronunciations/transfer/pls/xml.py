"""PLS as XML: the bounded, defused stream parser (with line numbers), text rules and escaping."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import DefusedXMLParser, ParseError

PLS_NAMESPACE = "http://www.w3.org/2005/01/pronunciation-lexicon"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# BCP-47's "undetermined": PLS requires xml:lang, so a dictionary without a language exports it.
NO_LANGUAGE = "und"
# Fed to expat this many bytes at a time: memory holds one lexeme, not the whole tree.
_CHUNK = 64 * 1024

# XML's own white space (not Unicode's: a no-break space in a brand name is a character).
_XML_SPACE_RUN = re.compile("[ \t\r\n]+")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
# Attribute values are whitespace-normalized by parsers, so tabs and newlines go as references.
ATTRIBUTE_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#9;",
    }
)
# Outside XML 1.0's Char production (most C0 controls, surrogates, U+FFFE, U+FFFF): no XML 1.0
# document can carry these, not even as character references.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# With forbid_dtd every DOCTYPE fails first; the other two guard any later loosening of it.
_REFUSALS = {
    DTDForbidden: "PLS files may not declare a DTD or entities",
    EntitiesForbidden: "PLS files may not declare entities",
    ExternalReferenceForbidden: "PLS files may not refer to external entities",
}


class PlsError(ValueError):
    """A PLS file that cannot be imported, or a value that XML 1.0 cannot carry on export."""


# A lexeme's parts that are read; others are only counted, by name (at most _MAX_OTHER_NAMES).
PARTS = frozenset(("grapheme", "alias", "phoneme"))
_MAX_OTHER_NAMES = 50


@dataclass
class Node:
    """An element as read: its tag (``{namespace}local``), attributes, the line of its start
    tag and its text (its descendants' text in order, comments left out). A lexicon's child
    keeps its PARTS in ``children``; any other child is counted in ``others`` by name, with the
    line of the first (a file of a million unknown elements costs a counter, not a million
    nodes). Elements deeper than a part are not kept: their text counts as the part's."""

    tag: str
    attrib: dict[str, str]
    line: int
    children: list["Node"] = field(default_factory=list)
    others: dict[str, list[int]] = field(default_factory=dict)  # name -> [count, first line]
    parts: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The local name of a PLS (or namespace-less) element; other namespaces keep {uri}."""
        return local_name(self.tag)

    def text(self) -> str:
        return "".join(self.parts)

    def count_other(self, name: str, line: int) -> None:
        if name not in self.others and len(self.others) >= _MAX_OTHER_NAMES:
            name = "…"  # past the bound, every further name is counted under one entry
        counted = self.others.setdefault(name, [0, line])
        counted[0] += 1


def local_name(tag: str) -> str:
    return tag.removeprefix("{" + PLS_NAMESPACE + "}")


class _Reader:
    """expat's target: keeps the root, the current child of the root and its current part."""

    def __init__(self, on_child: Callable[[Node, Node], None]) -> None:
        self.on_child = on_child
        self.line: Callable[[], int] = lambda: 0
        self.depth = 0
        self.root: Node | None = None
        self.child: Node | None = None
        self.part: Node | None = None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1:
            self.root = Node(tag, dict(attrib), self.line())
        elif self.depth == 2:
            self.child = Node(tag, dict(attrib), self.line())
        elif self.depth == 3 and self.child is not None:
            if local_name(tag) in PARTS:
                self.part = Node(tag, dict(attrib), self.line())
                self.child.children.append(self.part)
            else:
                self.child.count_other(local_name(tag), self.line())

    def end(self, tag: str) -> None:
        if self.depth == 2 and self.root is not None and self.child is not None:
            self.on_child(self.root, self.child)
            self.child = None
        elif self.depth == 3:
            self.part = None
        self.depth -= 1

    def data(self, text: str) -> None:
        if self.depth >= 3 and self.part is not None:
            self.part.parts.append(text)

    def close(self) -> Node | None:
        return self.root


def parse(data: bytes, on_child: Callable[[Node, Node], None]) -> Node:
    """Parse as a stream: ``on_child(root, child)`` sees each child of the root, whole, as it
    ends, and only that child is kept in memory. Returns the root (without its children); the
    caller checks it once the whole file parsed. Raises PlsError."""
    reader = _Reader(on_child)
    parser = DefusedXMLParser(
        target=reader, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    reader.line = lambda: int(parser.parser.CurrentLineNumber)
    try:
        for start in range(0, len(data), _CHUNK):
            parser.feed(data[start : start + _CHUNK])
        root = parser.close()
    except ParseError as error:
        raise PlsError(_syntax_message(data, error)) from error
    except DefusedXmlException as error:
        message = _REFUSALS.get(type(error), "PLS files may not use DTD features")
        raise PlsError(message) from error
    except (LookupError, ValueError) as error:
        # pyexpat's handler for encodings it lacks: unknown names, multi-byte codecs.
        raise PlsError(f"PLS file declares an encoding that cannot be read: {error}") from error
    if root is None:
        raise PlsError("PLS file is empty")
    return root


def _syntax_message(data: bytes, error: ParseError) -> str:
    # expat's message ends with ": line L, column C" (C counted from 0); we count from 1.
    reason = str(error).rpartition(": line ")[0] or str(error)
    line, column = error.position
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        problem = "is not UTF-8 (nor in its declared encoding)"
    else:
        problem = "is not well-formed XML"
    return f"PLS file {problem}: {reason} at line {line}, column {column + 1}"


def check_lexicon(root: Node) -> None:
    """Refuse a root other than a PLS 1.0 ``lexicon``."""
    if root.name != "lexicon":
        raise PlsError(f"PLS root element must be <lexicon>, found <{root.name}>")
    version = root.attrib.get("version")
    if version != "1.0":
        found = "no version" if version is None else f"version {version!r}"
        raise PlsError(f'PLS lexicon version must be "1.0", found {found}')


def normalize_text(text: str) -> str:
    """Text as XML reads it where white space is not significant: trimmed, runs of XML white
    space (space, tab, CR, LF) as one space. Other spaces (U+00A0 …) are kept."""
    return _XML_SPACE_RUN.sub(" ", text).strip(" ")


def preserves_space(*elements: Node) -> bool:
    """Whether the nearest ``xml:space`` among ``elements`` (innermost first) is "preserve"."""
    for element in elements:
        if (space := element.attrib.get(XML_SPACE)) is not None:
            return space == "preserve"
    return False


def escaped(value: str, escapes: dict[int, str] = _TEXT_ESCAPES) -> str:
    """``value`` as XML text (or, with ATTRIBUTE_ESCAPES, an attribute value); a character XML
    1.0 cannot carry is written as U+FFFD, so an export never fails on stored content."""
    return _NOT_XML_CHAR.sub("\ufffd", value).translate(escapes)
