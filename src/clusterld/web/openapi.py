"""The OpenAPI 3.1 description of the server's HTTP API (served at ``/openapi.json``)."""

from __future__ import annotations

from typing import Any

from clusterld import results

RDF = list(results.GRAPH_TYPES)
TABLE = list(results.RESULT_TYPES)


def _content(types: list[str]) -> dict[str, Any]:
    return {t: {"schema": {"type": "string"}} for t in types}


def _op(summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "responses": responses, **extra}


def _param(name: str, where: str, description: str, *, required: bool = False,
           many: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if many:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": where, "required": required, "description": description,
            "schema": schema}


ERRORS = {
    "400": {"description": "Bad request (syntax error with line and column, SERVICE refused)"},
    "404": {"description": "Unknown IRI or graph"},
    "406": {"description": "No acceptable format; the body lists the available ones"},
    "503": {"description": "Query time limit reached (the query was stopped)"},
}
WRITE_ERRORS = {"401": {"description": "Missing or wrong bearer token"},
                "403": {"description": "The server is read-only (no token configured)"}}
FORMAT = _param("format", "query", "Overrides Accept: json, xml, csv, tsv, ttl, jsonld, nt, "
                "rdf, trig, nq")
DATASET = [_param("default-graph-uri", "query", "Default graph IRIs", many=True),
           _param("named-graph-uri", "query", "Named graph IRIs", many=True)]


def spec(server: str, version: str) -> dict[str, Any]:
    """The OpenAPI document for a server at ``server``."""
    answer = {"200": {"description": "Results", "content": _content(TABLE + RDF)}, **ERRORS}
    graph_param = [_param("graph", "query", "Graph IRI"),
                   _param("default", "query", "The default graph (no value)")]
    return {
        "openapi": "3.1.0",
        "info": {"title": "clusterld", "version": version,
                 "description": "Linked data of the industrial clusters of North Africa and "
                                "the Mediterranean: SPARQL 1.1, dereferenceable IRIs, dumps.",
                 "license": {"name": "CC BY 4.0 (data), Apache-2.0 (code)"}},
        "servers": [{"url": server}],
        "components": {"securitySchemes": {"maintainer": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/sparql": {
                "get": _op("SPARQL query; without a query, the Service Description", answer,
                           parameters=[_param("query", "query", "SPARQL query"), *DATASET,
                                       _param("timeout", "query", "Lower time limit (s)"),
                                       FORMAT]),
                "post": _op("SPARQL query (form or application/sparql-query) or update "
                            "(form or application/sparql-update; bearer token)",
                            {**answer, "204": {"description": "Update done"}, **WRITE_ERRORS},
                            parameters=DATASET, requestBody={"content": {
                                "application/sparql-query": {"schema": {"type": "string"}},
                                "application/sparql-update": {"schema": {"type": "string"}},
                                "application/x-www-form-urlencoded": {"schema": {
                                    "type": "object", "properties": {
                                        "query": {"type": "string"},
                                        "update": {"type": "string"}}}}}}),
            },
            "/graph-store": {
                "get": _op("A whole graph", {"200": {"description": "The graph",
                                                     "content": _content(RDF)}, **ERRORS},
                           parameters=graph_param),
                "put": _op("Replace a graph", {"201": {"description": "Created"},
                                               "204": {"description": "Replaced"},
                                               **WRITE_ERRORS},
                           parameters=graph_param, security=[{"maintainer": []}]),
                "post": _op("Add to a graph", {"204": {"description": "Added"},
                                               **WRITE_ERRORS},
                            parameters=graph_param, security=[{"maintainer": []}]),
                "delete": _op("Drop a graph", {"204": {"description": "Dropped"},
                                               **WRITE_ERRORS},
                              parameters=graph_param, security=[{"maintainer": []}]),
            },
            "/id/{path}": {"get": _op(
                "An entity IRI: 303 to its page or data document by Accept",
                {"303": {"description": "See Other"}, **ERRORS},
                parameters=[_param("path", "path", "kind/slug", required=True), FORMAT])},
            "/vocab/{path}": {"get": _op(
                "A concept IRI: 303 to its page or data document",
                {"303": {"description": "See Other"}, **ERRORS},
                parameters=[_param("path", "path", "scheme/name", required=True), FORMAT])},
            "/data/{path}.{ext}": {"get": _op(
                "Data document of an entity: its triples, labels of its neighbours, incoming "
                "links and provenance", {"200": {"description": "RDF",
                                                 "content": _content(RDF)}, **ERRORS},
                parameters=[_param("path", "path", "kind/slug", required=True),
                            _param("ext", "path", "ttl, jsonld, nt, rdf, trig, nq",
                                   required=True)])},
            "/ontology": {"get": _op("The ontology", {"200": {"description": "RDF"}})},
            "/shapes": {"get": _op("The SHACL shapes", {"200": {"description": "RDF"}})},
            "/downloads": {"get": _op("The dumps with size, SHA-256 and license",
                                      {"200": {"description": "HTML or JSON"}})},
            "/download/{name}": {"get": _op("One dump", {"200": {"description": "The file"}},
                                            parameters=[_param("name", "path", "File name",
                                                               required=True)])},
            "/.well-known/void": {"get": _op("VoID description", {"200": {"description": "RDF"}})},
            "/catalog": {"get": _op("DCAT catalogue", {"200": {"description": "RDF"}})},
            "/healthz": {"get": _op("Liveness", {"200": {"description": "JSON"}})},
            **contribution_paths(),
        },
    }


RDF_BODY = {"content": {**{t: {"schema": {"type": "string"}} for t in RDF},
                        "multipart/form-data": {"schema": {"type": "object", "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "data": {"type": "string"}, "format": {"type": "string"}}}},
                        "application/x-www-form-urlencoded": {"schema": {
                            "type": "object", "properties": {
                                "data": {"type": "string"}, "format": {"type": "string"}}}}}}
LANG = _param("lang", "query", "Language of the messages: en or fr (else Accept-Language)")
REPORT = {"description": "The SHACL report (JSON, or the sh:ValidationReport graph)",
          "content": _content(["application/json", *RDF])}
CONTRIB_ERRORS = {"400": {"description": "Malformed RDF (line and column) or a refused "
                                         "triple (schema, owl:sameAs, named graph, ...)"},
                  "413": {"description": "Larger than the contribution size limit"},
                  "415": {"description": "Unknown body media type"}}
ID = _param("id", "path", "Contribution id", required=True)
MAINTAINER = [{"maintainer": []}]


def contribution_paths() -> dict[str, Any]:
    """The validation service and the contributions API (issue 4)."""
    meta = [_param(n, "query", d) for n, d in (
        ("author", "Who sends it (recorded, optional)"),
        ("source", "Source: a URL/IRI or a source document id such as 002; never fetched"),
        ("comment", "A note for the maintainers"))]
    return {
        "/validate": {"post": _op(
            "Validate RDF as an addition to the graph (SHACL; 200 whether or not it conforms)",
            {"200": REPORT, "429": {"description": "Too many validations"}, **CONTRIB_ERRORS},
            parameters=[LANG], requestBody=RDF_BODY)},
        "/contributions": {
            "post": _op("Submit a contribution: 201 pending when it conforms, else 422 with "
                        "the report; nothing stored on 4xx",
                        {"201": {"description": "Stored as pending (Location)"},
                         "422": REPORT, "429": {"description": "Too many submissions"},
                         **CONTRIB_ERRORS},
                        parameters=[LANG, *meta], requestBody=RDF_BODY),
            "get": _op("The contributions (maintainers)",
                       {"200": {"description": "JSON list"}, **WRITE_ERRORS},
                       parameters=[_param("status", "query", "pending, accepted or rejected")],
                       security=MAINTAINER)},
        "/contributions/{id}": {"get": _op(
            "One contribution: metadata and diff (JSON) or its graph and PROV (RDF)",
            {"200": {"description": "JSON or RDF"}, "404": {"description": "Unknown id"},
             **WRITE_ERRORS}, parameters=[ID], security=MAINTAINER)},
        "/contributions/{id}/accept": {"post": _op(
            "Re-validate against the current graph and merge it",
            {"200": {"description": "Accepted"}, "404": {"description": "Unknown id"},
             "409": {"description": "Not pending, or no longer conforms (with the report)"},
             **WRITE_ERRORS}, parameters=[ID, LANG], security=MAINTAINER)},
        "/contributions/{id}/reject": {"post": _op(
            "Reject with a reason (form or JSON field 'reason'); the contribution is kept",
            {"200": {"description": "Rejected"}, "400": {"description": "No reason"},
             "404": {"description": "Unknown id"}, "409": {"description": "Not pending"},
             **WRITE_ERRORS}, parameters=[ID], security=MAINTAINER)},
    }
