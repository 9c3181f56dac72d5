"""Typed errors. Each carries the exit code the CLI uses for it."""

from __future__ import annotations


class ClusterldError(Exception):
    """Base of every error clusterld reports to a user."""

    exit_code: int = 3


class ValidationFailed(ClusterldError):
    """Data does not conform to the shapes."""

    exit_code = 1


class InputError(ClusterldError):
    """Input that cannot be read: RDF syntax, unknown format, missing file."""

    exit_code = 2

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.source = source
        self.line = line
        self.column = column
        where = ":".join(str(p) for p in (source, line, column) if p is not None)
        super().__init__(f"{where}: {message}" if where else message)
        self.reason = message


class Conflict(ClusterldError):
    """The thing is not in a state that allows the operation (e.g. reviewing a reviewed
    contribution). The server answers 409."""


class SeedError(ClusterldError):
    """One or more seed files break the schema; ``problems`` lists ``file:line: message``."""

    exit_code = 4

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class InconsistentOntologyError(ClusterldError):
    """The OWL reasoner found ontology + data inconsistent."""

    exit_code = 5
