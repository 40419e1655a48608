"""Country names, codes and the words people use for them in chat.

The catalog stores ISO 3166-1 alpha-2 codes; replies show names; queries say
`korean`, `k-drama`, `bollywood` or `nollywood`. This table is the one place
that knows all three. Languages that imply a country (`anime` -> Japan) live
next to it because the query parser treats them alike.
"""

from __future__ import annotations

# code: (display name, words people use for it; the first is the adjective)
COUNTRIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "AR": ("Argentina", ("argentine", "argentinian", "argentina")),
    "AU": ("Australia", ("australian", "australia", "aussie")),
    "AT": ("Austria", ("austrian", "austria")),
    "BE": ("Belgium", ("belgian", "belgium")),
    "BR": ("Brazil", ("brazilian", "brazil")),
    "BA": ("Bosnia and Herzegovina", ("bosnian", "bosnia")),
    "CA": ("Canada", ("canadian", "canada")),
    "CL": ("Chile", ("chilean", "chile")),
    "CN": ("China", ("chinese", "china", "mainland chinese")),
    "CO": ("Colombia", ("colombian", "colombia")),
    "CZ": ("Czechia", ("czech", "czechia", "czechoslovak")),
    "DK": ("Denmark", ("danish", "denmark")),
    "EG": ("Egypt", ("egyptian", "egypt")),
    "FI": ("Finland", ("finnish", "finland")),
    "FR": ("France", ("french", "france")),
    "DE": ("Germany", ("german", "germany")),
    "GR": ("Greece", ("greek", "greece")),
    "HK": ("Hong Kong", ("hong kong", "hongkong", "cantonese")),
    "HU": ("Hungary", ("hungarian", "hungary")),
    "IS": ("Iceland", ("icelandic", "iceland")),
    "IN": ("India", ("indian", "india", "bollywood", "tollywood", "kollywood", "hindi", "tamil", "telugu")),
    "ID": ("Indonesia", ("indonesian", "indonesia")),
    "IR": ("Iran", ("iranian", "iran", "persian")),
    "IE": ("Ireland", ("irish", "ireland")),
    "IL": ("Israel", ("israeli", "israel")),
    "IT": ("Italy", ("italian", "italy")),
    "JP": ("Japan", ("japanese", "japan", "j-horror", "jhorror")),
    "KR": (
        "South Korea",
        ("korean", "south korean", "korea", "south korea", "k-drama", "kdrama", "k drama", "k-movie", "k-horror"),
    ),
    "LB": ("Lebanon", ("lebanese", "lebanon")),
    "MX": ("Mexico", ("mexican", "mexico")),
    "MA": ("Morocco", ("moroccan", "morocco")),
    "NL": ("Netherlands", ("dutch", "netherlands", "holland")),
    "NZ": ("New Zealand", ("new zealand", "kiwi")),
    "NG": ("Nigeria", ("nigerian", "nigeria", "nollywood")),
    "NO": ("Norway", ("norwegian", "norway")),
    "PK": ("Pakistan", ("pakistani", "pakistan", "lollywood")),
    "PE": ("Peru", ("peruvian", "peru")),
    "PH": ("Philippines", ("filipino", "philippines", "philippine", "pinoy")),
    "PL": ("Poland", ("polish", "poland")),
    "PT": ("Portugal", ("portuguese", "portugal")),
    "RO": ("Romania", ("romanian", "romania")),
    "RU": ("Russia", ("russian", "russia")),
    "SU": ("Soviet Union", ("soviet", "ussr", "soviet union")),
    "SN": ("Senegal", ("senegalese", "senegal")),
    "RS": ("Serbia", ("serbian", "serbia", "yugoslav")),
    "ZA": ("South Africa", ("south african", "south africa")),
    "ES": ("Spain", ("spanish", "spain")),
    "SE": ("Sweden", ("swedish", "sweden")),
    "CH": ("Switzerland", ("swiss", "switzerland")),
    "TW": ("Taiwan", ("taiwanese", "taiwan")),
    "TH": ("Thailand", ("thai", "thailand")),
    "TR": ("Turkey", ("turkish", "turkey", "turkiye")),
    "GB": ("United Kingdom", ("british", "uk", "united kingdom", "britain", "scottish", "welsh")),
    "US": ("United States", ("american", "usa", "u.s.", "hollywood", "united states", "america")),
    "UA": ("Ukraine", ("ukrainian", "ukraine")),
    "VN": ("Vietnam", ("vietnamese", "vietnam")),
    "MN": ("Mongolia", ("mongolian", "mongolia")),
    "KZ": ("Kazakhstan", ("kazakh", "kazakhstan")),
    "CU": ("Cuba", ("cuban", "cuba")),
    "ML": ("Mali", ("malian", "mali")),
    "BF": ("Burkina Faso", ("burkinabe", "burkina faso")),
    "ET": ("Ethiopia", ("ethiopian", "ethiopia")),
    "KE": ("Kenya", ("kenyan", "kenya")),
    "GH": ("Ghana", ("ghanaian", "ghana")),
    "TN": ("Tunisia", ("tunisian", "tunisia")),
    "DZ": ("Algeria", ("algerian", "algeria")),
    "PS": ("Palestine", ("palestinian", "palestine")),
    "JO": ("Jordan", ("jordanian", "jordan")),
    "SA": ("Saudi Arabia", ("saudi", "saudi arabia")),
    "MY": ("Malaysia", ("malaysian", "malaysia")),
    "SG": ("Singapore", ("singaporean", "singapore")),
    "BD": ("Bangladesh", ("bangladeshi", "bangladesh")),
    "LK": ("Sri Lanka", ("sri lankan", "sri lanka")),
    "VE": ("Venezuela", ("venezuelan", "venezuela")),
    "UY": ("Uruguay", ("uruguayan", "uruguay")),
    "HR": ("Croatia", ("croatian", "croatia")),
    "SK": ("Slovakia", ("slovak", "slovakia")),
    "GE": ("Georgia", ("georgian",)),
    "AM": ("Armenia", ("armenian", "armenia")),
    "BG": ("Bulgaria", ("bulgarian", "bulgaria")),
    "EE": ("Estonia", ("estonian", "estonia")),
    "LT": ("Lithuania", ("lithuanian", "lithuania")),
    "LV": ("Latvia", ("latvian", "latvia")),
    "LU": ("Luxembourg", ("luxembourgish", "luxembourg")),
    "CM": ("Cameroon", ("cameroonian", "cameroon")),
    "CD": ("DR Congo", ("congolese",)),
    "BO": ("Bolivia", ("bolivian", "bolivia")),
    "PY": ("Paraguay", ("paraguayan", "paraguay")),
    "QA": ("Qatar", ("qatari", "qatar")),
    "AE": ("United Arab Emirates", ("emirati", "uae")),
    "IQ": ("Iraq", ("iraqi", "iraq")),
    "AF": ("Afghanistan", ("afghan", "afghanistan")),
    "NP": ("Nepal", ("nepali", "nepalese", "nepal")),
    "BT": ("Bhutan", ("bhutanese", "bhutan")),
    "KH": ("Cambodia", ("cambodian", "cambodia", "khmer")),
}

# Words that name a kind of film tied to a country or language.
LANGUAGE_NAMES: dict[str, str] = {
    "ko": "Korean",
    "ja": "Japanese",
    "zh": "Chinese",
    "cn": "Cantonese",
    "hi": "Hindi",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "de": "German",
    "pt": "Portuguese",
    "ru": "Russian",
    "fa": "Persian",
    "tr": "Turkish",
    "th": "Thai",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "pl": "Polish",
    "en": "English",
    "ar": "Arabic",
    "ta": "Tamil",
    "te": "Telugu",
    "yo": "Yoruba",
    "ig": "Igbo",
    "he": "Hebrew",
    "nl": "Dutch",
    "fi": "Finnish",
    "hu": "Hungarian",
    "cs": "Czech",
    "el": "Greek",
    "is": "Icelandic",
    "ro": "Romanian",
    "wo": "Wolof",
    "bn": "Bengali",
    "ml": "Malayalam",
    "tl": "Tagalog",
    "vi": "Vietnamese",
    "id": "Indonesian",
    "uk": "Ukrainian",
    "sr": "Serbian",
    "ka": "Georgian",
}

_BY_WORD: dict[str, str] = {}
for _code, (_name, _words) in COUNTRIES.items():
    _BY_WORD[_name.casefold()] = _code
    for _w in _words:
        _BY_WORD.setdefault(_w, _code)


def country_name(code: str) -> str:
    entry = COUNTRIES.get(code.upper())
    return entry[0] if entry else code


def country_code(word: str) -> str | None:
    """`South Korea`, `korean`, `KR`, `k-drama` -> 'KR'; unknown -> None.

    Two-letter codes are only taken in upper case, so `it`, `in` or `no` in a
    sentence are never read as Italy, India or Norway.
    """
    word = word.strip()
    if len(word) == 2 and word.isupper() and word in COUNTRIES:
        return word
    return _BY_WORD.get(word.casefold())


def country_words() -> dict[str, str]:
    """Every word or phrase that names a country, mapped to its code."""
    return dict(_BY_WORD)
