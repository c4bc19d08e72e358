"""Resolve UN member names (short, common, official, historical, misspelt) to ISO alpha-3 codes.

Codes are ISO 3166-1 alpha-3 where one exists; historical states use ISO 3166-3 or conventional
codes: SUN (USSR), ROC (Republic of China seat before 1972), YUG, CSK, DDR, YMD (South Yemen),
SCG (Serbia and Montenegro), ZAN (Zanzibar, 1963-64).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

__all__ = [
    "KNOWN_CODES",
    "PERMANENT_NOW",
    "PERMANENT_SEATS",
    "UnknownMemberError",
    "display_name",
    "resolve",
    "resolve_for_year",
    "seat_code",
    "try_resolve",
]

#: The five permanent members today (Charter Art. 23, with the PRC and Russia in their seats).
PERMANENT_NOW: tuple[str, ...] = ("CHN", "FRA", "RUS", "GBR", "USA")

#: Every code that has held a permanent seat, in display order: China's seat (PRC, then ROC
#: before 1971-10-25), France, Russia's seat (Russia, then the USSR before 1991-12-24), UK, US.
PERMANENT_SEATS: tuple[str, ...] = ("CHN", "ROC", "FRA", "RUS", "SUN", "GBR", "USA")


class UnknownMemberError(ValueError):
    """Raised when a name cannot be resolved to a member code."""


# code -> (display name, *aliases). The display name is itself an alias. Aliases cover UN short
# and official names, common English names, former names, and names/misspellings found in the
# Security Council vote files under /work/shared/data (see tests/test_names.py).
_TABLE: Mapping[str, tuple[str, ...]] = {
    # --- Permanent members and their historical seats -------------------------------------
    "CHN": ("China", "People's Republic of China", "PRC", "China (People's Republic of)",
            "Mainland China"),
    "ROC": ("Republic of China", "China (Taiwan)", "Taiwan", "TWN", "Nationalist China",
            "Formosa", "Republic of China (Taiwan)", "Taiwan, Province of China"),
    "FRA": ("France", "French Republic"),
    "RUS": ("Russia", "Russian Federation"),
    "SUN": ("USSR", "Soviet Union", "Union of Soviet Socialist Republics", "U.S.S.R.",
            "USSR (Union of Soviet Socialist Republics)"),
    "GBR": ("United Kingdom", "United Kingdom of Great Britain and Northern Ireland", "UK",
            "U.K.", "Britain", "Great Britain"),
    "USA": ("United States", "United States of America", "US", "U.S.", "U.S.A.",
            "Aa UNITED STATES"),
    # --- Other states, A-Z by display name -------------------------------------------------
    "AFG": ("Afghanistan", "Islamic Republic of Afghanistan", "Islamic Emirate of Afghanistan"),
    "ALB": ("Albania", "Republic of Albania"),
    "DZA": ("Algeria", "People's Democratic Republic of Algeria"),
    "AND": ("Andorra", "Principality of Andorra"),
    "AGO": ("Angola", "Republic of Angola"),
    "ATG": ("Antigua and Barbuda", "Antigua"),
    "ARG": ("Argentina", "Argentine Republic"),
    "ARM": ("Armenia", "Republic of Armenia"),
    "AUS": ("Australia", "Commonwealth of Australia"),
    "AUT": ("Austria", "Republic of Austria"),
    "AZE": ("Azerbaijan", "Republic of Azerbaijan"),
    "BHS": ("Bahamas", "Commonwealth of the Bahamas"),
    "BHR": ("Bahrain", "Kingdom of Bahrain"),
    "BGD": ("Bangladesh", "People's Republic of Bangladesh"),
    "BRB": ("Barbados",),
    "BLR": ("Belarus", "Republic of Belarus", "Byelorussian SSR", "Belorussian SSR",
            "Byelorussian Soviet Socialist Republic", "Belarusian SSR", "Byelorussia",
            "Belorussia"),
    "BEL": ("Belgium", "Kingdom of Belgium"),
    "BLZ": ("Belize",),
    "BEN": ("Benin", "Republic of Benin", "Dahomey"),
    "BTN": ("Bhutan", "Kingdom of Bhutan"),
    "BOL": ("Bolivia", "Bolivia (Plurinational State of)", "Plurinational State of Bolivia",
            "Bolivia (Plurinatioanl State of)", "Bolivia (Plunational State of)"),
    "BIH": ("Bosnia and Herzegovina", "Bosnia", "Bosnia-Herzegovina"),
    "BWA": ("Botswana", "Republic of Botswana"),
    "BRA": ("Brazil", "Federative Republic of Brazil"),
    "BRN": ("Brunei", "Brunei Darussalam"),
    "BGR": ("Bulgaria", "Republic of Bulgaria"),
    "BFA": ("Burkina Faso", "Upper Volta"),
    "BDI": ("Burundi", "Republic of Burundi"),
    "CPV": ("Cabo Verde", "Cape Verde", "Republic of Cabo Verde"),
    "KHM": ("Cambodia", "Kingdom of Cambodia", "Democratic Kampuchea", "Democratic Campuchea",
            "Kampuchea", "Khmer Republic"),
    "CMR": ("Cameroon", "Republic of Cameroon", "United Republic of Cameroon"),
    "CAN": ("Canada",),
    "CAF": ("Central African Republic", "Central African Empire", "CAR"),
    "TCD": ("Chad", "Republic of Chad"),
    "CHL": ("Chile", "Republic of Chile", "CHILEs"),
    "COL": ("Colombia", "Republic of Colombia"),
    "COM": ("Comoros", "Union of the Comoros"),
    "COG": ("Congo", "Republic of the Congo", "Congo (Brazzaville)", "Congo-Brazzaville",
            "Congo - Brazzaville", "Congo Republic"),
    "COD": ("DR Congo", "Democratic Republic of the Congo", "DRC", "D.R. Congo",
            "Congo (Democratic Republic of)", "Congo, Democratic Republic of the",
            "Congo (Kinshasa)", "Congo-Kinshasa", "Congo - Kinshasa", "Congo (Leopoldville)",
            "Congo (Léopoldville)", "Zaire", "Republic of Zaire"),
    "CRI": ("Costa Rica", "Republic of Costa Rica"),
    "CIV": ("Côte d'Ivoire", "Cote d'Ivoire", "Ivory Coast", "Republic of Côte d'Ivoire"),
    "HRV": ("Croatia", "Republic of Croatia"),
    "CUB": ("Cuba", "Republic of Cuba"),
    "CYP": ("Cyprus", "Republic of Cyprus"),
    "CZE": ("Czechia", "Czech Republic"),
    "PRK": ("North Korea", "Democratic People's Republic of Korea", "DPRK",
            "Korea, Democratic People's Republic of", "Korea (Democratic People's Republic of)",
            "Korea, North"),
    "DNK": ("Denmark", "Kingdom of Denmark", "AY DENMARK"),
    "DJI": ("Djibouti", "Republic of Djibouti"),
    "DMA": ("Dominica", "Commonwealth of Dominica"),
    "DOM": ("Dominican Republic",),
    "ECU": ("Ecuador", "Republic of Ecuador"),
    "EGY": ("Egypt", "Arab Republic of Egypt", "United Arab Republic", "UAR"),
    "SLV": ("El Salvador", "Republic of El Salvador"),
    "GNQ": ("Equatorial Guinea", "Republic of Equatorial Guinea"),
    "ERI": ("Eritrea", "State of Eritrea"),
    "EST": ("Estonia", "Republic of Estonia"),
    "SWZ": ("Eswatini", "Kingdom of Eswatini", "Swaziland", "Kingdom of Swaziland"),
    "ETH": ("Ethiopia", "Federal Democratic Republic of Ethiopia", "Ethipia"),
    "FJI": ("Fiji", "Republic of Fiji"),
    "FIN": ("Finland", "Republic of Finland"),
    "GAB": ("Gabon", "Gabonese Republic"),
    "GMB": ("Gambia", "Republic of the Gambia", "The Gambia"),
    "GEO": ("Georgia",),
    "DEU": ("Germany", "Federal Republic of Germany", "West Germany", "German FR",
            "German FR (German Federal Republic)", "German Federal Republic", "FRG",
            "Germany, Federal Republic of", "Germany (Federal Republic of)"),
    "DDR": ("East Germany", "German Democratic Republic", "German DR",
            "German DR (German Democratic Republic)", "GDR", "Germany, Democratic Republic of"),
    "GHA": ("Ghana", "Republic of Ghana"),
    "GRC": ("Greece", "Hellenic Republic"),
    "GRD": ("Grenada",),
    "GTM": ("Guatemala", "Republic of Guatemala"),
    "GIN": ("Guinea", "Republic of Guinea"),
    "GNB": ("Guinea-Bissau", "Republic of Guinea-Bissau"),
    "GUY": ("Guyana", "Co-operative Republic of Guyana", "Cooperative Republic of Guyana"),
    "HTI": ("Haiti", "Republic of Haiti"),
    "VAT": ("Holy See", "Vatican", "Vatican City", "Vatican City State"),
    "HND": ("Honduras", "Republic of Honduras"),
    "HUN": ("Hungary",),
    "ISL": ("Iceland",),
    "IND": ("India", "Republic of India"),
    "IDN": ("Indonesia", "Republic of Indonesia"),
    "IRN": ("Iran", "Iran (Islamic Republic of)", "Islamic Republic of Iran",
            "Iran, Islamic Republic of"),
    "IRQ": ("Iraq", "Republic of Iraq"),
    "IRL": ("Ireland", "Republic of Ireland", "Eire"),
    "ISR": ("Israel", "State of Israel"),
    "ITA": ("Italy", "Italian Republic"),
    "JAM": ("Jamaica",),
    "JPN": ("Japan",),
    "JOR": ("Jordan", "Hashemite Kingdom of Jordan"),
    "KAZ": ("Kazakhstan", "Republic of Kazakhstan", "TKAZAKHSTAN"),
    "KEN": ("Kenya", "Republic of Kenya"),
    "KIR": ("Kiribati",),
    "KWT": ("Kuwait", "State of Kuwait"),
    "KGZ": ("Kyrgyzstan", "Kyrgyz Republic"),
    "LAO": ("Laos", "Lao People's Democratic Republic", "Lao PDR"),
    "LVA": ("Latvia", "Republic of Latvia"),
    "LBN": ("Lebanon", "Lebanese Republic"),
    "LSO": ("Lesotho", "Kingdom of Lesotho"),
    "LBR": ("Liberia", "Republic of Liberia"),
    "LBY": ("Libya", "State of Libya", "Libyan Arab Jamahiriya", "Libyan Arab Republic",
            "Socialist People's Libyan Arab Jamahiriya", "Great Socialist People's Libyan "
            "Arab Jamahiriya"),
    "LIE": ("Liechtenstein",),
    "LTU": ("Lithuania", "Republic of Lithuania"),
    "LUX": ("Luxembourg", "Grand Duchy of Luxembourg"),
    "MDG": ("Madagascar", "Republic of Madagascar", "Malagasy Republic"),
    "MWI": ("Malawi", "Republic of Malawi"),
    "MYS": ("Malaysia", "Federation of Malaya", "Malaya"),
    "MDV": ("Maldives", "Republic of Maldives", "Maldive Islands"),
    "MLI": ("Mali", "Republic of Mali"),
    "MLT": ("Malta", "Republic of Malta"),
    "MHL": ("Marshall Islands", "Republic of the Marshall Islands"),
    "MRT": ("Mauritania", "Islamic Republic of Mauritania"),
    "MUS": ("Mauritius", "Republic of Mauritius"),
    "MEX": ("Mexico", "United Mexican States"),
    "FSM": ("Micronesia", "Micronesia (Federated States of)", "Federated States of Micronesia"),
    "MDA": ("Moldova", "Republic of Moldova", "Repulic of Moldova"),
    "MCO": ("Monaco", "Principality of Monaco"),
    "MNG": ("Mongolia",),
    "MNE": ("Montenegro",),
    "MAR": ("Morocco", "Kingdom of Morocco"),
    "MOZ": ("Mozambique", "Republic of Mozambique"),
    "MMR": ("Myanmar", "Burma", "Myanmar (Burma)", "Republic of the Union of Myanmar"),
    "NAM": ("Namibia", "Republic of Namibia"),
    "NRU": ("Nauru", "Republic of Nauru"),
    "NPL": ("Nepal",),
    "NLD": ("Netherlands", "Netherlands (Kingdom of the)", "Kingdom of the Netherlands",
            "Holland"),
    "NZL": ("New Zealand",),
    "NIC": ("Nicaragua", "Republic of Nicaragua"),
    "NER": ("Niger", "Republic of the Niger"),
    "NGA": ("Nigeria", "Federal Republic of Nigeria"),
    "MKD": ("North Macedonia", "Republic of North Macedonia", "Macedonia",
            "The former Yugoslav Republic of Macedonia", "FYR Macedonia", "FYROM"),
    "NOR": ("Norway", "Kingdom of Norway"),
    "OMN": ("Oman", "Sultanate of Oman"),
    "PAK": ("Pakistan", "Islamic Republic of Pakistan"),
    "PLW": ("Palau", "Republic of Palau"),
    "PSE": ("Palestine", "State of Palestine"),
    "PAN": ("Panama", "Republic of Panama"),
    "PNG": ("Papua New Guinea",),
    "PRY": ("Paraguay", "Republic of Paraguay"),
    "PER": ("Peru", "Republic of Peru"),
    "PHL": ("Philippines", "Republic of the Philippines", "Philippine Republic"),
    "POL": ("Poland", "Republic of Poland"),
    "PRT": ("Portugal", "Portuguese Republic"),
    "QAT": ("Qatar", "State of Qatar"),
    "ROU": ("Romania", "Rumania", "Roumania"),
    "RWA": ("Rwanda", "Republic of Rwanda"),
    "KNA": ("Saint Kitts and Nevis", "Saint Christopher and Nevis", "St Kitts"),
    "LCA": ("Saint Lucia",),
    "VCT": ("Saint Vincent and the Grenadines", "Saint Vincent", "Saint Vincent and Grenadines"),
    "WSM": ("Samoa", "Independent State of Samoa", "Western Samoa"),
    "SMR": ("San Marino", "Republic of San Marino"),
    "STP": ("Sao Tome and Principe", "São Tomé and Príncipe",
            "Democratic Republic of Sao Tome and Principe"),
    "SAU": ("Saudi Arabia", "Kingdom of Saudi Arabia", "Saudia Arabia"),
    "SEN": ("Senegal", "Republic of Senegal"),
    "SRB": ("Serbia", "Republic of Serbia"),
    "SYC": ("Seychelles", "Republic of Seychelles"),
    "SLE": ("Sierra Leone", "Republic of Sierra Leone"),
    "SGP": ("Singapore", "Republic of Singapore"),
    "SVK": ("Slovakia", "Slovak Republic"),
    "SVN": ("Slovenia", "Republic of Slovenia"),
    "SLB": ("Solomon Islands",),
    "SOM": ("Somalia", "Federal Republic of Somalia", "Somali Republic"),
    "ZAF": ("South Africa", "Republic of South Africa", "Union of South Africa",
            "AY UNION OF SOUTH AFRICA"),
    "KOR": ("South Korea", "Republic of Korea", "ROK", "Korea, Republic of",
            "Korea (Republic of)", "Korea, South"),
    "SSD": ("South Sudan", "Republic of South Sudan"),
    "ESP": ("Spain", "Kingdom of Spain"),
    "LKA": ("Sri Lanka", "Democratic Socialist Republic of Sri Lanka", "Ceylon"),
    "SDN": ("Sudan", "Republic of the Sudan", "The Sudan"),
    "SUR": ("Suriname", "Republic of Suriname", "Surinam"),
    "SWE": ("Sweden", "Kingdom of Sweden", "AY SWEDEN"),
    "CHE": ("Switzerland", "Swiss Confederation"),
    "SYR": ("Syria", "Syrian Arab Republic"),
    "TJK": ("Tajikistan", "Republic of Tajikistan"),
    "TZA": ("Tanzania", "United Republic of Tanzania", "Tanganyika"),
    "THA": ("Thailand", "Kingdom of Thailand", "Siam"),
    "TLS": ("Timor-Leste", "East Timor", "Democratic Republic of Timor-Leste"),
    "TGO": ("Togo", "Togolese Republic"),
    "TON": ("Tonga", "Kingdom of Tonga"),
    "TTO": ("Trinidad and Tobago", "Republic of Trinidad and Tobago"),
    "TUN": ("Tunisia", "Republic of Tunisia"),
    "TUR": ("Turkey", "Türkiye", "Republic of Türkiye", "Republic of Turkey"),
    "TKM": ("Turkmenistan",),
    "TUV": ("Tuvalu",),
    "UGA": ("Uganda", "Republic of Uganda"),
    "UKR": ("Ukraine", "Ukrainian SSR", "Ukrainian Soviet Socialist Republic",
            "Ukrainian SSR (Ukrainian Soviet Socialist Republic)",
            "Ukranian Soviet Socialist Republic"),
    "ARE": ("United Arab Emirates", "UAE", "Emirates"),
    "URY": ("Uruguay", "Oriental Republic of Uruguay"),
    "UZB": ("Uzbekistan", "Republic of Uzbekistan"),
    "VUT": ("Vanuatu", "Republic of Vanuatu"),
    "VEN": ("Venezuela", "Venezuela (Bolivarian Republic of)",
            "Bolivarian Republic of Venezuela"),
    "VNM": ("Vietnam", "Viet Nam", "Socialist Republic of Viet Nam"),
    "YEM": ("Yemen", "Republic of Yemen", "Yemen Arab Republic", "North Yemen"),
    "ZMB": ("Zambia", "Republic of Zambia"),
    "ZWE": ("Zimbabwe", "Republic of Zimbabwe"),
    # --- Dissolved states without a current ISO 3166-1 code --------------------------------
    "YUG": ("Yugoslavia", "Socialist Federal Republic of Yugoslavia", "SFRY",
            "Federal Republic of Yugoslavia", "FRY", "Federal People's Republic of Yugoslavia"),
    "SCG": ("Serbia and Montenegro", "SERBIAMONTENEGRO", "State Union of Serbia and Montenegro"),
    "CSK": ("Czechoslovakia", "Czechoslovak Socialist Republic", "Czech and Slovak Federal "
            "Republic", "Czechoslovak Republic"),
    "YMD": ("South Yemen", "Democratic Yemen", "People's Democratic Republic of Yemen",
            "Yemen People's Republic", "Southern Yemen", "PDRY"),
    "ZAN": ("Zanzibar",),
}

KNOWN_CODES: frozenset[str] = frozenset(_TABLE)

# Seat continuity for records that name a member without its historical identity: the vote
# files call the pre-1972 Republic of China seat "China", one file calls the USSR "Russian
# Federation", and the PDRY held the Yemeni seat for Jan-May 1990 (DPPA lists "Yemen").
# Each entry: code -> ((first_year, last_year, seat code), ...).
_SEAT_BY_YEAR: Mapping[str, tuple[tuple[int, int, str], ...]] = {
    "CHN": ((1945, 1971, "ROC"),),
    "RUS": ((1945, 1991, "SUN"),),
    "YMD": ((1990, 1990, "YEM"),),
}

_TOKEN = re.compile(r"[^\W_]+")


def _normalize(name: str) -> str:
    """Fold a name to a key without accents, case, punctuation, spaces or 'the'; 'st' = 'saint'."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    tokens = _TOKEN.findall(plain.replace("&", " and "))
    return "".join("saint" if t == "st" else t for t in tokens if t != "the")


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Map every normalised alias and code to its code; raise on an ambiguous alias."""
    index: dict[str, str] = {}
    for code, aliases in _TABLE.items():
        for alias in (code, *aliases):
            key = _normalize(alias)
            previous = index.setdefault(key, code)
            if previous != code:
                raise AssertionError(f"alias {alias!r} maps to both {previous} and {code}")
    return index


def try_resolve(name: str) -> str | None:
    """Return the code for a member name or code, or None if it is unknown."""
    index = _index()
    key = _normalize(name)
    if key in index:
        return index[key]
    if "," in name:  # inverted forms such as "Korea, Republic of"
        head, _, tail = name.partition(",")
        return index.get(_normalize(f"{tail} {head}"))
    return None


def resolve(name: str) -> str:
    """Return the ISO alpha-3 (or historical) code for a member name; raise UnknownMemberError."""
    code = try_resolve(name)
    if code is not None:
        return code
    keys = {_normalize(alias): alias for aliases in _TABLE.values() for alias in aliases}
    close = difflib.get_close_matches(_normalize(name), list(keys), n=3, cutoff=0.6)
    hint = ", ".join(f"{keys[k]!r} ({_index()[k]})" for k in close)
    suffix = f"; did you mean {hint}?" if hint else ""
    raise UnknownMemberError(f"unknown UN member name {name!r}{suffix}")


def seat_code(code: str, year: int) -> str:
    """Return the code under which `code`'s Council seat is listed in `year` (CHN in 1960: ROC)."""
    for first, last, seat in _SEAT_BY_YEAR.get(code, ()):
        if first <= year <= last:
            return seat
    return code


def resolve_for_year(name: str, year: int) -> str:
    """Resolve a name as used in a record of `year`: "China" in 1960 is ROC, "Russia" 1950 SUN."""
    return seat_code(resolve(name), year)


def member_code(name: str, year: int | None) -> str | None:
    """The code a scenario's member name stands for (in ``year``'s Council, if given); None if unknown."""
    try:
        return resolve_for_year(name, year) if year is not None else resolve(name)
    except UnknownMemberError:
        return None


def display_name(code: str) -> str:
    """Return a short readable English name for a code (any case); raise UnknownMemberError."""
    aliases = _TABLE.get(code.upper())
    if aliases is None:
        raise UnknownMemberError(f"unknown member code {code!r}")
    return aliases[0]


def readable_name(code: str) -> str:
    """A readable name for display: :func:`display_name`, or the code itself if unknown."""
    try:
        return display_name(code)
    except UnknownMemberError:
        return code


#: Plain names of the calibrated model's blocs (docs/calibration.md), for display.
BLOC_NAMES = {
    "western": "Western members",
    "ru_cn": "Russia and China",
    "african": "African members (A3)",
    "latin_american": "Latin American members",
    "asia_pacific": "Asia-Pacific members",
}


def readable_bloc(name: str) -> str:
    """A bloc's plain name: the calibrated blocs' ids in words, a user's own name as given."""
    return BLOC_NAMES.get(name, name)
