"""The benchmark generator: the data the published figures were measured on."""

from __future__ import annotations

from benchmarks.generate import generate


def test_varied_names_are_many_and_stay_with_their_person() -> None:
    pooled, varied = generate(20_000), generate(20_000, varied_names=True)
    assert pooled["Имя"].str.casefold().nunique() <= 500
    assert varied["Имя"].str.casefold().nunique() > 2_000
    # A person who submits again gives the same name (in capitals now and then).
    people = varied[varied["Email"].str.startswith("user")].assign(
        person=lambda f: f["Email"].str.casefold(), name=lambda f: f["Имя"].str.casefold()
    )
    assert (people.groupby("person")["name"].nunique() == 1).all()
    # Everything but the names is the same data.
    assert varied.drop(columns="Имя").equals(pooled.drop(columns="Имя"))
