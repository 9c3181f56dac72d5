"""Content negotiation: the ONE function every route uses to pick a media type.

``negotiate(accept, offered, format_param)`` reads the ``Accept`` header (q-values,
``type/*`` and ``*/*`` wildcards, most specific range wins), lets ``?format=`` override it,
and raises :class:`NotAcceptable` naming what is on offer.
"""

from __future__ import annotations

from collections.abc import Sequence

from werkzeug.exceptions import NotAcceptable as _HTTPNotAcceptable

from clusterld.results import FORMAT_NAMES


class NotAcceptable(_HTTPNotAcceptable):
    """406, with the media types that could have been served."""

    def __init__(self, offered: Sequence[str], asked: str | None = None) -> None:
        self.offered = list(offered)
        what = f"'{asked}'" if asked else "the Accept header"
        super().__init__(f"cannot answer in {what}; available: {', '.join(offered)}")


def parse_accept(header: str | None) -> list[tuple[str, str, float]]:
    """``Accept`` as ``[(type, subtype, q)]``; bad entries are skipped, bad q counts as 1."""
    ranges = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            if media == "*":  # some clients send a bare '*'
                media = "*/*"
            else:
                continue
        main, _, sub = media.partition("/")
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        ranges.append((main, sub, q))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, str, float]]) -> float:
    """The q of the most specific range matching ``media_type`` (0 when none does)."""
    main, _, sub = media_type.lower().partition("/")
    best, specificity = 0.0, -1
    for r_main, r_sub, q in ranges:
        if r_main == main and r_sub == sub:
            level = 2
        elif r_main == main and r_sub == "*":
            level = 1
        elif r_main == "*" and r_sub == "*":
            level = 0
        else:
            continue
        if level > specificity:
            best, specificity = q, level
    return best


def negotiate(accept: str | None, offered: Sequence[str], format_param: str | None = None,
              ) -> str:
    """The media type to answer with, among ``offered`` (server preference first).

    ``format_param`` (``?format=``) wins over ``Accept``: a short name (``ttl``, ``json``,
    ``csv``…) or a media type; it must be on offer. No ``Accept`` (or an empty one) means
    the first offered type.
    """
    if not offered:
        raise NotAcceptable(offered)
    if format_param:
        name = format_param.strip().lower()
        wanted = FORMAT_NAMES.get(name, name.split(";")[0].strip())
        for candidate in (wanted,) if isinstance(wanted, str) else wanted:
            if candidate in offered:
                return candidate
        raise NotAcceptable(offered, format_param)
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best, best_q = None, 0.0
    for media_type in offered:
        q = _quality(media_type, ranges)
        if q > best_q:
            best, best_q = media_type, q
    if best is None:
        raise NotAcceptable(offered)
    return best
