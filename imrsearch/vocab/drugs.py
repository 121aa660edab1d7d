"""Drug lexicon: which drugs an item names, and which names a drug query should reach.

The names live in `drugs.tsv` beside this module, so the list can grow without code changes. It
is read once, on first use, through importlib.resources so an installed wheel finds it too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from imrsearch.model import Drug

# The class vocabulary, roughly by how often each class is disputed.
CLASSES = (
    "opioid",
    "benzodiazepine",
    "muscle relaxant",
    "nsaid",
    "topical analgesic",
    "anticonvulsant",
    "antidepressant",
    "sleep aid",
    "proton pump inhibitor",
    "h2 blocker",
    "antiemetic",
    "laxative",
    "medical food",
    "migraine",
    "analgesic",
    "corticosteroid",
    "hormone",
    "stimulant",
    "other",
)

# Other words users type for a class (plurals are handled separately).
_CLASS_ALIASES = {
    "opiate": "opioid",
    "narcotic": "opioid",
    "benzo": "benzodiazepine",
    "muscle relaxer": "muscle relaxant",
    "topical": "topical analgesic",
    "ppi": "proton pump inhibitor",
    "anti inflammatory": "nsaid",
    "antiepileptic": "anticonvulsant",
    "hypnotic": "sleep aid",
}

# Letters write "Hydrocodone Bitartrate/APAP", "Tramadol HCl ER" and "Voltaren 1% gel": between
# the words of a name, any run of separators, salt words and doses counts as one separator.
_SEP = r"[\s/\-]+"
_SALTS = r"hcl|hydrochloride|bitartrate|sulfate|sodium|potassium|epolamine|tartrate|citrate|maleate"
_DOSE = r"\d+(?:\.\d+)?\s*(?:%|mg|mcg)"
_FILLER = rf"{_SEP}(?:(?:{_SALTS}|{_DOSE}){_SEP})*"
_FILLER_RE = re.compile(_FILLER, re.IGNORECASE)


@dataclass(frozen=True)
class _Lexicon:
    drugs: tuple[Drug, ...]  # in file order; a match of `pattern` group "d<i>" is drugs[i]
    by_key: dict[str, Drug]
    generics: dict[str, str]  # key of a generic -> the generic as spelt in the file
    groups: dict[str, frozenset[str]]  # generic -> its lower-case names, itself included
    members: dict[str, frozenset[str]]  # class -> its lower-case names and generics


def _key(name: str) -> str:
    """Spelling-insensitive form of a name, so variants of one name collide."""
    return _FILLER_RE.sub(" ", name.strip().lower())


def _alternative(index: int, name: str) -> str:
    """One name as a regex: whole word at the start, but a dose may be glued on ("Valium10mg")."""
    body = _FILLER.join(re.escape(word) for word in re.split(_SEP, name))
    end = r"(?![^\W\d_])" if name[-1].isalpha() else r"(?!\w)"
    return f"(?P<d{index}>{body}{end})"


def _parse(text: str) -> tuple[Drug, ...]:
    """Rows of the TSV; a malformed row is a bug in the data, so it fails loudly."""
    drugs: list[Drug] = []
    lines = text.splitlines()
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) != 3 or not all(cells):
            raise ValueError(f"drugs.tsv:{number}: expected name, generic, class: {line!r}")
        if cells[2] not in CLASSES:
            raise ValueError(f"drugs.tsv:{number}: unknown class {cells[2]!r}")
        drugs.append(Drug(*cells))
    return tuple(drugs)


@cache
def _lexicon() -> _Lexicon:
    drugs = _parse(files("imrsearch.vocab").joinpath("drugs.tsv").read_text(encoding="utf-8"))
    by_key: dict[str, Drug] = {}
    groups: defaultdict[str, set[str]] = defaultdict(set)
    members: defaultdict[str, set[str]] = defaultdict(set)
    for drug in drugs:
        key = _key(drug.name)
        if key in by_key:
            raise ValueError(f"drugs.tsv: {drug.name!r} duplicates {by_key[key].name!r}")
        by_key[key] = drug
        groups[drug.generic].update((drug.name.lower(), drug.generic.lower()))
        members[drug.drug_class].update((drug.name.lower(), drug.generic.lower()))
    return _Lexicon(
        drugs=drugs,
        by_key=by_key,
        generics={_key(generic): generic for generic in groups},
        groups={generic: frozenset(names) for generic, names in groups.items()},
        members={cls: frozenset(names) for cls, names in members.items()},
    )


@cache
def _pattern() -> re.Pattern[str]:
    """Every name as one regex, a match's group "d<i>" naming `_lexicon().drugs[i]`. Compiled
    only when letters are read (it is most of the lexicon's cost): a query never needs it."""
    drugs = _lexicon().drugs
    # Longest first, so "Voltaren gel" wins over "Voltaren" and "oxycodone ER" over "oxycodone".
    # Grouping the names under a lookahead on their first letter lets a word start skip most of
    # the alternatives at once: 15 times faster on item texts than one flat alternation.
    by_letter: defaultdict[str, list[str]] = defaultdict(list)
    for i in sorted(range(len(drugs)), key=lambda i: -len(drugs[i].name)):
        by_letter[drugs[i].name[0].lower()].append(_alternative(i, drugs[i].name))
    alternatives = "|".join(
        f"(?={re.escape(letter)})(?:{'|'.join(names)})" for letter, names in by_letter.items()
    )
    return re.compile(rf"(?<!\w)(?:{alternatives})", re.IGNORECASE)


def find_drugs(text: str) -> list[Drug]:
    """The drugs an item names, in order of first mention, one per generic."""
    drugs = _lexicon().drugs
    found: dict[str, Drug] = {}
    for match in _pattern().finditer(text):
        drug = drugs[int(match.lastgroup[1:])]  # type: ignore[index]
        found.setdefault(drug.generic, drug)
    return list(found.values())


def _class_of(key: str) -> str | None:
    for word in (key, key.removesuffix("s")):
        cls = _CLASS_ALIASES.get(word, word)
        if cls in CLASSES:
            return cls
    return None


def equivalents(term: str) -> set[str]:
    """Lower-case names a drug query for `term` should match, so "valium" finds "diazepam".

    A brand or generic reaches every name sharing its generic. A bare ingredient also reaches its
    release and topical forms ("oxycodone" finds OxyContin, filed as "oxycodone ER"), which a
    brand does not ("Voltaren" does not find Voltaren gel). A class word reaches the whole class.
    """
    lexicon = _lexicon()
    key = _key(term)
    generics = {g for g in lexicon.groups if g.lower().startswith(key + " ")}
    if key in lexicon.by_key:
        generics.add(lexicon.by_key[key].generic)
    elif key in lexicon.generics:
        generics.add(lexicon.generics[key])
    if generics:
        return set().union(*(lexicon.groups[g] for g in generics))
    cls = _class_of(key)
    if cls is not None:
        return set(lexicon.members.get(cls, ()))
    return {term.lower()}


def class_named(text: str) -> str | None:
    """The class `text` names, as CLASSES spells it: "benzos" and "Benzodiazepines" are
    "benzodiazepine", "muscle relaxers" is "muscle relaxant"; None if it names none."""
    return _class_of(_key(text))


def class_members(cls: str) -> set[str]:
    """Lower-case names and generics in a class; accepts plurals and aliases ("benzos")."""
    found = _class_of(_key(cls))
    return set(_lexicon().members.get(found, ())) if found else set()
