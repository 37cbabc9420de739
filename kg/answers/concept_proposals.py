"""Concepts a review needs that the vocabulary lacks, proposed from the words around its citations.

A review on a new topic (restorative justice, say) talks of things the peer-mentoring
vocabulary has no word for.  The words that matter are the ones its *cited* sentences repeat,
that are not everyday English, and that no label of the vocabulary already covers:

1. the cited sentences are split into runs of content words (not stop words, not the
   authors and years of citations);
2. every run gives phrases of one to three words, counted by the sentences they occur in,
   word forms together (Snowball stems);
3. a phrase that a label of the vocabulary covers, or that the editors already decided on,
   is dropped; so is one that occurs in fewer than two sentences, and a single word that is
   common English ("whilst", "provide");
4. phrases are ranked by how many sentences use them times how specific their words are
   (wordfreq: a rare word says more than a common one), and a shorter phrase is dropped when
   a longer one holds it in as many sentences;
5. each is given the scheme whose cue words its sentences use most ("reduce", "improve" for
   outcomes; "barrier", "lack" for barriers; "should" for enablers; ...), for the editor to
   change.

Only the review's own words are used, and nothing is downloaded: no model, no corpus beyond
wordfreq's word list, which ships inside its wheel.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from wordfreq import zipf_frequency

from ingest.audit import Audit
from ingest.review import locator_index
from kg.answers.suggest import label_index, stems
from kg.answers.understand import STOPWORDS, TOPIC_WORDS
from kg.rdf.concepts import Vocabulary

MAX_PROPOSALS = 12
MIN_SENTENCES = 2
MAX_WORDS = 3
# A single word this common in English (wordfreq's Zipf scale) names no concept on its own
# ("whilst", "provide", "important"); in a phrase it may ("victim satisfaction").
COMMON = 4.3
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*[A-Za-z]|[A-Za-z]")
_BREAK = re.compile(r"[.,;:()\[\]\"\u201c\u201d!?]")
# Cue words (stems) in a proposal's sentences, for the scheme it is offered under.
_CUES = {
    "outcomes": "reduc improv increas lower higher rate outcom result effect satisfi fewer less",
    "barriers": "barrier challeng difficult lack risk problem hinder obstacl prevent limit",
    "enablers": "should recommend need requir ensur train fund commission design",
    "mechanisms": "through via build foster enabl encourag sens feel help allow",
}
# A single word with these endings is an adjective, an adverb or a verb: no concept alone.
_ADJECTIVE = re.compile(r"(?:ive|ous|ful|al|ed|ly|ing)$")
# Stems of words naming people (a population) or places (a setting), as a phrase's last word.
_PEOPLE = {"victim", "offend", "parent", "famili", "child", "staff", "worker", "volunt", "facilit"}
_PLACES = {"court", "prison", "polic", "school", "communiti", "servic", "panel", "centr"}


@dataclass(frozen=True)
class ConceptProposal:
    """A concept the review seems to need, with the sentences it comes from."""

    id: str
    label: str
    alt_labels: tuple[str, ...]
    scheme: str
    sentences: tuple[str, ...]  # locators: "Section, paragraph N, sentence M"
    count: int  # cited sentences that use it
    score: float


def propose_concepts(
    audit: Audit,
    vocabulary: Vocabulary,
    decided: Iterable[str] = (),
    most: int = MAX_PROPOSALS,
) -> list[ConceptProposal]:
    """The best new concepts for a review, best first (see the module docstring)."""
    review = audit.review
    where = {index: at for at, index in locator_index(review).items()}
    cited = sorted({m.sentence.index for m in audit.mentions})
    names = _citation_words(audit)
    covered = [set(label) for label, *_ in label_index(vocabulary.graph) if label]
    skip = {" ".join(stems(d)) for d in decided}
    sentences: dict[tuple[str, ...], set[int]] = {}
    forms: dict[tuple[str, ...], Counter[str]] = {}
    words_of: dict[int, set[str]] = {}
    by_index = {s.index: s for s in review.sentences}
    for index in cited:
        text = review.sentence_text(by_index[index])
        words_of[index] = set(stems(text))
        for run in _runs(text, names):
            for n in range(1, MAX_WORDS + 1):
                for start in range(len(run) - n + 1):
                    phrase = run[start : start + n]
                    if phrase[0] == "of" or phrase[-1] == "of":
                        continue  # "of" only joins two words: "fear of crime"
                    if n == 1 and (
                        _ADJECTIVE.search(phrase[0]) or zipf_frequency(phrase[0], "en") >= COMMON
                    ):
                        continue  # "restorative", "whilst", "provide": no concept alone
                    key = tuple(stems(" ".join(phrase)))
                    if len(key) != n:
                        continue  # a word the stemmer splits or drops
                    sentences.setdefault(key, set()).add(index)
                    forms.setdefault(key, Counter())[" ".join(phrase)] += 1
    ranked = []
    for key, found in sentences.items():
        if len(found) < MIN_SENTENCES or " ".join(key) in skip:
            continue
        if any(set(key) <= label for label in covered):
            continue  # the vocabulary has a word for it
        words = [w for w in forms[key].most_common(1)[0][0].split() if w != "of"]
        specific = sum(max(0.0, 6.0 - zipf_frequency(w, "en")) for w in words)
        ranked.append((len(found) * specific / len(key) ** 0.5, key))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    chosen: list[tuple[float, tuple[str, ...]]] = []
    for score, key in ranked:
        # A phrase inside a longer chosen one, used in no more sentences, adds nothing.
        if any(
            _inside(key, longer) and sentences[key] <= sentences[longer] for _, longer in chosen
        ):
            continue
        chosen = [
            (s, k) for s, k in chosen if not (_inside(k, key) and sentences[k] <= sentences[key])
        ]
        chosen.append((score, key))
        if len(chosen) >= most * 2:
            break
    chosen.sort(key=lambda item: (-item[0], item[1]))
    proposals = []
    for score, key in chosen[:most]:
        surface = [form for form, _ in forms[key].most_common()]
        label = surface[0]
        proposals.append(
            ConceptProposal(
                id=re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-"),
                label=label[:1].upper() + label[1:],
                alt_labels=tuple(f for f in surface[1:4] if f.lower() != label.lower()),
                scheme=_scheme(key, [words_of[i] for i in sentences[key]]),
                sentences=tuple(_locator(where.get(i)) for i in sorted(sentences[key])),
                count=len(sentences[key]),
                score=round(score, 2),
            )
        )
    return proposals


def _citation_words(audit: Audit) -> set[str]:
    """The authors' names and the words of citations: no concept of the review."""
    words: set[str] = set()
    for item in audit.mentions:
        words.update(w.lower() for w in _WORD.findall(item.mention.cited_as))
    for entry in audit.bibliography.entries:
        words.update(w.lower() for a in entry.authors for w in _WORD.findall(a.family))
    return words


def _runs(text: str, names: set[str]) -> list[list[str]]:
    """Runs of content words, broken at punctuation, stop words and citation words.

    "of" between two content words stays in the run ("fear of crime").
    """
    runs: list[list[str]] = []
    for chunk in _BREAK.split(text):
        run: list[str] = []
        for word in _WORD.findall(chunk):
            lower = word.lower().replace("\u2019", "'")
            if lower == "of" and run and run[-1] != "of":
                run.append(lower)
                continue
            if lower in STOPWORDS or lower in TOPIC_WORDS or lower in names or len(lower) < 3:
                if run and run[-1] == "of":
                    run.pop()
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(lower)
        if run:
            runs.append(run)
    return [run[:-1] if run[-1] == "of" else run for run in runs if run != ["of"]]


def _inside(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    n = len(short)
    return n < len(long) and any(long[i : i + n] == short for i in range(len(long) - n + 1))


def _scheme(key: tuple[str, ...], sentence_words: list[set[str]]) -> str:
    if key[-1] in _PEOPLE:
        return "populations"
    if key[-1] in _PLACES:
        return "settings"
    votes = Counter(
        scheme
        for words in sentence_words
        for scheme, cues in _CUES.items()
        for cue in cues.split()
        if any(w.startswith(cue) for w in words)
    )
    return votes.most_common(1)[0][0] if votes else "mechanisms"


def _locator(at: tuple[str, int, int] | None) -> str:
    if at is None:
        return ""
    section, paragraph, sentence = at
    return f"{section}, paragraph {paragraph}, sentence {sentence}"
