"""SPARQL text for stores that cannot bind variables: terms, VALUES blocks, default-graph updates.

A remote store gets no ``substitutions=``: values are written into the query as N-Triples
terms by :func:`nt` — the one function that turns a term into SPARQL text — inside a
``VALUES`` clause (:func:`bind_values`). Blank nodes are refused: a label in a query is a new
variable-like node, not the store's node. :func:`default_graph_update` points an update's
default-graph parts at the named graph that stands for clusterld's default graph on a remote
store (Virtuoso, Neptune make their own default graph the union of all graphs).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox

from clusterld.errors import InputError
from clusterld.sparqltext import Token, tokens

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
OPERATIONS = {"INSERT", "DELETE", "WITH", "CLEAR", "DROP", "ADD", "MOVE", "COPY", "CREATE",
              "LOAD"}
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
            "\f": "\\f"}


def _iri(value: str) -> str:
    # ox.NamedNode has checked the IRI: no spaces, no <>"{}|^`\ — nothing to escape.
    return f"<{value}>"


def _string(value: str) -> str:
    return '"' + "".join(_ESCAPES.get(c, c) for c in value) + '"'


def nt(term: Any) -> str:
    """The SPARQL (N-Triples) text of an IRI or literal term; TypeError for anything else."""
    if isinstance(term, ox.NamedNode):
        return _iri(ox.NamedNode(term.value).value)
    if isinstance(term, ox.Literal):
        text = _string(term.value)
        if term.language:
            return f"{text}@{term.language}"
        datatype = term.datatype.value
        return text if datatype == XSD_STRING else f"{text}^^{_iri(datatype)}"
    if isinstance(term, ox.BlankNode):
        raise TypeError("a blank node cannot be sent to a remote store (its label would be "
                        "a new node there)")
    raise TypeError(f"not an RDF term: {term!r}")


def values_clause(bindings: Mapping[str, Any]) -> str:
    """``VALUES (?a ?b) { (t1 t2) }``; empty text for no bindings.

    A value that is a list or tuple gets its own block with one solution per term
    (``{"s": [a, b]}`` → ``VALUES ?s { a b }``, the form every store we test parses alike;
    several blocks join as every combination); an empty list gives no solution at all.
    """
    if not bindings:
        return ""
    singles: list[tuple[str, Any]] = []
    blocks: list[str] = []
    for name, value in bindings.items():
        variable = name.lstrip("?$")
        ox.Variable(variable)  # raises ValueError on a bad name
        if isinstance(value, list | tuple):
            blocks.append(f"VALUES ?{variable} {{ {' '.join(nt(t) for t in value)} }}")
        else:
            singles.append(("?" + variable, value))
    if singles:
        names = " ".join(n for n, _ in singles)
        terms = " ".join(nt(t) for _, t in singles)
        blocks.insert(0, f"VALUES ({names}) {{ ({terms}) }}")
    return " ".join(blocks)


def _where_group(toks: list[Token]) -> tuple[int, int] | None:
    """Token indexes of the ``{`` and ``}`` of the query's WHERE group: the last top-level
    group that is not a VALUES block (a CONSTRUCT template comes before it)."""
    found, i, values = None, 0, False
    while i < len(toks):
        tok = toks[i]
        if tok.kind == "word" and tok.upper == "VALUES":
            values = True
        elif tok.kind == "punct" and tok.text == "{":
            end = _matching(toks, i)
            if not values:
                found = (i, end)
            values, i = False, end
        i += 1
    return found


def bind_values(query: str, bindings: Mapping[str, Any]) -> str:
    """The query with its variables bound by a VALUES block, as pyoxigraph's
    ``substitutions`` bind them (before filters, grouping and projection).

    The block opens the WHERE group — ``WHERE { VALUES (?v) { (term) } group }`` — so the
    group's FILTERs (and OPTIONALs' filters) see the values. When a bound variable is the
    target of a BIND (``BIND(… AS ?v)``, illegal once ``?v`` is in scope) the group is wrapped
    instead: ``WHERE { { group } VALUES … }``, a join that filters like a substitution. (Some
    stores (Virtuoso) refuse a VALUES clause after ASK and mishandle one after the query,
    hence VALUES inside the WHERE group.)"""
    clause = values_clause(bindings)
    if not clause:
        return query
    start, end, wrap = _bind_point(query, frozenset(n.lstrip("?$") for n in bindings))
    if wrap:
        return f"{query[:start + 1]} {{ {query[start + 1:end]} }} {clause} {query[end:]}"
    return f"{query[:start + 1]} {clause} {query[start + 1:]}"


@functools.lru_cache(maxsize=1024)
def _bind_point(query: str, names: frozenset[str]) -> tuple[int, int, bool]:
    """Where the WHERE group of ``query`` opens and closes, and whether it must be wrapped
    (a BIND targets a bound variable); kept per query text (pages reuse a few dozen)."""
    toks = list(tokens(query))
    where = _where_group(toks)
    if where is None:
        raise ValueError("no WHERE group to bind values in")
    wrap = bool(_bind_targets(toks) & {"?" + name for name in names})
    return toks[where[0]].start, toks[where[1]].start, wrap


def bind_values_or_filter(query: str, bindings: Mapping[str, Any]) -> str:
    """For stores whose VALUES breaks beside a BIND (Virtuoso 7.2 crashes on VALUES joined
    with a group that has BIND): :func:`bind_values` unless the query has a BIND and a
    single value to bind, else :func:`bind_filter`. (Lists keep their ``VALUES ?v { … }``
    blocks: Virtuoso answers those, and a FILTER over a list of IRIs wrongly.)"""
    if any(isinstance(v, list | tuple) for v in bindings.values()):
        return bind_values(query, bindings)
    if any(tok.kind == "word" and tok.upper == "BIND" for tok in tokens(query)):
        return bind_filter(query, bindings)
    return bind_values(query, bindings)


def _bind_targets(toks: list[Token]) -> set[str]:
    """Variables named after ``AS`` (BIND and projection expressions), as ``?name``."""
    return {"?" + toks[i + 1].text.lstrip("?$") for i in range(len(toks) - 1)
            if toks[i].kind == "word" and toks[i].upper == "AS"
            and toks[i + 1].text[:1] in "?$"}


def _equals(variable: str, term: Any) -> str:
    """A FILTER condition: ``?variable`` is ``term`` (compared by lexical form, language and
    datatype, not by value: "01"^^xsd:int is not "1"^^xsd:int)."""
    if isinstance(term, ox.NamedNode):
        return f"sameTerm({variable}, {nt(term)})"
    if not isinstance(term, ox.Literal):
        nt(term)  # raises TypeError
    if term.language or term.datatype.value == XSD_STRING:
        # RDFterm-equal for strings: a different language (or none) is not equal. (No
        # LANG(): Virtuoso fails on it for a BIND result.)
        return f"({variable} = {nt(term)})"
    return (f"(isLiteral({variable}) && STR({variable}) = {_string(term.value)} && "
            f"DATATYPE({variable}) = {nt(term.datatype)})")


def bind_filter(query: str, bindings: Mapping[str, Any]) -> str:
    """The query with its variables bound by a FILTER at the end of its WHERE group — for
    stores whose VALUES is unreliable (Virtuoso 7.2 crashes on VALUES joined with a group
    that has BIND). Each bound variable must occur in the WHERE group."""
    if not bindings:
        return query
    conditions = []
    for name, term in bindings.items():
        variable = name.lstrip("?$")
        ox.Variable(variable)
        conditions.append(_equals("?" + variable, term))
    toks = list(tokens(query))
    where = _where_group(toks)
    if where is None:
        raise ValueError("no WHERE group to bind values in")
    end = toks[where[1]].start
    return f"{query[:end]} FILTER({' && '.join(conditions)}) {query[end:]}"


def _matching(toks: list[Token], i: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``toks[i]``."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].kind == "punct" and toks[j].text in "{}":
            depth += 1 if toks[j].text == "{" else -1
            if depth == 0:
                return j
    return len(toks) - 1


def _wrap_runs(text: str, toks: list[Token], start: int, end: int, graph: str,
               edits: list[tuple[int, int, str]]) -> None:
    """Wrap the triples of a quad block ``toks[start] … toks[end]`` ({ … }) that sit outside
    any GRAPH block into ``GRAPH graph { … }``."""
    runs: list[tuple[int, int]] = []
    i, run = start + 1, None
    while i < end:
        tok = toks[i]
        if tok.kind == "word" and tok.upper == "GRAPH":
            if run is not None:
                runs.append(run)
                run = None
            j = i + 1
            while j < end and not (toks[j].kind == "punct" and toks[j].text == "{"):
                j += 1
            i = _matching(toks, j) + 1
            continue
        stop = tok.start + len(tok.text)
        run = (tok.start, stop) if run is None else (run[0], stop)
        i += 1
    if run is not None:
        runs.append(run)
    edits += [(a, b, f"GRAPH {graph} {{ {text[a:b]} }}") for a, b in runs]


def default_graph_update(update: str, graph: str, graphs: Iterable[str] = ()) -> str:
    """The update with the store's default graph replaced by the named graph ``graph``.

    Triples outside ``GRAPH`` in ``INSERT DATA``/``DELETE DATA``/``DELETE WHERE`` blocks and
    in the templates of an operation without ``WITH`` are wrapped in ``GRAPH graph``; an
    ``INSERT``/``DELETE … WHERE`` without ``WITH`` or ``USING`` gets ``WITH graph``;
    ``DEFAULT`` in graph management operations becomes the graph, and ``ALL``/``NAMED`` the
    list ``graphs`` (so a shared store's other graphs are never touched).
    """
    target = nt(ox.NamedNode(graph))
    toks = list(tokens(update))
    edits: list[tuple[int, int, str]] = []
    i, op_start, op_words = 0, -1, set()
    modify_templates: list[tuple[int, int]] = []
    while i <= len(toks):
        tok = toks[i] if i < len(toks) else None
        if tok is None or (tok.kind == "punct" and tok.text == ";"):
            if "MODIFY" in op_words and "WITH" not in op_words:
                for a, b in modify_templates:
                    _wrap_runs(update, toks, a, b, target, edits)
                if "USING" not in op_words and op_start >= 0:
                    edits.append((toks[op_start].start, toks[op_start].start,
                                  f"WITH {target} "))
            op_start, op_words, modify_templates = -1, set(), []
            i += 1
            continue
        upper = tok.upper if tok.kind == "word" else ""
        if op_start < 0 and upper in OPERATIONS:
            op_start = i  # after the prologue (BASE, PREFIX)
        if upper in ("WITH", "USING"):
            op_words.add(upper)
        if upper in ("CLEAR", "DROP", "ADD", "MOVE", "COPY", "CREATE", "LOAD"):
            op_words.add("MANAGE")
        if "MANAGE" in op_words and upper in ("DEFAULT", "ALL", "NAMED"):
            if upper == "DEFAULT":
                verb = toks[op_start].upper
                edits.append((tok.start, tok.start + len(tok.text),
                              f"GRAPH {target}" if verb in ("CLEAR", "DROP") else target))
            else:
                verb, silent = toks[op_start].upper, "SILENT " if "SILENT" in {
                    t.upper for t in toks[op_start:i]} else ""
                names = ([graph] if upper == "ALL" else []) + list(graphs)
                parts = [f"{verb} {silent}GRAPH {nt(ox.NamedNode(g))}" for g in names]
                edits.append((toks[op_start].start, tok.start + len(tok.text),
                              " ; ".join(parts) or "INSERT DATA {}"))
        if tok.kind == "punct" and tok.text == "{":
            end = _matching(toks, i)
            before = [t.upper for t in toks[max(op_start, 0, i - 2):i] if t.kind == "word"]
            if before[-1:] == ["DATA"] or before[-2:] == ["DELETE", "WHERE"]:
                _wrap_runs(update, toks, i, end, target, edits)
            elif before[-1:] in (["INSERT"], ["DELETE"]):
                op_words.add("MODIFY")
                modify_templates.append((i, end))
            i = end + 1
            continue
        i += 1
    text = update
    for a, b, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:a] + new + text[b:]
    return text


STORE_EXTENSIONS = ("bif:", "sql:")  # Virtuoso's built-in and SQL functions (file access, …)


def refuse_store_extensions(text: str) -> None:
    """InputError if the query or update names a store's own function namespace (Virtuoso
    runs ``bif:``/``sql:`` IRIs as built-in procedures, some of which read files or URLs)."""
    for tok in tokens(text):
        value = tok.text[1:-1] if tok.kind == "iri" else tok.text if tok.kind == "name" else ""
        if value.lower().startswith(STORE_EXTENSIONS):
            line = text.count("\n", 0, tok.start) + 1
            column = tok.start - (text.rfind("\n", 0, tok.start) + 1) + 1
            raise InputError(f"{value.split(':')[0]}: functions of the store are not allowed",
                             line=line, column=column)


def check_update(update: str) -> None:
    """Raise SyntaxError (pyoxigraph's, with line and column) if the update does not parse."""
    try:
        ox.Store().update(update)  # an empty in-memory store: parses, then does nothing much
    except SyntaxError:
        raise
    except (OSError, ValueError, RuntimeError):
        pass  # e.g. COPY from a graph this empty store lacks: the syntax was fine


def check_query(query: str, base_iri: str | None = None) -> None:
    """Raise SyntaxError if the query does not parse (evaluation is lazy: nothing runs)."""
    try:
        ox.Store().query(query, base_iri=base_iri)
    except SyntaxError:
        raise
    except (OSError, ValueError, RuntimeError):
        pass  # e.g. a function pyoxigraph lacks: the syntax was fine, the store decides


def refuse_blank(terms: Iterable[Any]) -> None:
    """InputError if a term is a blank node (a remote store cannot be asked about one)."""
    for term in terms:
        if isinstance(term, ox.BlankNode):
            raise InputError("blank nodes cannot be looked up in a remote store")
