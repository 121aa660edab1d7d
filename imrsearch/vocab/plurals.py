"""A word's singular and plural, as Westlaw and Lexis widen an unquoted word.

Only number, not other inflections: Whoosh's `Variations` (its English morphology table) gives
"opioid" no plural at all, and gives "use" "useless" and "documentation" "documentary", which
would change a total in ways a researcher cannot predict. Stemming would make "medical" find
"medication". The rules below produce candidate spellings; the index decides which exist, so a
rule that invents a non-word ("valia" for "valium") costs nothing.
"""

from __future__ import annotations

import re

# Words whose -s is not a plural, and function words: no other forms ("no" must not find "nos").
_FIXED = frozenset(
    """
    a an the and or nor not no yes of to in on at by for with from into onto upon as is was be
    been are were am has have had do does did done goes it its he she his her hers they them
    their theirs this that these those there here which who whom whose what when where why how
    if than then so but yet per via us we our ours you your yours i me my any all some each
    every other such same also only very more most less least much many few may might can
    could will would shall should must thus plus unless across always perhaps besides whereas
    towards afterwards sometimes news series species means status diabetes herpes lupus
    """.split()  # noqa: SIM905 - a word list reads best as words
)
# Plurals that no rule produces, both ways.
_IRREGULAR = {
    "man": "men",
    "woman": "women",
    "foot": "feet",
    "tooth": "teeth",
    "child": "children",
    "person": "people",
    "criterion": "criteria",
    "phenomenon": "phenomena",
    "ganglion": "ganglia",
}
_IRREGULAR_SINGULAR = {plural: singular for singular, plural in _IRREGULAR.items()}
_SIBILANT = re.compile(r"(?:s|x|z|ch|sh)$")
_VOWELS = "aeiou"


def number_forms(word: str) -> frozenset[str]:
    """`word` (lower case, as the index holds it) with the singulars and plurals it may have."""
    if len(word) < 3 or not word.isalpha() or word in _FIXED:
        return frozenset({word})
    singulars = _singulars(word)
    forms = {word, *singulars}
    for singular in singulars:
        forms.update(_plurals(singular))
    if not word.endswith("s") or word.endswith(("ss", "us", "is")):
        forms.update(_plurals(word))  # "opioid", "diagnosis"; not "opioids" again
    return frozenset(forms)


def _plurals(word: str) -> set[str]:
    if word in _IRREGULAR:
        return {_IRREGULAR[word]}
    if word.endswith("is"):  # diagnosis, analysis, stenosis
        return {word[:-2] + "es"}
    if word.endswith("us"):  # stimulus, status
        return {word[:-2] + "i", word + "es"}
    if word.endswith("um"):  # bacterium, serum
        return {word[:-2] + "a", word + "s"}
    if word.endswith(("ex", "ix")):  # index, appendix
        return {word[:-2] + "ices", word + "es"}
    if _SIBILANT.search(word):
        return {word + "es"}
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return {word[:-1] + "ies"}
    if word.endswith("fe"):
        return {word[:-2] + "ves", word + "s"}
    if word.endswith("f"):
        return {word[:-1] + "ves", word + "s"}
    if word.endswith("o"):
        return {word + "s", word + "es"}
    if word.endswith("a"):  # vertebra, sequela
        return {word + "e", word + "s"}
    return {word + "s"}


def _singulars(word: str) -> set[str]:
    if word in _IRREGULAR_SINGULAR:
        return {_IRREGULAR_SINGULAR[word]}
    found: set[str] = set()
    if word.endswith("ae"):
        found.add(word[:-1])
    elif word.endswith("a"):
        found.add(word[:-1] + "um")
    elif word.endswith("i"):
        found.add(word[:-1] + "us")
    if not word.endswith("s") or word.endswith(("ss", "us")):
        return found
    found.add(word[:-1])  # notes, valves, flags, MRIs
    if word.endswith("ies"):
        found.add(word[:-3] + "y")
    if word.endswith("ves"):
        found.update({word[:-3] + "f", word[:-3] + "fe"})
    if word.endswith("ices"):
        found.update({word[:-4] + "ex", word[:-4] + "ix"})
    if word.endswith("ses"):
        found.add(word[:-2] + "is")
    if word.endswith("es") and len(word) > 4 and re.search(r"(?:s|x|z|ch|sh|o)es$", word):
        found.add(word[:-2])  # boxes, processes, heroes
    return found
