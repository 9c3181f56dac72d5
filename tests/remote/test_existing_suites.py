"""Existing tests of the store API, the endpoint, linked data and the Graph Store Protocol,
run again on each remote store: their ``kg``/``app``/``rw_app`` fixtures are replaced here
by remote-backed ones (the apps open the store from ``CLUSTERLD_STORE`` = the store's URL
and load tests/fixtures/mini.trig into it, as ``clusterld serve --store URL FILE`` does).

Left out, with the reason: tests of the embedded machinery itself (worker processes,
checkpoints, on-disk directories, read-only RocksDB), which a remote store does not have.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from clusterld.store import KnowledgeGraph
from tests.conftest import MINI, TOKEN, make_app
from tests.remote.conftest import open_kg, server
from tests.test_store import (  # noqa: F401 - collected here again
    test_class_counts,
    test_describe_keeps_graphs_on_request,
    test_instances_filters_and_paging,
    test_label_languages,
    test_list_substitutions_bind_each_value,
    test_substitutions_bind_values,
    test_union_view_is_a_set,
)
from tests.web.test_gsp import (  # noqa: F401
    test_bad_payloads,
    test_put_post_get_delete,
    test_read_is_public,
    test_writes_need_token,
)
from tests.web.test_ld import (  # noqa: F401
    test_concept_dereferences,
    test_data_document,
    test_data_document_etag,
    test_data_without_extension_negotiates,
    test_entity_iri_303,
    test_hostile_paths,
    test_ontology,
    test_page_redirect_keeps_language,
    test_shapes,
    test_struct_node_dereferences,
    test_unknown_iri_404_in_negotiated_format,
)
from tests.web.test_sparql import (  # noqa: F401
    test_ask,
    test_bad_timeout_parameter,
    test_construct_formats,
    test_cors_and_caching,
    test_dataset_parameters,
    test_describe,
    test_format_parameter_overrides_accept,
    test_from_clause,
    test_get_select_json,
    test_graph_sees_named_graphs_not_the_union_copy,
    test_gzip,
    test_load_refused_even_for_maintainer,
    test_post_form_and_direct,
    test_protocol_errors,
    test_select_formats,
    test_select_not_acceptable_names_formats,
    test_service_description,
    test_service_refused,
    test_service_word_in_strings_and_iris_is_fine,
    test_syntax_error_has_line_and_column,
    test_token_constant_is_not_leaked,
    test_union_counts_are_set_counts,
    test_update_needs_token,
    test_update_syntax_error,
    test_update_with_token_is_visible_to_queries,
)


@pytest.fixture(scope="module")
def kg(backend: str, servers, tmp_path_factory: pytest.TempPathFactory
       ) -> Iterator[KnowledgeGraph]:
    graph = open_kg(backend, servers, tmp_path_factory.mktemp("kg"))
    graph.load([MINI], replace=True)
    yield graph
    graph.close()


def _remote_app(backend: str, servers, folder: Path, **config: object) -> Flask:
    srv = server(servers, backend)
    settings: dict[str, object] = {"CLUSTERLD_STORE": srv.url}
    if srv.user:
        settings.update(CLUSTERLD_STORE_USER=srv.user, CLUSTERLD_STORE_PASSWORD=srv.password)
    settings.update(config)
    return make_app(folder, **settings)


@pytest.fixture(scope="module")
def app(backend: str, servers, tmp_path_factory: pytest.TempPathFactory,
        kg: KnowledgeGraph) -> Iterator[Flask]:
    app = _remote_app(backend, servers, tmp_path_factory.mktemp("app"))
    yield app
    app.extensions["clusterld"].close()


@pytest.fixture
def rw_app(backend: str, servers, tmp_path: Path, app: Flask) -> Iterator[Flask]:
    """A writable app on the same store; the store is reloaded after the test, for the
    read-only ``app`` of the module."""
    rw = _remote_app(backend, servers, tmp_path / "rw", CLUSTERLD_TOKEN=TOKEN)
    yield rw
    rw.extensions["clusterld"].load([MINI], replace=True)
    rw.extensions["clusterld"].close()

