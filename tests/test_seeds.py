"""Seed loading: the schema checks and their file:line messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clusterld import seeds
from clusterld.errors import SeedError

MINI = Path(__file__).parent / "fixtures" / "seeds-mini"


def load_dir(directory: Path) -> seeds.SeedSet:
    return seeds.load(directory, text_dir=MINI / "texts", ontology_dir=MINI / "ontology")


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(MINI, target)
    return target


def problems_for(seed_dir: Path, extra: str) -> list[str]:
    (seed_dir / "zz-extra.yaml").write_text(extra, encoding="utf-8")
    with pytest.raises(SeedError) as info:
        load_dir(seed_dir)
    return info.value.problems


def test_fixture_loads() -> None:
    loaded = load_dir(MINI)
    assert set(loaded.entities) == {"place/tunis", "cluster/exc", "association/sample",
                                    "person/jane-doe", "agreement/exc-sample-2024"}
    assert loaded.entities["cluster/exc"].label == {"en": "Example Cluster",
                                                    "fr": "Cluster Exemple"}
    assert len(loaded.entities["cluster/exc"].facts) == 2
    assert loaded.concepts == {"role:president", "indicator:memberCount"}


def test_unknown_reference_names_file_and_line(seed_dir: Path) -> None:
    problems = problems_for(seed_dir, """\
- id: cluster/other
  type: Cluster
  label: {en: Other}
  facts:
    - src: "900:0-10"
      memberOf: network/nowhere
""")
    assert any(p.endswith("zz-extra.yaml:6: unknown reference 'network/nowhere'")
               for p in problems), problems


def test_reference_of_wrong_class(seed_dir: Path) -> None:
    problems = problems_for(seed_dir, """\
- id: cluster/other
  type: Cluster
  label: {en: Other}
  facts:
    - src: "900:0-10"
      memberOf: person/jane-doe
""")
    assert any("zz-extra.yaml:6: 'person/jane-doe' is a Person, expected a Organisation" in p
               for p in problems), problems


@pytest.mark.parametrize("date", ["2024-13-01", "2024-02-30", "24-01-01", "soon"])
def test_bad_date(seed_dir: Path, date: str) -> None:
    problems = problems_for(seed_dir, f"""\
- id: cluster/other
  type: Cluster
  label: {{en: Other}}
  facts:
    - src: "900:0-10"
      foundingDate: "{date}"
""")
    assert any(f"zz-extra.yaml:6: bad date '{date}'" in p for p in problems), problems


def test_missing_field(seed_dir: Path) -> None:
    problems = problems_for(seed_dir, """\
- id: cluster/other
  label: {en: Other}
""")
    assert any(p.endswith("zz-extra.yaml:1: missing field type") for p in problems), problems


def test_duplicate_id_points_at_first_definition(seed_dir: Path) -> None:
    problems = problems_for(seed_dir, """\
- id: cluster/exc
  type: Cluster
  label: {en: Again}
  facts:
    - src: "900:0-10"
      acronym: X
""")
    assert any("zz-extra.yaml:1: duplicate id 'cluster/exc' (first defined at" in p
               and "entities.yaml:7" in p for p in problems), problems


def test_duplicate_slug_across_kinds(seed_dir: Path) -> None:
    problems = problems_for(seed_dir, """\
- id: network/exc
  type: Network
  label: {en: Again}
  facts:
    - src: "900:0-10"
      acronym: X
""")
    assert any("duplicate slug 'exc'" in p for p in problems), problems


def test_span_outside_article_and_unknown_source(seed_dir: Path) -> None:
    problems = problems_for(seed_dir, """\
- id: cluster/other
  type: Cluster
  label: {en: Other}
  facts:
    - src: "900:10-99999"
      acronym: X
    - src: "901:0-5"
      acronym: Y
    - src: "900-0-5"
      acronym: Z
""")
    text = "\n".join(problems)
    assert "zz-extra.yaml:5: span 10-99999 runs past the end of source 900" in text
    assert "zz-extra.yaml:7: unknown source '901'" in text
    assert "zz-extra.yaml:9: missing or bad 'src' ('900-0-5')" in text


def test_unknown_key_concept_and_type(seed_dir: Path) -> None:
    problems = problems_for(seed_dir, """\
- id: cluster/other
  type: Person
  label: {en: Other}
  facts:
    - src: "900:0-10"
      colour: blue
      sector: "sector:nothing"
""")
    text = "\n".join(problems)
    assert "zz-extra.yaml:2: type 'Person' is not allowed for kind 'cluster'" in text
    assert "zz-extra.yaml:6: unknown key 'colour'" in text
    assert "zz-extra.yaml:7: unknown concept 'sector:nothing'" in text


def test_about_unknown_entity_and_struct_errors(seed_dir: Path) -> None:
    problems = problems_for(seed_dir, """\
- about: cluster/ghost
  facts:
    - src: "900:0-10"
      acronym: G
- about: agreement/exc-sample-2024
  facts:
    - src: "900:0-10"
      signature: {onBehalfOf: cluster/exc, colour: red}
""")
    text = "\n".join(problems)
    assert "zz-extra.yaml:1: unknown reference 'cluster/ghost' in 'about'" in text
    assert "zz-extra.yaml:8: unknown key 'colour' in a Signature" in text
    assert "zz-extra.yaml:8: missing field signatory in a Signature" in text


def test_yaml_syntax_error_has_line(seed_dir: Path) -> None:
    problems = problems_for(seed_dir, "- id: cluster/x\n  type: [Cluster\n  label: x\n")
    assert any("zz-extra.yaml:" in p and "YAML syntax" in p for p in problems), problems


def test_all_problems_reported_at_once(seed_dir: Path) -> None:
    problems = problems_for(seed_dir, """\
- id: cluster/a
  type: Cluster
  label: {en: A}
  facts:
    - src: "900:0-10"
      foundingDate: "never"
- id: cluster/b
  type: Cluster
  label: {en: B}
""")
    assert len(problems) >= 2


def test_find_offsets() -> None:
    assert seeds.find("abcabc", "bc") == [(1, 3), (4, 6)]
