"""A small SPARQL lexer: what the public endpoint must know about a request before running it.

pyoxigraph exposes no algebra, so the few facts the server needs (the query form, whether
the query names its own dataset, whether it would make the store fetch a URL) come from
tokens. Strings, IRIs and comments are skipped exactly as SPARQL defines them, so a keyword
hidden in a literal is not seen, and a keyword glued to a neighbour (``1SERVICE``,
``trueSERVICE``) is: the check errs on the side of refusing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from clusterld.errors import InputError

_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_VAR = re.compile(r"[?$][A-Za-z0-9_\u00B7\u00C0-\U000EFFFF]+")
_NAME = re.compile(r"[A-Za-z0-9_:\\%\u00C0-\U000EFFFF-]"
                   r"(?:[A-Za-z0-9_:.\\%\u00B7\u00C0-\U000EFFFF-]*[A-Za-z0-9_:\\%\u00B7\u00C0-\U000EFFFF-])?")
_LONG = {'"""': re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""', re.S),
         "'''": re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''", re.S)}
_SHORT = {'"': re.compile(r'"(?:[^"\\\n\r]|\\.)*"'), "'": re.compile(r"'(?:[^'\\\n\r]|\\.)*'")}
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
# Keywords that make pyoxigraph open an HTTP connection.
FETCHING = {"SERVICE": "SERVICE (federated query) is not allowed on this endpoint",
            "LOAD": "LOAD is not allowed on this endpoint"}


class RefusedQuery(InputError):
    """A query or update the public endpoint will not run (SERVICE, LOAD)."""


@dataclass(frozen=True)
class Token:
    """One lexical unit: ``kind`` is iri, var, string, name, word or punct."""

    kind: str
    text: str
    start: int

    @property
    def upper(self) -> str:
        return self.text.upper()


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def tokens(text: str) -> Iterator[Token]:
    """The tokens of a query or update (comments and whitespace dropped)."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "\"'":
            pattern = _LONG.get(text[i:i + 3]) or _SHORT[c]
            m = pattern.match(text, i)
            if m is None:  # unterminated: let the real parser report it
                yield Token("string", text[i:], i)
                return
            yield Token("string", m.group(), i)
            i = m.end()
            continue
        if c == "<" and (m := _IRI.match(text, i)):
            yield Token("iri", m.group(), i)
            i = m.end()
            continue
        if c in "?$" and (m := _VAR.match(text, i)):
            yield Token("var", m.group(), i)
            i = m.end()
            continue
        if m := _NAME.match(text, i):
            word = m.group()
            yield Token("name" if ":" in word else "word", word, i)
            i = m.end()
            continue
        yield Token("punct", c, i)
        i += 1


def refuse_fetching(text: str) -> None:
    """Raise :class:`RefusedQuery` if the text could make the store fetch a URL."""
    found = _fetching(text)
    if found is not None:
        reason, line, column = found
        raise RefusedQuery(reason, line=line, column=column)


def _absent(text: str, *keywords: str) -> bool:
    """True when no token can be (or hold) one of ``keywords``: the upper-cased text lacks
    them all (upper-casing is per character, so a token's upper case is inside the text's).
    Saves the tokenising of long generated queries (VALUES of 200 IRIs)."""
    upper = text.upper()
    return not any(k in upper for k in keywords)


@lru_cache(maxsize=4096)
def _fetching(text: str) -> tuple[str, int, int] | None:
    if _absent(text, *FETCHING):
        return None
    for tok in tokens(text):
        if tok.kind != "word":
            continue
        upper = tok.upper
        for keyword, reason in FETCHING.items():
            if keyword in upper:
                line, column = _position(text, tok.start + upper.index(keyword))
                return reason, line, column
    return None


@lru_cache(maxsize=4096)
def query_form(text: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` (None when the text has none)."""
    for tok in tokens(text):
        if tok.kind == "word" and tok.upper in FORMS:
            return tok.upper
    return None


@lru_cache(maxsize=4096)
def has_dataset_clause(text: str) -> bool:
    """True when the query has its own ``FROM`` / ``FROM NAMED``."""
    if _absent(text, "FROM"):
        return False
    depth = 0
    for tok in tokens(text):
        if tok.kind == "punct" and tok.text == "{":
            depth += 1
        elif tok.kind == "punct" and tok.text == "}":
            depth -= 1
        elif depth == 0 and tok.kind == "word" and tok.upper == "FROM":
            return True
    return False


@lru_cache(maxsize=4096)
def uses_graph(text: str) -> bool:
    """True when the query has a ``GRAPH`` pattern (the only way to read named graphs)."""
    if _absent(text, "GRAPH"):
        return False
    return any(tok.kind == "word" and tok.upper == "GRAPH" for tok in tokens(text))


def add_using(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """Apply the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` to an update.

    Each IRI is checked and written by pyoxigraph's term serialiser, then placed before the
    ``WHERE`` of every ``INSERT``/``DELETE … WHERE`` operation. An update that names its own
    dataset (``USING``, ``USING NAMED``, ``WITH``) is an error, as the protocol requires.
    """
    if not default_graphs and not named_graphs:
        return update
    clauses = [f"USING {_iri(g)}" for g in default_graphs]
    clauses += [f"USING NAMED {_iri(g)}" for g in named_graphs]
    inserts: list[int] = []
    depth = 0
    previous: Token | None = None
    for tok in tokens(update):
        if tok.kind == "punct" and tok.text == "{":
            depth += 1
        elif tok.kind == "punct" and tok.text == "}":
            depth -= 1
        elif depth == 0 and tok.kind == "word" and tok.upper in ("USING", "WITH"):
            line, column = _position(update, tok.start)
            raise InputError(f"the update has {tok.upper} and the request using-graph-uri or "
                             "using-named-graph-uri: use one or the other",
                             line=line, column=column)
        elif (depth == 0 and tok.kind == "word" and tok.upper == "WHERE"
              and previous is not None and previous.text == "}"):
            inserts.append(tok.start)
        previous = tok
    text = update
    for at in reversed(inserts):
        text = text[:at] + " ".join(clauses) + " " + text[at:]
    return text


def _iri(value: str) -> str:
    try:
        return str(ox.NamedNode(value))
    except ValueError as exc:
        raise InputError(f"not an absolute IRI: {value!r} ({exc})") from None


def syntax_error(exc: BaseException, *, source: str = "query") -> InputError:
    """pyoxigraph's ``SyntaxError`` as an :class:`InputError` with line and column."""
    message = str(exc.args[0]) if exc.args else str(exc)
    m = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if m:
        return InputError(m.group(3), source=source, line=int(m.group(1)),
                          column=int(m.group(2)))
    return InputError(message, source=source)
