"""US states, DC, territories and military "states" as the Postal Service spells them, and reading
what a shopper or a member of staff typed ("NY", "ny", "N.Y.", "New York") as one of them."""

import re

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "AS": "American Samoa", "GU": "Guam", "MP": "Northern Mariana Islands", "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
    "AA": "Armed Forces Americas", "AE": "Armed Forces Europe", "AP": "Armed Forces Pacific",
}  # fmt: skip
CHOICES = sorted(((code, f"{name} ({code})") for code, name in STATES.items()), key=lambda choice: choice[1])

_ZIP = re.compile(r"^(\d{5})(?:[-\s]?\d{4})?$")


def _words(text):
    return " ".join(re.sub(r"[.,]", " ", str(text or "")).upper().split())


_ALIASES = {"Washington DC": "DC", "Washington D.C.": "DC", "US Virgin Islands": "VI", "Virgin Islands": "VI"}
_BY_NAME = {_words(name): code for code, name in STATES.items()} | {_words(a): code for a, code in _ALIASES.items()}


def state_code(text):
    """The two-letter code for a state as typed, or None if it names no state."""
    words = _words(text)
    squeezed = words.replace(" ", "")
    if len(squeezed) == 2 and squeezed in STATES:
        return squeezed
    return _BY_NAME.get(words)


def state_name(code):
    return STATES.get(code, code)


def zip5(postcode):
    """The five-digit ZIP code of a US postcode ("10001", "10001-1234"), or None."""
    match = _ZIP.match(str(postcode or "").strip())
    return match.group(1) if match else None
