"""Loaders for the UN voting record files described in ``shared/data/SOURCES.md``.

Every loader reads one source format and returns a tidy :class:`pandas.DataFrame` with ISO3
member codes (via :mod:`sim.scenario.names`). This is an edge module: it does I/O; the calibration core
(:mod:`sim.calibration`) never imports it and works on the DataFrames it returns.

Bad input (a missing file, a missing column, an unreadable file) raises
:class:`sim.errors.InputError` with a one-line message ``FILE: field: problem``.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from sim.engine.votes import CAST_WORDS
from sim.errors import InputError
from sim.scenario.names import PERMANENT_SEATS, try_resolve

from .inputs import FileRefused, check_regular_file

__all__ = [
    "FILES",
    "InputError",
    "file_sha256",
    "load_ga_recorded_votes",
    "load_ga_votes",
    "load_ideal_points",
    "load_membership",
    "load_regional_groups",
    "load_sc_adopted_votes",
    "load_sc_draft_votes",
    "load_vetoes",
    "member_covariates",
    "resolve_column",
]


#: Default file names inside the data directory.
FILES: dict[str, str] = {
    "sc_draft_votes": "unsc_draft_votes_1994_2023_oliverunv.csv.gz",
    "sc_adopted_votes": "unsc_adopted_votes_1946_2021_long.csv.gz",
    "vetoes": "unsc_vetoes_1946_2022.csv",
    "ga_votes": "unvotes_un_votes.csv.gz",
    "ga_roll_calls": "unvotes_un_roll_calls.csv.gz",
    "ga_recorded_votes": "unxml_ga_recorded_votes_2019_2023_long.csv.gz",
    "ideal_points": "voeten_idealpoints_1946_2022.csv.gz",
    "membership": "unsc_membership_1946_2024_dppa.csv",
    "membership_supplement": "unsc_membership_2025_2027_supplement.csv",
    "regional_groups": "un_regional_groups_2024.csv",
}

#: Largest records file accepted, in bytes on disk (compressed if it is .gz); the largest
#: shipped source is under 3 MB.
MAX_CSV_BYTES = 256 * 1024 * 1024


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes (for provenance)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_csv(path: str | Path, required: Iterable[str], **kw: object) -> pd.DataFrame:
    p = Path(path)
    if not p.exists() and not p.is_symlink():
        raise InputError("file", "not found", str(p))
    if p.is_dir():
        raise InputError("file", "is a directory, expected a CSV file", str(p))
    try:
        check_regular_file(p, MAX_CSV_BYTES)  # never a FIFO or a device: endless or blocking
    except FileRefused as exc:
        raise InputError("file", str(exc), str(p)) from None
    try:
        df = pd.read_csv(p, low_memory=False, **kw)
    except (UnicodeDecodeError, gzip.BadGzipFile, pd.errors.ParserError, OSError, EOFError) as e:
        raise InputError("file", f"unreadable ({type(e).__name__})", str(p)) from None
    except pd.errors.EmptyDataError:
        raise InputError("file", "empty", str(p)) from None
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    for col in required:
        if col not in df.columns:
            raise InputError(col, "missing column", str(p))
    return df


def resolve_column(names: pd.Series) -> pd.Series:
    """Map a column of member names to ISO3 codes (None where unknown)."""
    uniq = {n: (try_resolve(str(n).strip()) if isinstance(n, str) and n.strip() else None)
            for n in names.dropna().unique()}
    return names.map(uniq).astype(object).where(names.notna(), None)


# --------------------------------------------------------------------------------------------
# Security Council


_SC_DRAFT_VOTE = {"yes": "yes", "abstain": "abstain", "no": "no"}
SC_DRAFT_COLUMNS = ("ID", "Date", "Member State")
SC_DRAFT_CONTEXT = ("Year", "Draft", "Agenda item", "Category", "Region", "Submitted by",
                    "Topic", "Membership_Status")
#: Columns that describe the result of a vote; prediction must never read them.
SC_OUTCOME_COLUMNS = ("Vote", "Outcome results", "Resolution", "Meeting")


def load_sc_draft_votes(path: str | Path, *, outcomes: bool = True) -> pd.DataFrame:
    """The SC draft-vote file (oliverunv format): one row per (vote event, member).

    Returns columns ``event_id, date, year, member (ISO3), member_name, sponsor, topic, agenda,
    category, region, draft`` and, when present, ``vote`` (yes/abstain/no), ``outcome`` (the
    ``Outcome results`` text), ``adopted`` (bool: the text says adopted) and ``resolution``
    (the resolution number as recorded, e.g. ``"2623 (2022)"``, or None: no resolution number,
    blank or ``Missing``). The outcome text is taken as recorded; it has errors that
    :func:`sim.calibration.clean.reconcile_outcomes` corrects from the tally and the resolution
    number. Members absent from an event simply have no row. Duplicated (event, member) rows
    (a handful of data errors with conflicting votes) keep the last row.

    With ``outcomes=False`` (forecasting) the outcome columns (:data:`SC_OUTCOME_COLUMNS`) are
    dropped right after reading, so nothing downstream can read them.
    """
    required = list(SC_DRAFT_COLUMNS) + (["Vote", "Outcome results"] if outcomes else [])
    df = _read_csv(path, required)
    if not outcomes:
        df = df.drop(columns=[c for c in SC_OUTCOME_COLUMNS if c in df.columns])
    p = Path(path)
    if df.empty:
        raise InputError("rows", "no data rows", str(p))
    ids = df["ID"].astype(str).str.strip()
    if (df["ID"].isna() | (ids == "")).any():
        raise InputError("ID", "missing value", str(p))
    out = pd.DataFrame({
        "event_id": ids.str.replace(r"\.0$", "", regex=True),
        "member_name": df["Member State"].astype(str),
    })
    dates = pd.to_datetime(df["Date"].astype(str).str.strip().str.rstrip(","), errors="coerce")
    if dates.isna().any():
        bad = df.loc[dates.isna(), "Date"].iloc[0]
        raise InputError("Date", f"unparseable date {bad!r}", str(p))
    out["date"] = dates.dt.date
    out["year"] = dates.dt.year.astype(int)
    members = resolve_column(df["Member State"])
    if members.isna().any():
        bad = df.loc[members.isna(), "Member State"].iloc[0]
        raise InputError("Member State", f"unknown member {bad!r}", str(p))
    out["member"] = members.astype(str)
    for src, dst in [("Submitted by", "sponsor"), ("Topic", "topic"), ("Agenda item", "agenda"),
                     ("Category", "category"), ("Region", "region"), ("Draft", "draft")]:
        out[dst] = df[src].astype(object).where(df[src].notna(), None) if src in df else None
    if "Vote" in df.columns:
        v = df["Vote"].astype(str).str.strip().str.lower().map(_SC_DRAFT_VOTE)
        if v.isna().any():
            bad = df.loc[v.isna(), "Vote"].iloc[0]
            raise InputError("Vote", f"unknown vote {bad!r}", str(p))
        out["vote"] = v
    if "Outcome results" in df.columns:
        oc = df["Outcome results"].astype(str).str.strip()
        out["outcome"] = oc
        out["adopted"] = oc.str.lower().str.startswith("adopted")
    if "Resolution" in df.columns:
        number = df["Resolution"].astype(str).str.extract(r"(\d+\s*\(\s*\d{4}\s*\)?)")[0]
        out["resolution"] = number.str.replace(r"\s+", " ", regex=True).astype(object) \
            .where(number.notna(), None)
    if outcomes:
        out = out.drop_duplicates(["event_id", "member"], keep="last").reset_index(drop=True)
    return out


def load_sc_adopted_votes(path: str | Path) -> pd.DataFrame:
    """Adopted SC resolutions 1946-2021 (long file): ``date, resolution, member, vote``.

    vote is yes/no/abstain/non_voting (source codes Y/N/A/X).
    """
    df = _read_csv(path, ["date", "resolution", "member_state", "vote"])
    codes = {"Y": "yes", "N": "no", "A": "abstain", "X": "non_voting"}
    out = pd.DataFrame({
        "date": pd.to_datetime(df["date"], errors="coerce").dt.date,
        "resolution": df["resolution"].astype(str),
        "member": resolve_column(df["member_state"]),
        "member_name": df["member_state"].astype(str),
        "vote": df["vote"].astype(str).str.strip().str.upper().map(codes),
    })
    if out["vote"].isna().any():
        raise InputError("vote", "unknown vote code", str(path))
    return out


def load_vetoes(path: str | Path) -> pd.DataFrame:
    """Vetoes 1946-2022 (Latin-1): one row per (vetoed draft, vetoing member)."""
    df = _read_csv(path, ["date", "draft", "member_veto1"], encoding="latin-1")
    rows = []
    for _, r in df.iterrows():
        for k in ("member_veto1", "member_veto2", "member_veto3"):
            name = r.get(k)
            if isinstance(name, str) and name.strip():
                rows.append({"date": r["date"], "draft": str(r["draft"]).strip(),
                             "agenda": r.get("agenda_item"), "member": try_resolve(name.strip())})
    out = pd.DataFrame(rows, columns=["date", "draft", "agenda", "member"])
    out["date"] = pd.to_datetime(out["date"], format="%m/%d/%Y", errors="coerce").dt.date
    return out


# --------------------------------------------------------------------------------------------
# General Assembly


def load_ga_votes(votes_path: str | Path, roll_calls_path: str | Path) -> pd.DataFrame:
    """GA roll-call votes (unvotes): ``rcid, date, session, member, vote`` (yes/abstain/no)."""
    v = _read_csv(votes_path, ["rcid", "country", "vote"])
    rc = _read_csv(roll_calls_path, ["rcid", "session", "date"])
    out = v.merge(rc[["rcid", "session", "date"]], on="rcid", how="left")
    res = pd.DataFrame({
        "rcid": out["rcid"],
        "date": pd.to_datetime(out["date"], errors="coerce").dt.date,
        "session": out["session"],
        "member": resolve_column(out["country"]),
        "vote": out["vote"].astype(str).str.strip().str.lower(),
    })
    if not res["vote"].isin(CAST_WORDS).all():
        raise InputError("vote", "unknown vote", str(votes_path))
    return res


def load_ga_recorded_votes(path: str | Path) -> pd.DataFrame:
    """UNxml GA recorded votes 2019-2023 (long): ``date, symbol, member, vote``."""
    df = _read_csv(path, ["date", "symbol", "member_state", "vote"])
    codes = {"Y": "yes", "N": "no", "A": "abstain"}
    out = pd.DataFrame({
        "date": pd.to_datetime(df["date"], errors="coerce").dt.date,
        "symbol": df["symbol"].astype(str),
        "member": resolve_column(df["member_state"]),
        "vote": df["vote"].astype(str).str.strip().str.upper().map(codes),
    })
    if out["vote"].isna().any():
        raise InputError("vote", "unknown vote code", str(path))
    return out


def load_ideal_points(path: str | Path) -> pd.DataFrame:
    """Bailey-Strezhnev-Voeten ideal points: ``member, session, year, ideal, us_agree,
    ru_agree, cn_agree`` (year = 1945 + session, the calendar year the session opens)."""
    df = _read_csv(path, ["session", "IdealPointAll", "iso3c", "USAgree", "RUSSAgree",
                          "ChinaAgree"])
    iso = df["iso3c"].astype(object)
    names = df["Countryname"] if "Countryname" in df.columns else iso
    member = resolve_column(iso.where(iso.notna(), names))
    # BSV codes: the USSR and Russia share 'RUS'; the session decides the seat.
    session = pd.to_numeric(df["session"], errors="coerce")
    out = pd.DataFrame({
        "member": member,
        "session": session,
        "year": 1945 + session,
        "ideal": pd.to_numeric(df["IdealPointAll"], errors="coerce"),
        "us_agree": pd.to_numeric(df["USAgree"], errors="coerce"),
        "ru_agree": pd.to_numeric(df["RUSSAgree"], errors="coerce"),
        "cn_agree": pd.to_numeric(df["ChinaAgree"], errors="coerce"),
    })
    return out.dropna(subset=["member", "session"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Membership and groups


def load_membership(path: str | Path, supplement: str | Path | None = None) -> pd.DataFrame:
    """Council membership: ``year, member, permanent`` (blank source rows are dropped)."""
    df = _read_csv(path, ["year", "security_council_member"])
    frames = [df[["year", "security_council_member"]]]
    if supplement is not None:
        frames.append(_read_csv(supplement, ["year", "security_council_member"])
                      [["year", "security_council_member"]])
    allm = pd.concat(frames, ignore_index=True).dropna(subset=["security_council_member"])
    year = pd.to_numeric(allm["year"], errors="coerce")
    if year.isna().any():
        bad = allm.loc[year.isna(), "year"].iloc[0]
        raise InputError("year", f"not a year: {bad!r}", str(path))
    out = pd.DataFrame({"year": year.astype(int),
                        "member": resolve_column(allm["security_council_member"])})
    out = out.dropna().drop_duplicates().sort_values(["year", "member"]).reset_index(drop=True)
    out["permanent"] = out["member"].isin(PERMANENT_SEATS)
    return out


_GROUPS = {
    "african states": "AFR",
    "asia-pacific states": "APG",
    "eastern european states": "EEG",
    "latin american and caribbean states": "GRULAC",
    "western european and other states": "WEOG",
}


def load_regional_groups(path: str | Path) -> pd.DataFrame:
    """UN regional groups: ``member, group`` (AFR/APG/EEG/GRULAC/WEOG), one row per member.

    Türkiye is listed in two groups; it is kept in WEOG (its group for elections). The USA,
    an observer of WEOG that counts there for elections, is added to WEOG if absent.
    """
    df = _read_csv(path, ["country", "UN_regional_group"], encoding="utf-8-sig")
    grp = df["UN_regional_group"].astype(str).str.strip().str.lower().map(_GROUPS)
    if grp.isna().any():
        bad = df.loc[grp.isna(), "UN_regional_group"].iloc[0]
        raise InputError("UN_regional_group", f"unknown group {bad!r}", str(path))
    out = pd.DataFrame({"member": resolve_column(df["country"].astype(str).str.strip()),
                        "group": grp})
    out = out.dropna(subset=["member"])
    out["_w"] = (out["group"] == "WEOG").astype(int)
    out = out.sort_values(["member", "_w"]).drop_duplicates("member", keep="last")
    out = out.drop(columns="_w")
    if "USA" not in set(out["member"]):
        out = pd.concat([out, pd.DataFrame({"member": ["USA"], "group": ["WEOG"]})])
    return out.sort_values("member").reset_index(drop=True)


def member_covariates(ideal: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Per (member, year) GA covariates for the calibration prior.

    ``year`` is the year of the General Assembly session (the session opens in September of
    ``year``); the calibration uses, for a vote in year Y, the latest session opening before Y-1
    ended (so only completed sessions are used). Columns: ``member, year, ideal, us_agree,
    ru_agree, cn_agree, group``.
    """
    cov = ideal[["member", "year", "ideal", "us_agree", "ru_agree", "cn_agree"]].copy()
    cov = cov.groupby(["member", "year"], as_index=False).mean()
    cov = cov.merge(groups, on="member", how="left")
    cov["year"] = cov["year"].astype(int)
    return cov


def data_dir_inputs(data_dir: str | Path) -> dict[str, Path]:
    """Paths of the inputs the calibration fit uses; checks that the directory exists."""
    d = Path(data_dir)
    if not d.exists():
        raise InputError("data", "directory not found", str(d))
    if not d.is_dir():
        raise InputError("data", "not a directory", str(d))
    keys = ("sc_draft_votes", "ideal_points", "regional_groups")
    paths = {k: d / FILES[k] for k in keys}
    for _k, p in paths.items():
        if not p.exists():
            raise InputError("file", "not found in data directory", str(p))
    return paths


def load_calibration_inputs(data_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame,
                                                           dict[str, str]]:
    """(SC draft votes, member covariates, {file name: sha256}) for fitting."""
    paths = data_dir_inputs(data_dir)
    votes = load_sc_draft_votes(paths["sc_draft_votes"])
    cov = member_covariates(load_ideal_points(paths["ideal_points"]),
                            load_regional_groups(paths["regional_groups"]))
    hashes = {p.name: file_sha256(p) for p in paths.values()}
    return votes, cov, hashes
