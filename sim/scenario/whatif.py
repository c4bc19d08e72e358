"""What-if edits of a scenario: the operations the app applies to a scenario dict before it
simulates (set a member's vote, a veto, type one chance and renormalize the others, the rules,
the blocs, drop an amendment), and the JSON merge patch that a share link carries.

Pure: no Streamlit, no I/O. A what-if is a scenario dict in its canonical JSON form
(:func:`normalize`); each edit returns a new dict and leaves its arguments alone. Edits do not
validate: the caller runs :func:`normalize` on the result and keeps the old dict if it fails.
A member's votes table is "edited" in a *target*: ``"draft"`` (the draft's ``votes``), or
``"a{j}.votes"`` / ``"a{j}.effect"`` (amendment ``j``'s own vote, and the draft's votes once
it is adopted).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from sim.engine.model import VOTES, VoteModel
from sim.study.overrides import renormalize

from .council import council_for_year
from .names import member_code, readable_bloc, readable_name
from .resolve import resolve_scenario
from .schema import parse_scenario

#: A member's (yes, abstain, no, absent).
Probs = tuple[float, float, float, float]
#: The quick actions that set a member's vote outright ("no" from a permanent member is a veto).
QUICK_VOTES: dict[str, Probs] = {
    "yes": (1.0, 0.0, 0.0, 0.0),
    "abstain": (0.0, 1.0, 0.0, 0.0),
    "no": (0.0, 0.0, 1.0, 0.0),
    "absent": (0.0, 0.0, 0.0, 1.0),
}


# --- the scenario dict --------------------------------------------------------------------------


def jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario dict with JSON types only (dates become ISO strings)."""
    out: dict[str, Any] = json.loads(json.dumps(dict(data), default=str))
    return out


def normalize(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a scenario dict (schema and Council) and return its canonical JSON-typed form."""
    spec = parse_scenario(data)
    resolve_scenario(spec)
    return jsonable(spec.to_dict())


def canonical(data: Mapping[str, Any]) -> str:
    """The cache key of a scenario: its canonical JSON with sorted keys."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


def year_of(data: Mapping[str, Any]) -> int | None:
    """The Council year of a scenario, if it names one."""
    year = data.get("council", {}).get("year")
    return int(year) if year is not None else None


def year_scenario(year: int) -> dict[str, Any]:
    """A blank what-if for a year's Council: every member calibrated (or the default guess)."""
    council = council_for_year(year)
    return {
        "scenario": {
            "name": f"The {year} Council: a draft of your own",
            "description": (
                f"All {council.size} members of the {year} Council, with calibrated vote "
                "probabilities where available. Edit them to build your what-if."
            ),
        },
        "council": {"year": year},
        "draft": {"procedural": False},
    }


def make_patch(src: Any, dst: Any) -> Any:
    """A JSON merge patch (RFC 7386) that turns ``src`` into ``dst``."""
    if not isinstance(src, dict) or not isinstance(dst, dict):
        return dst
    patch: dict[str, Any] = {k: None for k in src if k not in dst}
    for k, v in dst.items():
        if k not in src:
            patch[k] = v
        elif isinstance(v, dict) and isinstance(src[k], dict):
            sub = make_patch(src[k], v)
            if sub:
                patch[k] = sub
        elif v != src[k]:
            patch[k] = v
    return patch


def apply_patch(target: Any, patch: Any) -> Any:
    """Apply a JSON merge patch (RFC 7386); ``None`` deletes a key."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = apply_patch(out.get(k), v)
    return out


# --- one member's votes -------------------------------------------------------------------------


def rescale(probs: tuple[float, ...], index: int, value: float) -> Probs:
    """Set one of (yes, abstain, no, absent), clipped to [0, 1], and renormalize the other three
    to keep the sum at 1 (:func:`sim.study.overrides.renormalize`)."""
    value = min(max(float(value), 0.0), 1.0)
    out = renormalize([float(p) for p in probs], {VOTES[index]: value})
    return (out[VOTES[0]], out[VOTES[1]], out[VOTES[2]], out[VOTES[3]])


def vote_table(probs: tuple[float, ...]) -> dict[str, float]:
    """A scenario votes table (non-zero entries only) whose values sum to exactly 1."""
    vals = [round(max(float(p), 0.0), 6) for p in probs]
    big = max(range(4), key=lambda j: vals[j])
    vals[big] = round(1.0 - sum(v for j, v in enumerate(vals) if j != big), 9)
    return {v: p for v, p in zip(VOTES, vals, strict=True) if p > 0}


def member_entry(tables: Mapping[str, Any], code: str, year: int | None) -> tuple[str, Any] | None:
    """A member's (name, table) in a votes table, if the table names the member."""
    for name, table in tables.items():
        if member_code(name, year) == code:
            return name, table
    return None


def set_member_table(
    tables: Mapping[str, Any], code: str, year: int | None, table: dict[str, float] | None
) -> dict[str, Any]:
    """A copy of a votes table with ``code``'s entry replaced (or removed if ``table`` is None)."""
    keys = [k for k in tables if member_code(k, year) == code]
    out = {k: v for k, v in tables.items() if k not in keys}
    if table is not None:
        name = keys[0] if keys else readable_name(code)
        if member_code(name, year) != code:
            name = code
        out[name] = table
    return out


def restore_entry(
    tables: Mapping[str, Any], original: Mapping[str, Any], code: str, year: int | None
) -> dict[str, Any]:
    """A copy of ``tables`` with ``code``'s entry as in ``original`` (or none, if it had none)."""
    out = {k: v for k, v in tables.items() if member_code(k, year) != code}
    entry = member_entry(original, code, year)
    if entry is not None:
        out[entry[0]] = entry[1]
    return out


# --- targets: the draft's votes, or an amendment's ----------------------------------------------


def targets(data: Mapping[str, Any]) -> list[str]:
    """The votes tables a member's numbers can be edited in: the draft, then each amendment's
    own vote and its effect on the draft."""
    out = ["draft"]
    for j in range(len(data.get("amendments", []))):
        out += [f"a{j}.votes", f"a{j}.effect"]
    return out


def target_tables(data: Mapping[str, Any], target: str) -> dict[str, Any]:
    """The votes table a target names."""
    if target == "draft":
        tables: dict[str, Any] = data.get("votes", {})
        return tables
    j, part = target[1:].split(".")
    amend_tables: dict[str, Any] = data["amendments"][int(j)].get(part, {})
    return amend_tables


def with_target_tables(data: Mapping[str, Any], target: str, tables: dict[str, Any]) -> dict[str, Any]:
    """A copy of the scenario with one target's votes table replaced."""
    new = copy.deepcopy(dict(data))
    if target == "draft":
        new["votes"] = tables
    else:
        j, part = target[1:].split(".")
        new["amendments"][int(j)][part] = tables
    return new


def procedural_for(data: Mapping[str, Any], target: str) -> bool:
    """Whether the vote a target's table is about is procedural (no veto)."""
    if target.endswith(".votes"):
        j = int(target[1:].split(".")[0])
        return bool(data["amendments"][j].get("procedural", False))
    return bool(data.get("draft", {}).get("procedural", False))


def set_vote(data: Mapping[str, Any], target: str, code: str, probs: tuple[float, ...] | None) -> dict[str, Any]:
    """The scenario with one member's numbers in ``target`` set (None drops them: the member
    votes as calibrated, or as on the draft)."""
    table = None if probs is None else vote_table(probs)
    tables = set_member_table(target_tables(data, target), code, year_of(data), table)
    return with_target_tables(data, target, tables)


def held_on_every_path(data: Mapping[str, Any], code: str, probs: tuple[float, ...]) -> dict[str, Any]:
    """The scenario with a vote on the draft holding whatever amendments pass: each amendment
    ``effect`` that names the member gets the same vote."""
    out = dict(data)
    for j, amend in enumerate(data.get("amendments", [])):
        if any(member_code(k, year_of(data)) == code for k in amend.get("effect", {})):
            out = set_vote(out, f"a{j}.effect", code, probs)
    return out


def quick_vote(data: Mapping[str, Any], target: str, code: str, action: str) -> dict[str, Any]:
    """A quick action on a member: one of :data:`QUICK_VOTES` (on the draft it holds on every
    amendment path; "no" from a permanent member on a substantive draft is a veto), or
    ``"model"``: drop the member's own numbers in ``target``."""
    probs = QUICK_VOTES.get(action)
    if probs is None and action != "model":
        raise ValueError(f"unknown quick action {action!r}")
    if target == "draft" and probs is not None:
        data = held_on_every_path(data, code, probs)
    return set_vote(data, target, code, probs)


def restore_member(
    data: Mapping[str, Any], original: Mapping[str, Any], target: str, code: str
) -> dict[str, Any]:
    """The scenario with one member's numbers in ``target`` as the ``original`` scenario had them.

    Amendments are matched by name (one may have been dropped). On the draft, the member's
    entries in the amendments' effects come back too, as a quick action on the draft sets them.
    """
    year = year_of(data)
    new: dict[str, Any] = copy.deepcopy(dict(data))
    before = {a["name"]: a for a in original.get("amendments", [])}
    if target == "draft":
        new["votes"] = restore_entry(new.get("votes", {}), original.get("votes", {}), code, year)
        parts = ["effect"]
    else:
        parts = [target.split(".")[1]]
    for j, amend in enumerate(new.get("amendments", [])):
        if target != "draft" and target != f"a{j}.{parts[0]}":
            continue
        for part in parts:
            old = before.get(amend["name"], {}).get(part, {})
            tables = restore_entry(amend.get(part, {}), old, code, year)
            if tables or part in amend:
                amend[part] = tables
    if target == "draft" and not new["votes"] and "votes" not in data:
        del new["votes"]
    return new


def edited_on_draft(data: Mapping[str, Any], original: Mapping[str, Any], code: str) -> bool:
    """Whether the member's numbers on the draft differ from the ``original`` scenario's."""
    year = year_of(data)
    now = member_entry(data.get("votes", {}), code, year)
    before = member_entry(original.get("votes", {}), code, year)
    return (now and now[1]) != (before and before[1])


# --- the rules: procedural, parties, amendments -------------------------------------------------


def set_procedural(data: Mapping[str, Any], procedural: bool) -> dict[str, Any]:
    """A procedural draft (nine votes, no veto) or a substantive one."""
    new = copy.deepcopy(dict(data))
    new.setdefault("draft", {})["procedural"] = bool(procedural)
    return new


def set_parties(data: Mapping[str, Any], codes: list[str]) -> dict[str, Any]:
    """The parties to the dispute, who must abstain on a substantive vote (Art. 27(3)), by name
    where the name resolves in the scenario's year, else by code."""
    new = copy.deepcopy(dict(data))
    year = year_of(new)
    names = [readable_name(c) for c in codes]
    new["council"]["parties_to_dispute"] = [
        n if member_code(n, year) is not None else c for n, c in zip(names, codes, strict=True)
    ]
    return new


def drop_amendment(data: Mapping[str, Any], j: int) -> dict[str, Any]:
    """The scenario without amendment ``j``, and without its real outcome in the reference."""
    new = copy.deepcopy(dict(data))
    name = new["amendments"][j]["name"]
    del new["amendments"][j]
    if not new["amendments"]:
        del new["amendments"]
    ref = new.get("reference") or {}
    if ref.get("amendments"):
        ref["amendments"] = [a for a in ref["amendments"] if a["name"] != name]
        if not ref["amendments"]:
            del ref["amendments"]
    return new


# --- how votes move together --------------------------------------------------------------------


def correlation_table(data: Mapping[str, Any], model: VoteModel) -> dict[str, Any]:
    """The scenario's correlation table, or ``model``'s (calibrated or default) as one."""
    if "correlation" in data:
        table: dict[str, Any] = copy.deepcopy(dict(data["correlation"]))
        table.setdefault("blocs", [])
        return table
    blocs = []
    for b, name in enumerate(model.bloc_names):
        members = [readable_name(m) for m, g in zip(model.members, model.bloc, strict=True) if g == b]
        if members:
            blocs.append({"name": readable_bloc(name), "members": members, "cohesion": float(model.cohesion[b])})
    return {"common": float(model.common), "blocs": blocs}


def _with_correlation(data: Mapping[str, Any], table: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(dict(data))
    new["correlation"] = table
    return new


def set_common(data: Mapping[str, Any], model: VoteModel, common: float) -> dict[str, Any]:
    """The common correlation among all members (the blocs as they are)."""
    table = correlation_table(data, model)
    table["common"] = float(common)
    return _with_correlation(data, table)


def set_bloc_members(data: Mapping[str, Any], model: VoteModel, b: int, codes: list[str]) -> dict[str, Any]:
    """Bloc ``b``'s members (by code); a bloc left with none is dropped."""
    table = correlation_table(data, model)
    table["blocs"][b]["members"] = [readable_name(c) for c in codes]
    if not codes:
        del table["blocs"][b]
    return _with_correlation(data, table)


def set_bloc_cohesion(data: Mapping[str, Any], model: VoteModel, b: int, cohesion: float) -> dict[str, Any]:
    """Bloc ``b``'s cohesion (the extra correlation inside it)."""
    table = correlation_table(data, model)
    table["blocs"][b]["cohesion"] = float(cohesion)
    return _with_correlation(data, table)


def remove_bloc(data: Mapping[str, Any], model: VoteModel, b: int) -> dict[str, Any]:
    """The scenario without bloc ``b``."""
    table = correlation_table(data, model)
    table["blocs"].pop(b)
    return _with_correlation(data, table)


def add_bloc(
    data: Mapping[str, Any], model: VoteModel, name: str, codes: list[str], cohesion: float
) -> dict[str, Any]:
    """A new bloc of the members ``codes``."""
    table = correlation_table(data, model)
    table["blocs"].append({"name": name, "members": [readable_name(c) for c in codes], "cohesion": float(cohesion)})
    return _with_correlation(data, table)


# --- where the text stands on the alignment axis ------------------------------------------------


def position_of(data: Mapping[str, Any]) -> float:
    """The draft's position on the alignment axis (0 if the scenario gives none)."""
    return float(data.get("draft", {}).get("position") or 0.0)


def set_position(data: Mapping[str, Any], position: float, original: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The draft at ``position`` on the alignment axis, rounded to 1e-6. At 0, a scenario whose
    ``original`` gave no position gives none again (so the share link carries no edit)."""
    new = copy.deepcopy(dict(data))
    draft = new.setdefault("draft", {})
    value = round(float(position), 6)
    had = "position" in (original or data).get("draft", {})
    if value == 0.0 and not had:
        draft.pop("position", None)
    else:
        draft["position"] = value
    return new
