"""Derive each UN member's General Assembly base rates (yes, abstain, no, absent) from the
recorded votes of 2019-2023: the default numbers of an Assembly scenario's unlisted members
until the Assembly's own calibration lands (issue 15).

    .venv/bin/python tools/assembly_base_rates.py ../shared/data sim/params/assembly_base_rates.csv

A member listed in none of a vote's three lists was absent or did not vote: that is its
"absent". Members are resolved with sim.scenario.names; the 193 members of 2019-2023 (no
admission in those years) are the denominator of every vote.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd

from sim.scenario.names import resolve

SOURCE = "unxml_ga_recorded_votes_2019_2023_long.csv.gz"


def main(data: Path, out: Path) -> None:
    votes = pd.read_csv(data / SOURCE, dtype={"session_file": str})
    votes["code"] = [resolve(name) for name in votes["member_state"]]
    events = votes["symbol"].nunique()
    counts = votes.pivot_table(index="code", columns="vote", values="symbol", aggfunc="count", fill_value=0)
    listed = counts.sum(axis=1)
    rates = pd.DataFrame({
        "code": counts.index,
        "yes": counts.get("Y", 0) / events,
        "abstain": counts.get("A", 0) / events,
        "no": counts.get("N", 0) / events,
        "absent": (events - listed) / events,
        "votes": events,
    })
    rates = rates[rates["absent"] < 1.0].round(4)
    # rounding: keep each row summing to 1 exactly, in the absent column
    rates["absent"] = (1.0 - rates[["yes", "abstain", "no"]].sum(axis=1)).round(4).clip(lower=0.0)
    last = votes["date"].max()
    header = (f"# Assembly base rates per member, from {SOURCE} ({events} recorded votes, "
              f"{votes['date'].min()} to {last}); built {dt.date.today().isoformat()} by "
              f"tools/assembly_base_rates.py; data cut-off {last}\n")
    out.write_text(header + rates.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    print(f"{len(rates)} members, {events} votes -> {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
