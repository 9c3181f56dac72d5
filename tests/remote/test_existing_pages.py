"""tests/web/test_pages.py rerun on each remote store (its ``pages_app`` replaced)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from clusterld.web import create_app
from tests.remote.conftest import open_kg
from tests.web import pagedata
from tests.web.test_pages import (  # noqa: F401
    test_assets_are_served,
    test_class_page_filters,
    test_class_page_includes_subclasses,
    test_class_page_paging,
    test_classes_tree,
    test_concept_page,
    test_editor_page,
    test_entity_label_falls_back_to_other_language,
    test_entity_labels_per_language,
    test_home_page_counts_wikidata_links_per_class,
    test_home_page_examples,
    test_home_page_figures,
    test_inverse_links_counted_and_paged,
    test_jsonld_is_schema_org_and_cannot_break_out,
    test_links_resolve_on_the_server,
    test_literal_markup_is_escaped,
    test_nested_figure_inline,
    test_property_names_and_definitions_from_ontology,
    test_provenance_box,
    test_search,
    test_source_document_page,
    test_unknown_entity_is_html_404,
    test_wikidata_editor_and_data_links,
)


@pytest.fixture(scope="module")
def pages_app(backend: str, servers, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[Flask]:
    """tests/web/test_pages.py's app, on the remote store."""
    folder = tmp_path_factory.mktemp("pages")
    data = folder / "pages.trig"
    data.write_text(pagedata.trig(), encoding="utf-8")
    graph = open_kg(backend, servers, folder, base=pagedata.BASE)
    graph.load([data], replace=True)
    app = create_app({"TESTING": True, "CLUSTERLD_KG": graph, "CLUSTERLD_BASE": pagedata.BASE,
                      "CLUSTERLD_BUILD_DIR": str(folder / "out")})
    yield app
    graph.close()


@pytest.fixture
def pages_client(pages_app: Flask):
    return pages_app.test_client()


VIRTUOSO_DEVIATES = {
    "test_class_page_filters": "Virtuoso: two zero-or-more property paths (country and sector "
                               "filters) and a FILTER in one group give extra rows",
}


@pytest.fixture(autouse=True)
def _known_deviations(request: pytest.FixtureRequest, backend: str) -> None:
    reason = VIRTUOSO_DEVIATES.get(request.node.originalname)
    if backend == "virtuoso" and reason:
        request.node.add_marker(pytest.mark.xfail(reason=reason + " (not every run)",
                                                  strict=False))
