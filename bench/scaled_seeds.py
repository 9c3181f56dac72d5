"""Seeds at scale: the project's hand-written seed files, copied until they state N triples.

The synthetic generator (:mod:`bench.generate`) writes RDF shaped like the converter's output;
this writes *seed files* instead, so that the whole build — YAML loading and checking, the
converter, validation, dumps — can be timed on a large graph. Copy ``k`` of every entity gets
the id ``kind/slug-k`` and copy ``k`` of source ``00i`` the id ``5k+i`` (same article text, so
every offset stays valid); each copy is the real graph again, with new IRIs. Usage::

    python -m bench.scaled_seeds /tmp/seeds-1m --triples 1000000
    clusterld build --seeds /tmp/seeds-1m --out /tmp/out-1m
"""

from __future__ import annotations

import argparse
import math
import re
import shutil
import sys
from pathlib import Path

from clusterld.paths import data_path

TRIPLES_PER_COPY = 9_271  # data triples of one copy of the seeds (``clusterld build`` says so)
MAX_SOURCES = 1_000  # source ids are three digits
_ID = re.compile(r"^\s*-\s+id:\s*\"?([a-z]+/[a-z0-9][a-z0-9-]*)\"?\s*$", re.MULTILINE)
_SOURCE_ID = re.compile(r'^(\s*-\s+id:\s*)"(\d{3})"', re.MULTILINE)
_SRC = re.compile(r'(src:\s*"?)(\d{3})(:)')
_TITLE = re.compile(r'^(\s+title:\s*)"(.*)"\s*$', re.MULTILINE)


def copies_for(triples: int) -> int:
    """How many copies of the seeds state about ``triples`` triples of data."""
    return max(1, math.ceil(triples / TRIPLES_PER_COPY))


def entity_ids(seeds_dir: Path) -> list[str]:
    """Every entity id defined in the seed files."""
    found: set[str] = set()
    for path in sorted(seeds_dir.glob("*.yaml")):
        if path.name != "sources.yaml":
            found.update(_ID.findall(path.read_text(encoding="utf-8")))
    return sorted(found, key=len, reverse=True)


def write(out: Path, copies: int, seeds_dir: Path | None = None) -> Path:
    """Write ``copies`` copies of the seeds to ``out`` (replaced); return ``out``."""
    seeds_dir = seeds_dir or data_path("seeds")
    sources = (seeds_dir / "sources.yaml").read_text(encoding="utf-8")
    per_copy = len(_SOURCE_ID.findall(sources))
    if copies * per_copy > MAX_SOURCES:
        raise SystemExit(f"at most {MAX_SOURCES // per_copy} copies (three-digit source ids)")
    ids = entity_ids(seeds_dir)
    pattern = re.compile(r"(?<![\w/-])(" + "|".join(map(re.escape, ids)) + r")(?![\w/-])")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.yaml"))
             if p.name != "sources.yaml"}
    all_sources = []
    for k in range(copies):
        def source_id(match: re.Match[str], k: int = k) -> str:
            return f"{match.group(1)}{k * per_copy + int(match.group(2)):03d}{match.group(3)}"

        copy = _SOURCE_ID.sub(lambda m, k=k: f'{m.group(1)}"{k * per_copy + int(m.group(2)):03d}"',
                              sources)
        all_sources.append(_TITLE.sub(lambda m, k=k: f'{m.group(1)}"{m.group(2)} [{k}]"', copy)
                           if k else copy)
        for name, text in texts.items():
            renamed = pattern.sub(lambda m, k=k: f"{m.group(1)}-{k}", text) if k else text
            (out / f"{k:03d}-{name}").write_text(_SRC.sub(source_id, renamed), encoding="utf-8")
    (out / "sources.yaml").write_text("\n".join(all_sources), encoding="utf-8")
    if (seeds_dir / "wikidata.sssom.tsv").exists():
        shutil.copy(seeds_dir / "wikidata.sssom.tsv", out / "wikidata.sssom.tsv")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--copies", type=int)
    size.add_argument("--triples", type=int, help="about this many triples of data")
    args = parser.parse_args(argv)
    copies = args.copies or copies_for(args.triples)
    write(args.out, copies)
    print(f"{copies} copies of the seeds → {args.out} (≈{copies * TRIPLES_PER_COPY:,} triples "
          "of data)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
