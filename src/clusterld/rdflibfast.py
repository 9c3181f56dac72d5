"""A lever on rdflib's Turtle/TriG/JSON-LD writers: prefix lookups in O(IRI length).

To write ``ns1:name`` rdflib looks for the longest known namespace of every IRI in a trie
whose levels are plain dicts scanned key by key (``get_longest_namespace``). Every namespace it
meets while writing becomes a key (``…/id/org/x/figure/``, ``…/id/source/042#``, …), so at
1M triples a level holds thousands of keys and each IRI costs a scan: writing the Turtle and
TriG dumps took ≈18 minutes at 1M (17 s at 100k). Since no key of a level is a prefix of
another key of that level (``insert_trie`` keeps them so), the key matching an IRI is found by
looking up its prefixes in the dict instead: the same answer, without the scan. Keys are kept
as plain ``str`` so that those lookups hit (rdflib's ``URIRef`` never equals a ``str``).
"""

from __future__ import annotations

from typing import Any

from rdflib import namespace as _ns

_ORIGINAL_INSERT = _ns.insert_trie
_ORIGINAL_LONGEST = _ns.get_longest_namespace


def insert_trie(trie: dict[str, Any], value: str) -> dict[str, Any]:
    """rdflib's ``insert_trie`` with the key stored as a plain ``str``."""
    return _ORIGINAL_INSERT(trie, str(value))


def get_longest_namespace(trie: dict[str, Any], value: str) -> str | None:
    """The longest namespace of ``trie`` that ``value`` starts with (as rdflib's), found by
    dict lookups of ``value``'s prefixes: at most one key per level can match."""
    text = str(value)
    found: str | None = None
    level = trie
    start = 1
    while level:
        for end in range(start, len(text) + 1):
            key = text[:end]
            if key in level:
                found, level, start = key, level[key], end + 1
                break
        else:
            break
    return found


def install() -> None:
    """Use the functions above in rdflib (idempotent; output unchanged)."""
    _ns.insert_trie = insert_trie
    _ns.get_longest_namespace = get_longest_namespace
