"""The General Assembly page: will a text pass the Assembly, by how much, and who moves?

A thin layer over :mod:`sim.assembly`: the page keeps the scenario as plain data in the session,
edits it (a member's or a regional group's vote, the question), and asks
:func:`sim.assembly.api.simulate_assembly` for every number. The share link carries the library
scenario, the question and the edits (``?ga=...&gq=...&gv=...``).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from sim.assembly.api import AssemblyResult, simulate_assembly
from sim.assembly.membership import REGIONAL_GROUPS
from sim.assembly.scenario import AssemblyScenario, build_assembly, group_named, parse_assembly
from sim.errors import InputError
from sim.io.files import MAX_SCENARIO_BYTES, any_scenario_from_bytes
from sim.render.assembly import PIVOT_SHOWN, likeliest
from sim.render.text import pct_strict
from sim.scenario.names import display_name, try_resolve
from sim.verdict import assembly_verdict
from unsc_app.assembly_compare import compare_section, delta, pin_row

LIBRARY_DIR = Path(__file__).resolve().parents[1] / "scenarios" / "assembly"
#: The quick settings of a member's or a group's vote.
QUICK: dict[str, dict[str, float] | None] = {
    "yes": {"yes": 1.0}, "abstain": {"abstain": 1.0}, "no": {"no": 1.0}, "absent": {"absent": 1.0},
    "as in the file": None,
}
MEASURES = {"P(yes)": "yes", "P(abstain)": "abstain", "P(no)": "no", "P(absent)": "absent"}
COLOURS = {"yes": "greens", "abstain": "oranges", "no": "reds", "absent": "greys"}
GA = "ga_data"


def _library() -> dict[str, Path]:
    return {p.stem: p for p in sorted(LIBRARY_DIR.glob("*.toml"))}


def _load(stem: str) -> dict[str, Any]:
    with open(_library()[stem], "rb") as fh:
        return tomllib.load(fh)


def _start() -> None:
    """The session's scenario: from the share link on a first visit, else the first in the library."""
    if GA in st.session_state:
        return
    lib = _library()
    qp = st.query_params
    stem = qp.get("ga") if qp.get("ga") in lib else next(iter(lib))
    data = _load(stem)
    st.session_state.ga_stem = stem
    st.session_state.ga_original = json.loads(json.dumps(data, default=str))
    edits: dict[str, Any] = {}
    try:
        edits = json.loads(qp.get("gv", "{}"))
    except json.JSONDecodeError:
        st.session_state.ga_warning = "The link's edits could not be read; the scenario is shown as in the library."
    edits = _usable_edits(data, edits) if isinstance(edits, dict) else {}
    data.setdefault("votes", {}).update(edits)
    if qp.get("gq") in ("important", "simple"):
        data["assembly"]["question"] = qp.get("gq")
    st.session_state[GA] = data
    st.session_state.ga_edits = edits


def _usable_edits(data: dict[str, Any], edits: dict[str, Any]) -> dict[str, Any]:
    """The link's edits that make a valid scenario each on its own; the others are dropped, in
    one warning that names them (a link edited by hand, or from another Assembly's date)."""
    good: dict[str, Any] = {}
    bad: list[str] = []
    for name, table in edits.items():
        trial = json.loads(json.dumps(data, default=str))
        trial.setdefault("votes", {})[name] = table
        try:
            if not isinstance(table, dict):
                raise ValueError("not a vote table")
            build_assembly(parse_assembly(trial))
        except (InputError, ValueError) as exc:
            bad.append(f"{name} ({str(exc).splitlines()[0]})")
            continue
        good[name] = table
    if bad:
        st.session_state.ga_warning = "Some of the link's edits could not be used and were left out: " + "; ".join(bad)
    return good


def _link() -> None:
    data = st.session_state[GA]
    if st.session_state.get("ga_uploaded"):  # a link cannot carry an uploaded file: say so, point nowhere
        if st.query_params.to_dict():
            st.query_params.clear()
        return
    params = {"ga": st.session_state.ga_stem, "gq": data["assembly"].get("question", "important")}
    if st.session_state.ga_edits:
        params["gv"] = json.dumps(st.session_state.ga_edits, separators=(",", ":"), sort_keys=True)
    if dict(st.query_params.to_dict()) != params:
        st.query_params.from_dict(params)


def _pick() -> None:
    stem = st.session_state.ga_pick
    data = _load(stem)
    st.session_state.ga_stem = stem
    st.session_state.ga_original = json.loads(json.dumps(data, default=str))
    st.session_state[GA] = data
    st.session_state.ga_edits = {}
    st.session_state.ga_question = data["assembly"].get("question", "important")
    st.session_state.ga_uploaded = None
    st.session_state.ga_error = None
    st.session_state.ga_warning = None


def _set(name: str, table: dict[str, float] | None) -> None:
    """Set a member's or a group's vote table (None: back to the file's)."""
    data = st.session_state[GA]
    votes = data.setdefault("votes", {})
    original = st.session_state.ga_original.get("votes", {})
    if table is None:
        if name in original:
            votes[name] = original[name]
        else:
            votes.pop(name, None)
        st.session_state.ga_edits.pop(name, None)
    else:
        votes[name] = table
        st.session_state.ga_edits[name] = table


def _group_key(group: str) -> str:
    """The [votes] key the file already uses for a regional group (``WEOG``), else its name."""
    for name in (*st.session_state[GA].get("votes", {}), *st.session_state.ga_original.get("votes", {})):
        if group_named(str(name)) == group:
            return str(name)
    return group


def _key_of(code: str) -> str:
    """The [votes] key the file already uses for a member (``India`` for IND), else its code."""
    for name in (*st.session_state[GA].get("votes", {}), *st.session_state.ga_original.get("votes", {})):
        if try_resolve(name) == code:
            return str(name)
    return code


@st.cache_data(max_entries=64, show_spinner=False)
def _result(canon: str, method: str, draws: int, seed: int) -> AssemblyResult:
    spec = parse_assembly(json.loads(canon))
    return simulate_assembly(build_assembly(spec), method=method, draws=draws, seed=seed)  # type: ignore[arg-type]


def _canon(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, default=str)


def _upload() -> None:
    up = st.session_state.get("ga_upload")
    if up is None:
        return
    try:
        spec = any_scenario_from_bytes(up.getvalue(), up.name)
    except InputError as exc:
        st.session_state.ga_error = str(exc)
        return
    if not isinstance(spec, AssemblyScenario):
        st.session_state.ga_error = f"{up.name}: (file): not an Assembly scenario (it has no [assembly] table)"
        return
    data = tomllib.loads(up.getvalue().decode("utf-8-sig"))
    st.session_state.ga_uploaded = Path(up.name).stem or "uploaded"
    st.session_state[GA] = data
    st.session_state.ga_original = json.loads(json.dumps(data, default=str))
    st.session_state.ga_edits = {}
    st.session_state.ga_question = data["assembly"].get("question", "important")
    st.session_state.ga_error = None


def tally_chart(r: AssemblyResult, recorded: int | None = None) -> alt.LayerChart:
    """The distribution of the yes count, with the expected majority line of the question and,
    if given, the recorded yes count."""
    line = r.expected_line()
    df = pd.DataFrame({"yes votes": range(r.n + 1), "probability": r.yes})
    df = df[df["probability"] > 1e-5]
    bars = alt.Chart(df).mark_bar(color="#2e7d32").encode(
        x=alt.X("yes votes:Q", title="Yes votes"),
        y=alt.Y("probability:Q", title="Probability", axis=alt.Axis(format="%")),
        tooltip=["yes votes", alt.Tooltip("probability:Q", format=".2%")])
    label = "two thirds of those present and voting" if r.question == "important" else "majority of those voting"
    rule = alt.Chart(pd.DataFrame({"line": [line], "what": [f"{label} (expected): {line}"]})).mark_rule(
        color="#b71c1c", strokeDash=[5, 3], strokeWidth=2).encode(x="line:Q", tooltip=["what"])
    layers: list[Any] = [bars, rule]
    if recorded is not None:
        layers.append(alt.Chart(pd.DataFrame({"line": [recorded], "what": [f"recorded yes votes: {recorded}"]}))
                      .mark_rule(color="#1565c0", strokeWidth=2).encode(x="line:Q", tooltip=["what"]))
    chart = alt.layer(*layers).properties(height=240)
    assert isinstance(chart, alt.LayerChart)
    return chart


def member_grid(r: AssemblyResult, measure: str) -> alt.Chart:
    """Every member as a cell in its regional group's row, coloured by one vote's probability."""
    rows = []
    for group in REGIONAL_GROUPS:
        members = sorted((i for i, g in enumerate(r.regions) if g == group), key=lambda i: r.members[i])
        for k, i in enumerate(members):
            rows.append({"group": group, "slot": k, "member": display_name(r.members[i]), "code": r.members[i],
                         **{v: float(r.member_votes[i, j]) for j, v in enumerate(("yes", "abstain", "no", "absent"))}})
    df = pd.DataFrame(rows)
    return alt.Chart(df).mark_rect(stroke="white").encode(
        x=alt.X("slot:O", axis=None),
        y=alt.Y("group:N", title=None, sort=list(REGIONAL_GROUPS), axis=alt.Axis(labelLimit=260)),
        color=alt.Color(f"{measure}:Q", scale=alt.Scale(scheme=COLOURS[measure], domain=[0, 1]),
                        legend=alt.Legend(format="%", title=f"P({measure})")),
        tooltip=["member", "code", "group",
                 *(alt.Tooltip(f"{v}:Q", format=".0%") for v in ("yes", "abstain", "no", "absent"))],
    ).properties(height=220)


def assembly_page() -> None:
    _start()
    st.title("General Assembly: will it pass, and by how much?")
    st.caption("Article 18: an important question needs two thirds of the members present and voting; "
               "other questions a simple majority. Abstentions and absences count for nothing.")
    lib = _library()
    with st.sidebar:
        st.selectbox("Library scenario", list(lib), index=list(lib).index(st.session_state.ga_stem)
                     if st.session_state.ga_stem in lib else 0, key="ga_pick", on_change=_pick)
        st.file_uploader(f"Or upload an Assembly scenario (.toml, up to {MAX_SCENARIO_BYTES // 1024} KB)",
                         type=["toml"], key="ga_upload", on_change=_upload, max_upload_size=1)
        if st.session_state.get("ga_uploaded"):
            st.caption(f"Showing your upload, {st.session_state.ga_uploaded}.toml. The page's link cannot carry "
                       "an uploaded file: download the scenario to share it.")
        if st.session_state.get("ga_error"):
            st.error(st.session_state.ga_error)
        method = st.radio("Method", ["exact", "monte-carlo"], key="ga_method", horizontal=True)
        draws = int(st.number_input("Draws", 1_000, 1_000_000, 100_000, step=10_000, key="ga_draws"))
        seed = int(st.number_input("Seed", 0, 2**31 - 1, 0, key="ga_seed"))
    data = st.session_state[GA]
    if st.session_state.get("ga_warning"):
        st.warning(st.session_state.ga_warning)
    question = st.radio("Question", ["important", "simple"], horizontal=True,
                        index=0 if data["assembly"].get("question", "important") == "important" else 1,
                        key="ga_question", help="Art. 18(2) important questions include recommendations on peace "
                                                "and security; an emergency special session's decisions are.")
    data["assembly"]["question"] = question
    try:
        result = _result(_canon(data), method, draws if method == "monte-carlo" else 0, seed)
    except (InputError, ValueError) as exc:
        st.error(f"Could not compute: {exc}")
        return
    st.subheader(data["scenario"]["name"])
    st.markdown(f"**{assembly_verdict(result).text}**")
    t = result.tally()
    m = result.margin()
    c1, c2, c3 = st.columns(3)
    c1.metric("P(adopted)", pct_strict(result.p_adopted), delta=delta(result))
    c2.metric("Expected tally, yes – no – abstain", " – ".join(f"{t[k]['mean']:.0f}" for k in ("yes", "no", "abstain")))
    c3.metric("Margin (yes votes to spare)", f"{m['mean']:+.0f}")
    st.caption(f"90% intervals: {result.tally_line()}; margin {m['lo']:+d} to {m['hi']:+d}. "
               + (f"Monte Carlo, {result.draws:,} draws, seed {result.seed}." if result.draws else "Exact."))
    pin_row(result, data)
    _amendments(result, data)
    ref = data.get("reference")
    if isinstance(ref, dict) and {"yes", "no", "abstain"} <= set(ref):
        st.info(f"Recorded: {ref.get('outcome', '')}, {ref['yes']} – {ref['no']} – {ref['abstain']} "
                f"({ref.get('resolution', '')}).")
    recorded = ref.get("yes") if isinstance(ref, dict) and isinstance(ref.get("yes"), int) else None
    st.altair_chart(tally_chart(result, recorded), width="stretch")
    st.caption("Red dashes: the yes votes the question needs of those expected to vote"
               + ("; blue: the yes votes recorded." if recorded is not None else "."))
    measure = st.radio("Colour the members by", list(MEASURES), horizontal=True, key="ga_measure")
    st.altair_chart(member_grid(result, MEASURES[measure]), width="stretch")
    groups = pd.DataFrame(result.regional_groups()).T.rename_axis("Regional group")
    st.dataframe(groups.style.format("{:.1f}").format("{:.0f}", subset=["members"]), width="stretch")
    _who_decides(result)
    _edits(result)
    compare_section(result, data)
    _downloads(data, result)
    _link()


def _edits(result: AssemblyResult) -> None:
    st.subheader("Edit the votes")
    left, right = st.columns(2)
    with left:
        group = st.selectbox("Regional group", REGIONAL_GROUPS, key="ga_group")
        how = st.radio("Its members vote", list(QUICK), horizontal=True, key="ga_group_vote", index=4)
        if st.button("Apply to the group", key="ga_group_apply"):
            _set(_group_key(group), QUICK[how])
            st.rerun()
    with right:
        names = {f"{display_name(c)} ({c})": c for c in result.members}
        label = st.selectbox("Member", sorted(names), key="ga_member")
        how_m = st.radio("Votes", list(QUICK), horizontal=True, key="ga_member_vote", index=4)
        if st.button("Apply to the member", key="ga_member_apply"):
            _set(_key_of(names[label]), QUICK[how_m])
            st.rerun()
    if st.session_state.ga_edits:
        st.caption("Edits: " + ", ".join(f"{k}: {next(iter(v))}" for k, v in st.session_state.ga_edits.items()))
        if st.button("Undo all edits", key="ga_reset"):
            for name in list(st.session_state.ga_edits):
                _set(name, None)
            st.rerun()


def _who(name: str) -> tuple[str | None, str | None]:
    """(regional group, member code) a [votes] key stands for."""
    group = group_named(name)
    return (group, None) if group is not None else (None, try_resolve(name))


def _overridden(data: dict[str, Any], edits: dict[str, Any]) -> list[str]:
    """The edits an adopted amendment's ``effect`` would replace, in words."""
    from sim.assembly.membership import regional_group

    out = []
    for j, amend in enumerate(data.get("amendments", [])):
        # a table of probabilities replaces the member's numbers; a shift moves them, edits included
        named = [_who(k) for k, t in (amend.get("effect") or {}).items()
                 if isinstance(t, dict) and set(t) & {"yes", "abstain", "no", "absent"}]
        for edit in edits:
            group, code = _who(edit)
            hit = any((g is not None and (g == group or (code is not None and regional_group(code) == g)))
                      or (c is not None and c == code) for g, c in named)
            if hit:
                out.append(f"your edit of {edit} (if A{j + 1} is adopted)")
    return out


def _amendments(result: AssemblyResult, data: dict[str, Any]) -> None:
    """The amendments, voted first in order by the question's majority: each one's P(adopted),
    the draft's chances either way, and the likeliest paths; and the edits an adopted
    amendment's effect replaces."""
    a = result.amendments
    if a is None:
        return
    st.markdown("**Amendments** (voted first, in order, each by the same majority as the draft)")

    def share(p: float | None) -> str:
        return "—" if p is None else pct_strict(p)

    st.dataframe(pd.DataFrame({
        "amendment": [f"A{j + 1}: {name}" for j, name in enumerate(a.names)],
        "P(adopted)": [pct_strict(p) for p in a.p_adopted],
        "P(draft adopted) if it is adopted": [share(g[0]) for g in a.p_draft_given],
        "if it is rejected": [share(g[1]) for g in a.p_draft_given],
    }), hide_index=True, width="stretch")
    paths = sorted(a.paths.items(), key=lambda kv: -kv[1])[:4]
    replaced = _overridden(data, st.session_state.get("ga_edits", {}))
    if replaced:
        st.warning("An adopted amendment's effect sets these members' votes on the draft, replacing "
                   + "; ".join(replaced) + ". Edit the amendment's effect in the file to change them.")
    st.caption("Likeliest paths: " + "; ".join(
        f"{path.short()}, draft {'adopted' if path.draft else 'not adopted'} ({pct_strict(p)})" for path, p in paths))


def _who_decides(result: AssemblyResult) -> None:
    """The members likeliest to vote no or abstain, and those whose vote most often decides it."""
    with st.expander("Who moves it: the likeliest no votes and abstentions, and who decides it"):
        left, mid, right = st.columns(3)
        for col, (title, j) in zip((left, mid), (("Likeliest to vote no", 2), ("Likeliest to abstain", 1)),
                                   strict=True):
            top = likeliest(result.member_votes[:, j], 10)
            col.markdown(f"**{title}**")
            if not top:
                col.caption("None: no member can.")
                continue
            col.dataframe(pd.DataFrame({"member": [display_name(result.members[i]) for i in top],
                                        "P": [f"{100 * result.member_votes[i, j]:.0f}%" for i in top]}),
                          hide_index=True, width="stretch")
        right.markdown("**Whose yes-or-no decides the vote**")
        piv = result.pivotal
        deciders = [] if piv is None else likeliest(piv, 10, PIVOT_SHOWN)
        if not deciders:
            right.caption(f"No member's vote decides it in as many as {100 * PIVOT_SHOWN:.2f}% of cases: the "
                          "outcome does not turn on any one member.")
        else:
            right.dataframe(pd.DataFrame({"member": [display_name(result.members[i]) for i in deciders],
                                          "P(decisive)": [f"{100 * piv[i]:.2f}%" for i in deciders]}),
                            hide_index=True, width="stretch")


def _downloads(data: dict[str, Any], result: AssemblyResult) -> None:
    import tomli_w

    stem = st.session_state.get("ga_uploaded") or st.session_state.ga_stem
    a, b = st.columns(2)
    a.download_button("Download the scenario (.toml)", tomli_w.dumps(json.loads(_canon(data))).encode(),
                      file_name=f"{stem}.toml", key="ga_dl_toml")
    b.download_button("Download the result (.json)", json.dumps(result.to_dict(), indent=2).encode(),
                      file_name=f"{stem}_result.json", key="ga_dl_json")
