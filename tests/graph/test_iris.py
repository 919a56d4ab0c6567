"""IRI minting: keys are checked at once and the message names the value."""

from __future__ import annotations

import pytest

from graph import iris
from graph.errors import InvalidKey


def test_region_iris_by_ags():
    assert str(iris.region("15083270")).endswith("/id/region/15083270")
    assert str(iris.region(15)).endswith("/id/region/15")


@pytest.mark.parametrize("bad", ["1508327", "15O83", "", "150832700", "abc"])
def test_bad_ags_named(bad):
    with pytest.raises(InvalidKey, match=repr(bad).replace("(", r"\(")):
        iris.region(bad)


def test_nace_accepts_section_division_and_letter_prefixed():
    assert iris.key_of(iris.nace("c25")) == "25"
    assert iris.key_of(iris.nace("C")) == "C"
    with pytest.raises(InvalidKey, match="'ZZ'"):
        iris.nace("ZZ")


def test_slugify_german():
    assert iris.slugify("Künstliche Intelligenz & Co.") == "kunstliche-intelligenz-co"
    with pytest.raises(InvalidKey):
        iris.slugify("!!!")


def test_named_graph_roundtrip():
    g = iris.named_graph("centres/edih-de")
    assert iris.named_graph(str(g)) == g
