"""Reading records back from the store: filters by id."""

from __future__ import annotations

import pytest

from graph import views
from graph.errors import InvalidKey


@pytest.mark.parametrize(("fn", "what"), [(views.centres, "centre"), (views.companies, "company")])
def test_empty_id_is_refused_not_read_as_no_filter(default_store, fn, what):
    # '' used to mean "no filter", so show '' printed an arbitrary centre.
    with pytest.raises(InvalidKey, match=f"invalid {what} id ''"):
        fn(default_store, "")


def test_empty_id_for_one_record(default_store):
    with pytest.raises(InvalidKey, match="''"):
        views.centre(default_store, "")
    with pytest.raises(InvalidKey, match="''"):
        views.company(default_store, "")


def test_id_filter_returns_that_record(default_store):
    first = views.centres(default_store)[0]
    assert [c.id for c in views.centres(default_store, first.id)] == [first.id]
    company = views.companies(default_store)[1]
    assert views.company(default_store, company.id).id == company.id


def test_concepts_carry_their_definition_in_both_languages(default_store):
    by_key = {c.key: c for c in views.concepts(default_store, "technology")}
    lba = by_key["location-based-applications"]
    assert "vehicles" in lba.definition and "Firmenfahrzeuge" in lba.definition_de
    services = views.concepts(default_store, "service")
    assert len(services) == 15 and all(c.definition and c.definition_de for c in services)
