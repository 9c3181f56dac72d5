"""``/contribute``: paste or upload a contribution, or fill a form generated from the shapes.

The forms of the common cases (new agreement, new membership, new person in a post) are built
once per app from ``shapes/clusterld-shapes.ttl`` and the ontology: each field's property,
label, help text, datatype, cardinality, value class (an entity picker) and concept scheme (a
select) come from the property shapes that apply to the case's class. The browser turns the
filled form into Turtle (``static/contribute.js``), checks it live against ``POST /validate``
and sends it to ``POST /contributions``. ``POST /contribute/check`` answers the paste/upload
tab without JavaScript, as an HTML page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from clusterld.contributions import NotConforming
from clusterld.errors import InputError
from clusterld.paths import data_path
from clusterld.web import contrib
from clusterld.web.contrib import contributions
from clusterld.web.formshapes import Case, load_cases
from clusterld.web.shaclreport import Labeler, report_json

bp = Blueprint("form", __name__)

EXTENSION = "clusterld.form"
# The format keys of clusterld.rdfio that a contribution may use (no quads: triples only).
FORMATS = (("turtle", "Turtle"), ("ntriples", "N-Triples"), ("jsonld", "JSON-LD"),
           ("rdfxml", "RDF/XML"), ("trig", "TriG"))

# The words of the page (the field labels and help texts come from the shapes).
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Contribute", "intro": "Send facts to add to the knowledge graph: paste or "
        "upload RDF, or fill one of the forms below. Every contribution is checked against "
        "the SHACL shapes, then reviewed by the maintainers before it is published.",
        "tab_paste": "Paste or upload RDF", "tab_form": "Fill a form",
        "rdf_text": "RDF to contribute", "rdf_file": "…or an RDF file", "format": "Format",
        "check": "Check", "submit": "Submit", "meta": "About the contribution (optional)",
        "author": "Your name or e-mail", "source": "Source (URL or reference)",
        "comment": "Comment", "conforms": "The contribution conforms to the shapes.",
        "not_conforms": "The contribution does not conform to the shapes:",
        "focus": "Node", "path": "Property", "value": "Value", "error": "The RDF cannot be read",
        "line": "line", "column": "column", "too_large": "The contribution is too large.",
        "received": "Thank you: your contribution was received and awaits review.",
        "id": "Identifier", "status": "Status", "preview": "Turtle that will be sent",
        "add_value": "Add a value", "remove": "Remove", "add_group": "Add:",
        "case": "What do you want to add?", "type": "Type", "required": "required",
        "pick_hint": "Start typing a name and pick an existing entity; a name that matches "
        "none creates a new entity.", "summary": "Checks", "checking": "Checking…",
        "nojs": "The forms need JavaScript; the paste and upload tab works without it.",
        "lang_of_text": "Language of the text", "triples": "triples",
        "failed": "The server could not answer", "empty": "Fill in the form to check it.",
        "results": "Results of the check", "rejected": "Not submitted: the contribution "
        "does not conform to the shapes (see the messages).",
    },
    "fr": {
        "title": "Contribuer", "intro": "Envoyez des faits à ajouter au graphe de "
        "connaissances : collez ou téléversez du RDF, ou remplissez l'un des formulaires "
        "ci-dessous. Chaque contribution est vérifiée avec les formes SHACL, puis relue par "
        "les mainteneurs avant d'être publiée.",
        "tab_paste": "Coller ou téléverser du RDF", "tab_form": "Remplir un formulaire",
        "rdf_text": "RDF à contribuer", "rdf_file": "…ou un fichier RDF", "format": "Format",
        "check": "Vérifier", "submit": "Envoyer", "meta": "À propos de la contribution "
        "(facultatif)", "author": "Votre nom ou courriel",
        "source": "Source (URL ou référence)", "comment": "Commentaire",
        "conforms": "La contribution est conforme aux formes.",
        "not_conforms": "La contribution n'est pas conforme aux formes :",
        "focus": "Nœud", "path": "Propriété", "value": "Valeur",
        "error": "Le RDF est illisible", "line": "ligne", "column": "colonne",
        "too_large": "La contribution est trop volumineuse.",
        "received": "Merci : votre contribution a été reçue et attend sa relecture.",
        "id": "Identifiant", "status": "Statut", "preview": "Turtle qui sera envoyé",
        "add_value": "Ajouter une valeur", "remove": "Retirer", "add_group": "Ajouter :",
        "case": "Que voulez-vous ajouter ?", "type": "Type", "required": "obligatoire",
        "pick_hint": "Tapez le début d'un nom et choisissez une entité existante ; un nom "
        "qui n'en désigne aucune crée une nouvelle entité.", "summary": "Vérifications",
        "checking": "Vérification…", "nojs": "Les formulaires demandent JavaScript ; "
        "l'onglet « coller ou téléverser » fonctionne sans.",
        "lang_of_text": "Langue du texte", "triples": "triplets",
        "failed": "Le serveur n'a pas pu répondre",
        "empty": "Remplissez le formulaire pour le vérifier.",
        "results": "Résultats de la vérification", "rejected": "Non envoyée : la "
        "contribution n'est pas conforme aux formes (voir les messages).",
    },
}


def init_app(app: Flask) -> None:
    """Build the forms of this app (``CLUSTERLD_FORM_SHAPES`` overrides the shapes file)."""
    shapes = app.config.get("CLUSTERLD_FORM_SHAPES") or data_path("shapes") / \
        "clusterld-shapes.ttl"
    ontology = app.config.get("CLUSTERLD_FORM_ONTOLOGY") or data_path("ontology")
    app.extensions[EXTENSION] = load_cases(str(shapes), str(ontology))


@bp.record_once
def _setup(state: Any) -> None:
    init_app(state.app)


def cases() -> tuple[Case, ...]:
    """The current app's forms."""
    return current_app.extensions[EXTENSION]


# -- routes ------------------------------------------------------------------------------------
def _render(status: int = 200, **context: Any) -> Response:
    from clusterld.web.pages import render

    lang = _lang()
    forms = cases()
    config = {"lang": lang, "base": _base(), "cases": [c.config(lang) for c in forms],
              "words": WORDS[lang]}
    response = render("contribute.html", status=status, title=WORDS[lang]["title"],
                      cases=forms, words=WORDS[lang], config=config, formats=FORMATS,
                      **context)
    if request.method == "POST":  # an answer about the request's data: never reused
        response.headers["Cache-Control"] = "no-store"
    return response


def _lang() -> str:
    from clusterld.web.pages import page_lang

    return page_lang()


def _base() -> str:
    kg = current_app.extensions["clusterld"]
    return str(current_app.config.get("CLUSTERLD_BASE") or kg.base).rstrip("/") + "/"


@bp.route("/contribute")
def contribute() -> Response:
    """The contribution page: paste or upload RDF, or fill a form generated from the shapes."""
    return _render(check=None)


def _problem(exc: Exception) -> Response:
    """The page with a reading error in place of the report (400, 413)."""
    if isinstance(exc, InputError):
        return _render(check={"error": exc.reason, "line": exc.line, "column": exc.column},
                       status=400, pasted=request.form.get("data", ""))
    assert isinstance(exc, RequestEntityTooLarge)
    return _render(check={"error": exc.description, "line": None, "column": None},
                   status=413)


@bp.post("/contribute/check")
def check() -> Response:
    """The paste/upload tab without JavaScript: validate and answer the page with the report."""
    contrib.rate_check("validations")
    try:
        data, fmt = contrib.read_rdf()
        store = contributions()
        checked = store.validate(data, fmt)
    except (InputError, RequestEntityTooLarge) as exc:
        return _problem(exc)
    labeler = Labeler([checked.graph, store.validator.ontology], store.graph_source, _lang())
    return _render(check=report_json(checked.report, checked.triples, labeler),
                   pasted=request.form.get("data", ""), chosen_format=fmt)


@bp.post("/contribute/send")
def send() -> Response:
    """The paste/upload tab's submission without JavaScript: 201 with the id, else the report
    (422) or the reading error; the same core and rate bound as ``POST /contributions``."""
    contrib.rate_check()
    try:
        data, fmt = contrib.read_rdf()
        store = contributions()
        item, _ = store.submit(data, fmt, author=request.form.get("author"),
                               source=request.form.get("source"),
                               comment=request.form.get("comment"))
    except NotConforming as exc:
        labeler = Labeler([exc.graph, store.validator.ontology], store.graph_source, _lang())
        return _render(check=report_json(exc.report, exc.triples, labeler), status=422,
                       pasted=request.form.get("data", ""), chosen_format=fmt)
    except (InputError, RequestEntityTooLarge) as exc:
        return _problem(exc)
    response = _render(check=None, sent={"id": item.id, "status": item.status}, status=201)
    response.headers["Location"] = f"/contributions/{item.id}"
    return response
