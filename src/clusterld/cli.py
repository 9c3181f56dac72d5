"""The ``clusterld`` command. It only parses input and calls the pipeline modules.

Exit codes: 0 success; 1 data does not conform; 2 unreadable input; 3 other error;
4 seed files break the schema; 5 ontology + data inconsistent.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from clusterld import __version__
from clusterld.errors import ClusterldError, InputError, ValidationFailed


@click.group()
@click.version_option(__version__, prog_name="clusterld")
def cli() -> None:
    """Build, validate and publish the clusterld knowledge graph."""


@cli.command()
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("out"),
              show_default=True, help="Directory for the dumps.")
@click.option("--base", envvar="CLUSTERLD_BASE", default=None,
              help="Base IRI for entity IRIs (default https://w3id.org/clusterld/).")
@click.option("--reason/--no-reason", default=True, show_default=True,
              help="Run the OWL reasoner consistency check.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes for re-validating the nodes SHACL flags (same output).")
@click.option("--seeds", "seeds_dir", default=None,
              type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Directory of the seed files (default: the project's seeds/).")
@click.option("--sources", "text_dir", default=None, envvar="CLUSTERLD_SOURCES",
              type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Directory of the source articles (default: ../shared/sources).")
def build(out: Path, base: str | None, reason: bool, jobs: int, seeds_dir: Path | None,
          text_dir: Path | None) -> None:
    """Seeds → validated knowledge graph, written as dumps to OUT."""
    from clusterld.publish import build as run_build

    run_build(out, base, reason=reason, processes=jobs, seeds_dir=seeds_dir, text_dir=text_dir)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--report", "report_path", type=click.Path(path_type=Path), default=None,
              help="Also write the SHACL report as Turtle to this file.")
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True)
@click.option("--context/--no-context", default=True, show_default=True,
              help="Validate with the knowledge graph as context, so references resolve.")
@click.option("--base", envvar="CLUSTERLD_BASE", default=None)
def validate(files: tuple[Path, ...], report_path: Path | None, lang: str, context: bool,
             base: str | None) -> None:
    """Validate RDF FILES (Turtle, TriG, N-Quads, N-Triples, JSON-LD, RDF/XML)."""
    from clusterld.iri import Minter
    from clusterld.publish import build_dataset, data_graph, union_graph
    from clusterld.rdfio import read_dataset
    from clusterld.validate import Validator, format_report

    data = union_graph(read_dataset(list(files)))
    if context:
        mint = Minter(base)
        for triple in data_graph(build_dataset(base), mint):
            data.add(triple)
    validator = Validator()
    report = validator.validate(data)
    if report_path is not None:
        report.graph.serialize(report_path, format="turtle")
    click.echo(format_report(report, data, lang))
    if not report.conforms:
        raise ValidationFailed(f"{len(report.violations())} violation(s)")


@cli.group()
def seeds() -> None:
    """Work on the seed files."""


@seeds.command("check")
def seeds_check() -> None:
    """Check the seed files; print every problem as file:line: message."""
    from clusterld.seeds import load

    loaded = load()
    facts = sum(len(e.facts) for e in loaded.entities.values())
    click.echo(f"ok: {len(loaded.entities)} entities, {facts} facts, "
               f"{len(loaded.sources)} sources")


@seeds.command("find")
@click.argument("source")
@click.argument("text")
def seeds_find(source: str, text: str) -> None:
    """Print the character offsets of TEXT in source article SOURCE (e.g. 002)."""
    from clusterld.paths import sources_dir
    from clusterld.seeds import find

    directory = sources_dir()
    if directory is None:
        raise InputError("source articles not found (set CLUSTERLD_SOURCES)")
    matches = sorted(directory.glob(f"{source}_*.txt"))
    if not matches:
        raise InputError(f"no source article '{source}' in {directory}")
    content = matches[0].read_text(encoding="utf-8")
    spans = find(content, text)
    if not spans:
        raise InputError(f"'{text}' not found in {matches[0].name}")
    for start, end in spans:
        click.echo(f"{source}:{start}-{end}")


def _register_optional() -> None:
    """Commands that live beside the web layer and the linker."""
    from clusterld.contribcli import contributions_command
    from clusterld.link import link_command
    from clusterld.remotecli import load_command
    from clusterld.web.cli import serve_command

    cli.add_command(serve_command, "serve")
    cli.add_command(link_command, "link")
    cli.add_command(contributions_command, "contributions")
    cli.add_command(load_command, "load")


_register_optional()


def main() -> None:
    """Entry point: run the CLI, turning typed errors into messages and exit codes."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except ClusterldError as exc:
        click.echo(f"clusterld: {exc}", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
