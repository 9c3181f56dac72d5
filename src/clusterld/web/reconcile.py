"""The W3C Reconciliation Service API 0.2 at ``/reconcile`` (what OpenRefine speaks).

* ``GET /reconcile`` without queries: the service manifest;
* ``GET|POST /reconcile`` with ``queries=`` (a JSON batch): reconciliation;
  ``extend=`` (a JSON object): data extension;
* ``/reconcile/suggest/{entity,type,property}?prefix=…``: the suggest services;
* ``/reconcile/preview?id=…``: an HTML preview of an entity (every value escaped);
* ``/reconcile/properties?type=…``: properties proposed for data extension.

Entity identifiers are the entities' IRIs. The matching itself is :mod:`clusterld.reconcile`.
Every answer allows any origin (CORS), as the specification requires.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for

from clusterld import __version__, schema
from clusterld.reconcile import (
    CLD,
    PROPERTIES,
    PROPERTY_BY_ID,
    WIKIDATA,
    Candidate,
    Entry,
    Index,
    index_for,
    local_name,
)

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")
DEFAULT_TYPES = ("Cluster", "Association", "Network", "Organisation", "Person", "Place")
MAX_BATCH = 500


def _index() -> Index:
    return index_for(current_app.extensions["clusterld"])


def _lang() -> str:
    lang = request.args.get("lang") or request.accept_languages.best_match(["en", "fr"])
    return lang if lang in ("en", "fr") else "en"


def _service() -> str:
    return url_for("reconcile.endpoint", _external=True).rstrip("/")


def _error(message: str, status: int = 400) -> Response:
    response = jsonify({"status": "error", "message": message})
    response.status_code = status
    return response


def _param(name: str) -> str | None:
    """A parameter from the query string, a form body, or a JSON body."""
    value = request.values.get(name)
    if value is None and request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict) and name in body:
            found = body[name]
            value = found if isinstance(found, str) else json.dumps(found)
    return value


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    return response


@bp.route("", methods=["GET", "POST", "OPTIONS"], strict_slashes=False)
def endpoint() -> Response:
    """Manifest, reconciliation queries or data extension, depending on the parameters."""
    if request.method == "OPTIONS":
        return Response(status=204)
    queries, extend = _param("queries"), _param("extend")
    if queries is None and _param("query") is not None:
        single = _param("query") or ""
        try:
            parsed = json.loads(single)
        except ValueError:
            parsed = single
        one = parsed if isinstance(parsed, dict) else {"query": str(parsed)}
        return jsonify(_reconcile({"q0": one})["q0"])
    if queries is not None:
        try:
            batch = json.loads(queries)
        except ValueError as exc:
            return _error(f"'queries' is not JSON: {exc}")
        problem = _check_batch(batch)
        if problem:
            return _error(problem)
        return jsonify(_reconcile(batch))
    if extend is not None:
        try:
            body = json.loads(extend)
        except ValueError as exc:
            return _error(f"'extend' is not JSON: {exc}")
        if not isinstance(body, dict) or not isinstance(body.get("ids"), list) or not (
                isinstance(body.get("properties"), list)):
            return _error("'extend' needs 'ids' and 'properties' lists")
        return jsonify(_extend(body))
    return jsonify(manifest())


def _check_batch(batch: Any) -> str | None:
    if not isinstance(batch, dict):
        return "'queries' must be a JSON object of queries"
    if len(batch) > MAX_BATCH:
        return f"at most {MAX_BATCH} queries per batch"
    for key, query in batch.items():
        if not isinstance(query, dict):
            return f"query '{key}' must be an object"
        if "query" not in query and not query.get("properties"):
            return f"query '{key}' needs 'query' or 'properties'"
        if "query" in query and not isinstance(query["query"], str):
            return f"query '{key}': 'query' must be a string"
        props = query.get("properties", [])
        if not isinstance(props, list) or any(
                not isinstance(p, dict) or "pid" not in p or "v" not in p for p in props):
            return f"query '{key}': 'properties' must be a list of {{pid, v}}"
    return None


def manifest() -> dict[str, Any]:
    """The service manifest."""
    service = _service()
    index = _index()
    lang = _lang()
    return {
        "versions": ["0.2"],
        "name": "clusterld — industrial clusters of North Africa and the Mediterranean",
        "identifierSpace": index.base + "id/",
        "schemaSpace": schema.ONTOLOGY_NS,
        "documentation": service.rsplit("/", 1)[0] + "/",
        "serviceVersion": __version__,
        "view": {"url": "{{id}}"},
        "preview": {"url": f"{service}/preview?id={{{{id}}}}", "width": 400, "height": 160},
        "defaultTypes": [{"id": CLD + t, "name": index.label(CLD + t, lang)}
                         for t in DEFAULT_TYPES],
        "suggest": {
            "entity": {"service_url": service, "service_path": "/suggest/entity"},
            "type": {"service_url": service, "service_path": "/suggest/type"},
            "property": {"service_url": service, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": service, "service_path": "/properties"},
            "property_settings": [{"type": "number", "default": 0, "label": "Limit",
                                   "name": "limit",
                                   "help_text": "Maximum number of values (0: all)"}],
        },
    }


def _candidate(index: Index, c: Candidate, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": c.entry.iri,
        "name": c.entry.name(lang),
        "score": c.score,
        "match": c.match,
        "type": [{"id": t, "name": index.label(t, lang)} for t in c.entry.types],
        "features": [{"id": k, "value": v} for k, v in c.features.items()],
    }
    description = index.describe(c.entry, lang)
    if description:
        out["description"] = description
    return out


def _reconcile(batch: dict[str, Any]) -> dict[str, Any]:
    index, lang = _index(), _lang()
    return {key: {"result": [_candidate(index, c, lang) for c in index.search(query, lang)]}
            for key, query in batch.items()}


def _type_list() -> list[str]:
    raw = request.args.getlist("type") or []
    return [t for t in raw if t]


@bp.route("/suggest/entity")
def suggest_entity() -> Response:
    """Entities whose names start with (or contain) ``prefix``."""
    index, lang = _index(), _lang()
    limit, cursor = _int_arg("limit", 10), _int_arg("cursor", 0)
    found = index.suggest(request.args.get("prefix", ""), _type_list(), limit + cursor, lang)
    return jsonify({"result": [
        {"id": e.iri, "name": e.name(lang), "description": index.describe(e, lang),
         "notable": [{"id": t, "name": index.label(t, lang)} for t in e.types]}
        for e in found[cursor:cursor + limit]]})


@bp.route("/suggest/type")
def suggest_type() -> Response:
    """Classes whose label or name starts with (or contains) ``prefix``."""
    index, lang = _index(), _lang()
    key = request.args.get("prefix", "").strip().casefold()
    found = []
    for iri in sorted(index.classes, key=lambda i: index.label(i, lang).casefold()):
        names = [index.label(iri, lang).casefold(), local_name(iri).casefold(),
                 *(v.casefold() for v in index.classes[iri].values())]
        if not key or any(key in n for n in names):
            found.append({"id": iri, "name": index.label(iri, lang),
                          "description": f"clusterld class {local_name(iri)}"})
    return jsonify({"result": found[:_int_arg("limit", 10)]})


@bp.route("/suggest/property")
def suggest_property() -> Response:
    """Properties whose id or name contains ``prefix``."""
    key = request.args.get("prefix", "").strip().casefold()
    found = [{"id": p.id, "name": p.name, "description": p.description}
             for p in PROPERTIES
             if not key or key in p.id.casefold() or key in p.name.casefold()]
    return jsonify({"result": found[:_int_arg("limit", 10)]})


@bp.route("/properties")
def propose_properties() -> Response:
    """Properties proposed for data extension (of a type, when given)."""
    type_id = request.args.get("type", "")
    limit = _int_arg("limit", len(PROPERTIES))
    props = [{"id": p.id, "name": p.name, "description": p.description}
             for p in PROPERTIES][:limit]
    body: dict[str, Any] = {"properties": props, "limit": limit}
    if type_id:
        body["type"] = type_id
    return jsonify(body)


def _value(index: Index, prop_id: str, value: str, lang: str) -> dict[str, Any]:
    prop = PROPERTY_BY_ID[prop_id]
    if prop.kind == "wikidata":
        return {"str": value[len(WIKIDATA):] if value.startswith(WIKIDATA) else value}
    if prop.kind == "str":
        return {"str": value}
    return {"id": value, "name": index.label(value, lang)}


def _extend(body: dict[str, Any]) -> dict[str, Any]:
    index, lang = _index(), _lang()
    wanted = [p for p in body["properties"] if isinstance(p, dict) and p.get("id")]
    meta = []
    for p in wanted:
        prop = PROPERTY_BY_ID.get(str(p["id"]))
        entry: dict[str, Any] = {"id": str(p["id"]), "name": prop.name if prop else str(p["id"])}
        if prop and prop.id == "country":
            entry["type"] = {"id": CLD + "Country", "name": index.label(CLD + "Country", lang)}
        meta.append(entry)
    rows: dict[str, Any] = {}
    for iri in body["ids"]:
        iri = str(iri)
        found: Entry | None = index.entries.get(iri)
        row: dict[str, list[dict[str, Any]]] = {}
        for p in wanted:
            prop = PROPERTY_BY_ID.get(str(p["id"]))
            if prop is None or found is None:
                row[str(p["id"])] = []
                continue
            values = index.values(found, prop)
            limit = _setting_limit(p)
            if limit:
                values = values[:limit]
            row[prop.id] = [_value(index, prop.id, v, lang) for v in values]
        rows[iri] = row
    return {"meta": meta, "rows": rows}


def _setting_limit(prop: dict[str, Any]) -> int:
    settings = prop.get("settings") or {}
    try:
        return max(0, int(settings.get("limit", 0)))
    except (TypeError, ValueError, AttributeError):
        return 0


@bp.route("/preview")
def preview() -> Response:
    """A small HTML card of an entity, for OpenRefine's preview pane."""
    iri = request.args.get("id", "")
    if not iri:
        abort(400, description="give the entity's IRI as ?id=")
    index, lang = _index(), _lang()
    entry = index.entries.get(iri)
    if entry is None:
        abort(404, description="no such entity")
    rows = [("type", ", ".join(index.label(t, lang) for t in entry.types))]
    for prop_id in ("country", "sector", "memberOf", "acronym"):
        values = index.values(entry, PROPERTY_BY_ID[prop_id])
        if values:
            rows.append((PROPERTY_BY_ID[prop_id].name, ", ".join(
                v if PROPERTY_BY_ID[prop_id].kind == "str" else index.label(v, lang)
                for v in values)))
    wikidata = "".join(
        f'<a href="{escape(v)}" target="_blank" rel="noopener">{escape(local_name(v))}</a>'
        for v in index.values(entry, PROPERTY_BY_ID["wikidata"]))
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    if wikidata:
        items += f"<dt>Wikidata</dt><dd>{wikidata}</dd>"
    html = (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
        f"<title>{escape(entry.name(lang))}</title></head>"
        "<body style=\"font:13px sans-serif;margin:0;padding:6px\">"
        f"<a href=\"{escape(entry.iri)}\" target=\"_blank\"><b>{escape(entry.name(lang))}</b></a>"
        f"<dl style=\"margin:4px 0\">{items}</dl></body></html>")
    return Response(html, mimetype="text/html")


def _int_arg(name: str, default: int) -> int:
    try:
        return max(0, min(int(request.args.get(name, default)), 100))
    except (TypeError, ValueError):
        return default
