"""Every page's footer carries exactly the README's attribution lines."""

from __future__ import annotations

from pathlib import Path

from service.web.attribution import ATTRIBUTION

README = Path(__file__).resolve().parents[3] / "README.md"


def test_footer_attribution_equals_the_readme():
    section = README.read_text(encoding="utf-8").split("## Attribution", 1)[1].split("\n## ", 1)[0]
    lines = tuple(line[2:].strip() for line in section.splitlines() if line.startswith("- "))
    assert lines == ATTRIBUTION
