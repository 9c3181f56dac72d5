"""The contribution page in a real browser (Debian's chromium driven by Playwright).

Same server, browser and skip/fail rules as ``test_browser.py`` (its fixtures are reused): the
agreement form generated from the shapes is filled with one party, and the live validation
shows the "at least 2" message beside the party field; a second existing party makes it go;
submitting answers an id. Malformed Turtle pasted in the other tab shows its line number.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from tests.browser.test_browser import (  # noqa: F401  (fixtures)
    data_file,
    playwright_browser,
    screenshots,
    server,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ID_NS = "https://w3id.org/clusterld/id/"
CLD = "https://w3id.org/clusterld/ontology#"
ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$")
PARTY = "#f-agreement-agreement-party"
PARTY_MESSAGES = "#m-agreement-agreement-party li"


def preview(page, case: str) -> Graph:
    """The Turtle the form shows (and sends), parsed."""
    return Graph().parse(data=page.locator(f"#preview-{case}").text_content(), format="turtle")


def pick(page, selector: str, name: str) -> None:
    """Type a name into an entity picker and wait for the suggestion that names it."""
    page.fill(selector, name)
    page.wait_for_function(
        "([s, n]) => { const i = document.querySelector(s); const l = i && i.list;"
        " return !!l && [...l.options].some(o => o.value === n); }",
        arg=[selector, name], timeout=10_000)


def test_agreement_form_live_validation_and_submission(playwright_browser, server: str,  # noqa: F811
                                                        screenshots: Path) -> None:  # noqa: F811
    page = playwright_browser.new_page(viewport={"width": 1280, "height": 1000})
    outside: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((server, "data:")) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/contribute?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("label[for='f-agreement-agreement-party-0']").inner_text().startswith(
        "Party")

    # one party: the minCount 2 message appears beside the party field
    page.fill("#f-agreement-agreement-prefLabel-0", "Browser test agreement")
    pick(page, f"{PARTY}-0", "Mechatronic Cluster of Tunisia")
    page.wait_for_selector(f"{PARTY_MESSAGES}:has-text('at least 2')", timeout=15_000)
    assert "cluster/ce3m" in page.locator("#preview-agreement").text_content()
    page.screenshot(path=str(screenshots / "contribute-one-party.png"), full_page=True)

    # a second existing party: the message goes
    page.click(".field[data-key='agreement-party'] button.add-value")
    second = page.locator(".field[data-key='agreement-party'] input[data-role=value]").nth(1)
    second_id = "#" + second.get_attribute("id")
    pick(page, second_id, "Sample Association")
    page.wait_for_function(
        "s => ![...document.querySelectorAll(s)].some(li => li.textContent.includes('at least'))"
        " && document.querySelector('#summary-agreement').textContent.trim() !== ''",
        arg=PARTY_MESSAGES, timeout=15_000)
    graph = preview(page, "agreement")
    agreement = URIRef(ID_NS + "agreement/browser-test-agreement")
    assert set(graph.objects(agreement, URIRef(CLD + "party"))) == {
        URIRef(ID_NS + "cluster/ce3m"), URIRef(ID_NS + "association/sample")}

    # a signature: a node minted under the agreement, linked by cld:hasSignature
    pick(page, "#f-agreement-signature-signatory-0", "Jane Doe")
    pick(page, "#f-agreement-signature-onBehalfOf-0", "Mechatronic Cluster of Tunisia")
    page.wait_for_function(
        "() => document.querySelector('#preview-agreement').textContent.includes('/signature/')"
        " && !!document.querySelector('#summary-agreement .contrib-ok')", timeout=15_000)
    signature = URIRef(ID_NS + "agreement/browser-test-agreement/signature/jane-doe")
    graph = preview(page, "agreement")
    assert (agreement, URIRef(CLD + "hasSignature"), signature) in graph
    assert (signature, URIRef(CLD + "signatory"), URIRef(ID_NS + "person/jane-doe")) in graph

    # submit: the contribution is received with an id
    page.fill("#agreement-author", "browser test")
    page.click("#case-agreement button.submit")
    page.wait_for_selector("#outcome-agreement .contribution-id", timeout=20_000)
    cid = page.locator("#outcome-agreement .contribution-id").inner_text().strip()
    assert ID.match(cid), cid
    assert page.locator("#outcome-agreement .contribution-status").inner_text() == "pending"
    page.screenshot(path=str(screenshots / "contribute-submitted.png"), full_page=True)

    # the paste tab: malformed Turtle → its line number
    page.click("#tab-paste")
    page.fill("#paste-data", "@prefix cld: <https://w3id.org/clusterld/ontology#> .\n\n"
                             "<https://w3id.org/clusterld/id/x> cld:party <oops .\n")
    page.click("#paste-check")
    page.wait_for_selector("#paste-results .err-line", timeout=10_000)
    assert page.locator("#paste-results .err-line").inner_text() == "3"
    page.screenshot(path=str(screenshots / "contribute-malformed.png"), full_page=True)
    assert not errors, errors
    assert not outside, f"requests left the server: {outside}"
    page.close()


def test_post_and_membership_forms_make_conforming_turtle(playwright_browser,  # noqa: F811
                                                          server: str,  # noqa: F811
                                                          screenshots: Path) -> None:  # noqa: F811
    page = playwright_browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/contribute?lang=fr")

    # a person in a post: the post node is minted under the person, linked by cld:holds
    page.check("input[name=case][value=post]")
    assert page.locator("#case-post").is_visible()
    assert not page.locator("#case-agreement").is_visible()
    pick(page, "#f-post-person-subject-0", "Jane Doe")
    pick(page, "#f-post-post-postIn-0", "Cluster Mécatronique de Tunisie")
    page.select_option("#f-post-post-role-0", label="directeur")
    page.wait_for_selector("#summary-post .contrib-ok", timeout=15_000)
    expected = Graph().parse(format="turtle", data=f"""
        @prefix cld: <{CLD}> .
        <{ID_NS}person/jane-doe> cld:holds <{ID_NS}person/jane-doe/post/ce3m-director> .
        <{ID_NS}person/jane-doe/post/ce3m-director> a cld:Post ;
            cld:postIn <{ID_NS}cluster/ce3m> ;
            cld:role <https://w3id.org/clusterld/vocab/role/director> .""")
    assert isomorphic(preview(page, "post"), expected), preview(page, "post").serialize()
    page.screenshot(path=str(screenshots / "contribute-post.png"), full_page=True)

    # a membership: an existing agent becomes member of an existing organisation
    page.check("input[name=case][value=membership]")
    pick(page, "#f-membership-member-subject-0", "Sample Association")
    pick(page, "#f-membership-member-memberOf-0", "Cluster Mécatronique de Tunisie")
    page.wait_for_selector("#summary-membership .contrib-ok", timeout=15_000)
    expected = Graph().parse(format="turtle", data=f"""
        <{ID_NS}association/sample> <{CLD}memberOf> <{ID_NS}cluster/ce3m> .""")
    assert isomorphic(preview(page, "membership"), expected)
    assert not errors, errors
    page.close()


def test_paste_tab_without_javascript(playwright_browser, server: str,  # noqa: F811
                                      screenshots: Path) -> None:  # noqa: F811
    context = playwright_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/contribute?lang=fr")
    page.fill("#paste-data", "@prefix cld: <https://w3id.org/clusterld/ontology#> .\n"
                             "<https://w3id.org/clusterld/id/agreement/nojs> a cld:Agreement ;\n"
                             "    cld:party <https://w3id.org/clusterld/id/cluster/ce3m> .\n")
    page.click("#paste-check")
    page.wait_for_url("**/contribute/check**")
    messages = page.locator("#paste-results .report .message").all_inner_texts()
    assert any("au moins 2" in m for m in messages), messages
    assert "nojs" in page.locator("#paste-data").input_value()  # kept for correcting
    page.screenshot(path=str(screenshots / "contribute-nojs.png"), full_page=True)
    context.close()
