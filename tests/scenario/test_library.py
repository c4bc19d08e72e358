"""The scenario library: every `[reference]` agrees with the Charter's rule, and every file runs.

The rule is restated here on purpose, independently of sim/rules.py: a draft (or amendment) with
fewer than the required yes votes *failed*, whoever voted no; with enough votes it was *vetoed*
if it was substantive and a permanent member voted no, and *adopted* otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

import sim
from sim.io.files import read_scenario
from sim.scenario.council import Council, council_for_year
from sim.scenario.resolve import resolve_scenario
from sim.scenario.schema import AmendmentReferenceSpec, ReferenceSpec
from tests.conftest import SCENARIOS

WITH_REFERENCE = [p for p in SCENARIOS if read_scenario(p).reference is not None]


def _codes(names: Sequence[str] | Mapping[str, str], council: Council) -> list[str]:
    return [council.resolve(n) for n in names]


def check_outcome(
    ref: ReferenceSpec | AmendmentReferenceSpec, council: Council, procedural: bool, what: str
) -> None:
    """Assert that ``ref``'s outcome follows from its recorded votes under Art. 27."""
    votes = dict(zip(_codes(list(ref.votes), council), ref.votes.values(), strict=True))
    vetoed_by = set(_codes(ref.vetoed_by, council))
    permanent_no = {m for m, v in votes.items() if v == "no" and m in council.permanent}
    assert vetoed_by <= council.permanent, f"{what}: vetoed_by names a member that is not permanent"
    for m in vetoed_by:
        assert votes.get(m, "no") == "no", f"{what}: {m} is in vetoed_by but its recorded vote is {votes[m]}"
    if ref.no is not None:
        assert ref.no >= len(vetoed_by | permanent_no), f"{what}: more permanent no votes than no votes"
    if len(votes) == council.size and ref.yes is not None and ref.no is not None and ref.abstain is not None:
        counted = [sum(v == k for v in votes.values()) for k in ("yes", "no", "abstain")]
        assert counted == [ref.yes, ref.no, ref.abstain], f"{what}: the member votes do not give the tally"
    if ref.outcome == "vetoed":
        assert not procedural, f"{what}: a procedural vote cannot be vetoed"
        assert vetoed_by, f"{what}: vetoed, but vetoed_by is empty"
    else:
        assert not vetoed_by, f"{what}: {ref.outcome}, yet vetoed_by is given (a veto needs enough votes)"
    if ref.yes is None:
        return
    enough = ref.yes >= council.threshold
    if not enough:
        assert ref.outcome == "failed", f"{what}: {ref.yes} yes votes, short of {council.threshold}: failed"
    elif procedural:
        assert ref.outcome == "adopted", f"{what}: procedural with {ref.yes} yes votes: adopted"
    elif permanent_no or vetoed_by:
        assert ref.outcome == "vetoed", f"{what}: enough votes and a permanent no ({permanent_no | vetoed_by})"
        assert permanent_no <= vetoed_by, f"{what}: {permanent_no - vetoed_by} voted no but are not in vetoed_by"
    else:
        assert ref.outcome == "adopted", f"{what}: enough votes and no permanent no: adopted"


@pytest.mark.parametrize("path", WITH_REFERENCE, ids=lambda p: p.name)
def test_reference_follows_from_the_tally(path: Path) -> None:
    spec = read_scenario(path)
    resolved = resolve_scenario(spec, str(path))
    ref = spec.reference
    assert ref is not None
    council = resolved.council
    assert ref.yes + ref.no + ref.abstain + ref.absent == council.size
    check_outcome(ref, council, spec.draft.procedural, f"{path.name} [reference]")
    amendments = {a.name: a for a in spec.amendments}
    for amend in ref.amendments:
        assert amend.name in amendments, f"{path.name}: {amend.name!r} is not an amendment of the file"
        if amend.tally is not None:
            assert sum(amend.tally) == council.size
        check_outcome(amend, council, amendments[amend.name].procedural, f"{path.name} amendment {amend.name!r}")
    if ref.amendments:  # the record follows the file's order of votes
        order = [a.name for a in spec.amendments]
        assert [a.name for a in ref.amendments] == sorted((a.name for a in ref.amendments), key=order.index)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_library_scenario_runs_exactly(path: Path) -> None:
    result = sim.simulate(read_scenario(path), method="exact")
    assert 0.0 <= result.p_adopted <= 1.0
    assert len(result.members) == resolve_scenario(read_scenario(path)).council.size
    if result.amendments is not None:
        assert len(result.amendments.names) == len(read_scenario(path).amendments)


def _ref(**kw: object) -> ReferenceSpec:
    base: dict[str, object] = {"source": "test", "outcome": "adopted", "yes": 9, "no": 0, "abstain": 6}
    return ReferenceSpec.model_validate(base | kw)


@pytest.mark.parametrize(
    ("kw", "ok"),
    [
        ({}, True),
        ({"yes": 8, "abstain": 7}, False),  # short of nine: failed, not adopted
        ({"yes": 8, "abstain": 7, "outcome": "failed"}, True),
        ({"yes": 8, "no": 2, "abstain": 5, "outcome": "vetoed", "vetoed_by": ["USA"]}, False),  # Palestine 2014
        ({"yes": 8, "no": 2, "abstain": 5, "outcome": "failed", "votes": {"USA": "no"}}, True),
        ({"yes": 11, "no": 1, "abstain": 3, "outcome": "vetoed", "vetoed_by": ["RUS"]}, True),
        ({"yes": 11, "no": 1, "abstain": 3, "votes": {"RUS": "no"}}, False),  # a permanent no is a veto
        ({"yes": 11, "no": 1, "abstain": 3, "outcome": "vetoed", "vetoed_by": ["BRA"]}, False),
    ],
)
def test_the_check_itself(kw: dict[str, object], ok: bool) -> None:
    council = council_for_year(2022)
    if ok:
        check_outcome(_ref(**kw), council, False, "case")
    else:
        with pytest.raises(AssertionError, match=r"^case: "):
            check_outcome(_ref(**kw), council, False, "case")


# --- the library's real outcomes in the app ---------------------------------------------------------


def test_app_shows_each_amendments_real_outcome_and_drops_it_with_the_amendment() -> None:
    from tests.test_app import errors, metric, open_app, press, scenario, show_tab

    at = open_app(scenario="ukraine_2025_us_draft_s2025_112")
    assert metric(at, "What really happened") == "Adopted"
    show_tab(at, "Amendments")
    captions = [c.value for c in at.caption]
    assert any("What really happened: failed 6-1-8" in c for c in captions)
    assert any("What really happened: vetoed (9 yes) by Russian Federation" in c for c in captions)
    show_tab(at, "Yes votes and tallies")
    assert any("Amendment European amendment 2" in i.value for i in at.info)
    show_tab(at, "Amendments")
    press(at, "drop_amend_0")
    assert not errors(at)
    names = [a["name"] for a in scenario(at)["reference"]["amendments"]]
    assert len(names) == 3 and not any(n.startswith("European amendment 1") for n in names)
