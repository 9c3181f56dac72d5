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
        },
    }
