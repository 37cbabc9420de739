"""Answer a question: the claims, grouped by stance, their sources and an evidence profile.

Fairness is built in: whatever the question asks for, the claims that challenge or qualify
the subject are returned beside those that support it, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ingest.claim_terms import STANCES
from kg.answers.evidence import EvidenceProfile, plural, profile_of, summary_sentence
from kg.answers.intents import BY_NAME, SETTINGS, intent_claims, narrowed
from kg.answers.knowledge import ClaimInfo, Knowledge, MentionInfo
from kg.answers.read_model import read_model
from kg.answers.understand import Match, Understanding, search_claims, understand
from kg.rdf import ids

STANCE_ORDER = {
    "challenges": ("challenges", "qualifies", "supports"),
}
DEFAULT_ORDER = STANCES


@dataclass
class Answer:
    """Everything an answer page or `evkg query` shows."""

    understanding: Understanding
    claims: dict[str, list[ClaimInfo]]  # stance -> claims, in the order to show them
    profile: EvidenceProfile
    summary: str
    mentions: list[MentionInfo] = field(default_factory=list)
    found_by_text: bool = False


MAX_ANSWERS = 1024


def answer(question: str, knowledge: Knowledge) -> Answer:
    """Answer one question (any of the forms in :mod:`kg.answers.understand`).

    Questions that name concepts or sources are answered once per build and the answer kept
    (the most recent :data:`MAX_ANSWERS`): "what supports hope" and "evidence for hope" read
    the same, and nothing in a published build changes.
    """
    reading = understand(question, knowledge)
    key = (
        (
            reading.form,
            tuple(m.id for m in reading.subject),
            tuple(m.id for m in reading.target),
            tuple(m.id for m in reading.filters),
        )
        if reading.subject and not reading.incomplete
        else None
    )
    memo: dict[tuple[object, ...], Answer] = knowledge.__dict__.setdefault("_answers", {})
    if key is not None:
        with knowledge.lock:
            kept = memo.get(key)
        if kept is not None:
            return replace(kept, understanding=reading)
    result = _answer(reading, knowledge)
    if key is not None:
        with knowledge.lock:
            memo[key] = result
            while len(memo) > MAX_ANSWERS:
                memo.pop(next(iter(memo)))
    return result


def _audit(reading: Understanding, knowledge: Knowledge) -> Answer:
    """The citation audit in one sentence: citations with no reference, references never cited."""
    dangling = list(
        dict.fromkeys(m.cited_as for m in knowledge.mentions if m.resolution != "resolved")
    )
    cited = {m.key for m in knowledge.mentions if m.key}
    uncited = [f"{s.authors} ({s.year})" for s in knowledge.sources.values() if s.key not in cited]
    if not knowledge.mentions:
        summary = "The review's text is not here, so its citations cannot be checked."
    else:
        summary = (
            f"The review's text has {plural(len(dangling), 'citation')} with no entry in the "
            f"reference list{': ' + '; '.join(dangling) if dangling else ''}. "
            f"{plural(len(uncited), 'reference')} {'is' if len(uncited) == 1 else 'are'} never "
            f"cited{': ' + '; '.join(uncited) if uncited else ''}."
        )
    empty = profile_of([], knowledge)
    return Answer(reading, {stance: [] for stance in DEFAULT_ORDER}, empty, summary)


def _judgement(reading: Understanding, knowledge: Knowledge) -> Answer:
    """What in the answers is the editors' judgement, not the review's: said, and counted."""
    added = [c for c in knowledge.claims.values() if c.see_also]
    read = [
        c for c in knowledge.claims.values() if c.certainty_basis.startswith("the editors' reading")
    ]
    appraised = [
        s for s in knowledge.sources.values() if any(f.startswith("appraised") for f in s.profile)
    ]
    judged = [
        s
        for s in knowledge.sources.values()
        if any(
            basis.startswith("editor's judgement")
            for values in s.profile.values()
            for _, basis in values
        )
    ]
    summary = (
        "Every claim is the editors' reading of the review, in their own words, with the "
        "concepts they tagged it with; its evidence is what the review cites at that sentence. "
        "Beyond that, these are the editors' own judgements, each labelled where it is shown: "
        f"{plural(len(added), 'claim')} with sources the editors added as “see also” (never "
        f"counted as the review's evidence); {plural(len(read), 'claim')} whose certainty is "
        f"the editors' reading of the sentence; {plural(len(judged), 'source')} with a value "
        f"the editors judged (a journal's peer review, the review's author among its authors); "
        f"and {plural(len(appraised), 'source')} appraised by the editors."
    )
    grouped = {stance: [c for c in added if c.stance == stance] for stance in DEFAULT_ORDER}
    return Answer(reading, grouped, profile_of([], knowledge), summary)


def _answer(reading: Understanding, knowledge: Knowledge) -> Answer:
    if reading.form == "audit":
        return _audit(reading, knowledge)
    if reading.form == "judgement":
        return _judgement(reading, knowledge)
    claims, mentions, topic = _claims_for(reading, knowledge)
    found_by_text = False
    if not (claims or mentions or reading.subject or reading.incomplete) and reading.text_hits:
        claims = [c for c in knowledge.claims.values() if c.iri in set(reading.text_hits)]
        found_by_text = True
        topic = f"“{reading.question}”"
    grouped = {
        stance: [c for c in claims if c.stance == stance]
        for stance in STANCE_ORDER.get(reading.form, DEFAULT_ORDER)
    }
    barriers_only = bool(reading.subject) and all(
        knowledge.concepts.get(m.id) is not None and knowledge.concepts[m.id].scheme == "barriers"
        for m in reading.subject
    )
    main_stance = (
        "challenges"
        if reading.form == "challenges" or (reading.form == "overview" and barriers_only)
        else "supports"
    )
    stanced = reading.form in ("supports", "challenges", "overview")
    # An intent that takes no side ("how long should it last") counts every claim it finds.
    neutral = reading.intent is not None and BY_NAME[reading.intent].main_stance == "any"
    main = grouped.get(main_stance, []) if stanced and not neutral else claims
    profile = profile_of(main, knowledge)
    if reading.form == "challenges" and reading.intent is None:
        topic = f"challenging {topic}"
    if reading.incomplete:
        summary = (
            "The question names no concept or source: try, for example, "
            "“what supports hope” or “where is Buck 2018 cited”."
        )
    elif reading.form in ("cited", "source") and reading.subject:
        keys = {m.id for m in reading.subject}
        cited = sum(len(knowledge.mentions_of(key)) for key in keys)
        many = len(keys) > 1
        summary = (
            f"{topic} {'are' if many else 'is'} cited {plural(cited, 'time')} in the review's "
            f"text, and {plural(len(claims), 'claim')} rest{'s' if len(claims) == 1 else ''} "
            f"on {'them' if many else 'it'}."
        )
    elif stanced and not neutral and not main and any(grouped.values()):
        # Only claims of another stance: never "cites no sources", as if nothing bore on it.
        summary = f"No claim of the review {_verb(main_stance[:-1], 1)} {topic} directly."
    elif claims or reading.subject:
        summary = summary_sentence(profile, topic)
    elif reading.form in ("cited", "source") and reading.unknown:
        summary = f"No source in the reference list matches “{' '.join(reading.unknown)}”."
    elif reading.unknown:
        summary = f"The review says nothing about {' '.join(reading.unknown)}."
    else:
        summary = f"Nothing in the reviews matches “{reading.question}”."
    if stanced:
        summary += _others(grouped, None if neutral or not main else main_stance)
    if reading.subject and reading.unknown:
        # Part of the question matched nothing: say so, rather than let the answer pass for
        # one about it.
        summary += (
            f" The review says nothing about “{' '.join(reading.unknown)}”: this answer is "
            f"about {topic}."
        )
    return Answer(reading, grouped, profile, summary, mentions, found_by_text)


def _others(grouped: dict[str, list[ClaimInfo]], main: str | None) -> str:
    """Never hide the other side: say how many claims take each other stance, or that none do."""
    verbs = {"supports": "support", "challenges": "challenge", "qualifies": "qualify"}
    parts = [
        f"{plural(len(claims), 'claim')} {_verb(verbs[stance], len(claims))} it"
        for stance, claims in grouped.items()
        if stance != main and claims
    ]
    lead = " Beside them, " if main else " Of the claims, "
    said = lead + ", ".join(parts) + "." if parts else ""
    if main == "supports" and any(grouped.values()) and not grouped.get("challenges"):
        said += " Nothing in the review challenges it."
    return said


def _verb(verb: str, n: int) -> str:
    """The verb agreeing with a count: 1 claim qualifies, 2 claims qualify."""
    if n != 1:
        return verb
    return verb[:-1] + "ies" if verb.endswith("y") else verb + "s"


def _claims_for(
    reading: Understanding, knowledge: Knowledge
) -> tuple[list[ClaimInfo], list[MentionInfo], str]:
    claims, mentions, topic = _subject_claims(reading, knowledge)
    if reading.filters:
        every = narrowed(claims, [f.id for f in reading.filters], knowledge)
        joiner = " and "
        if not every and len(reading.filters) > 1:
            # Nothing is about all of them at once ("risks for mentors in prison"): show
            # what is about any of them, and say so by the "or".
            every = [
                c for c in claims if any(narrowed([c], [f.id], knowledge) for f in reading.filters)
            ]
            joiner = " or "
        claims = every
        topic += " " + joiner.join(_filter_words(f, knowledge) for f in reading.filters)
    return claims, mentions, topic


def _filter_words(match: Match, knowledge: Knowledge) -> str:
    concept = knowledge.concepts.get(match.id)
    scheme = concept.scheme if concept is not None else ""
    return f"{'in' if scheme == SETTINGS else 'for'} {match.label.lower()}"


def _subject_claims(
    reading: Understanding, knowledge: Knowledge
) -> tuple[list[ClaimInfo], list[MentionInfo], str]:
    if reading.intent is not None:
        intent = BY_NAME[reading.intent]
        return intent_claims(intent, knowledge), [], intent.label
    labels = " and ".join(m.label.lower() for m in reading.subject) or "this"
    if reading.form == "path":
        if not reading.subject or not reading.target:
            return [], [], labels
        # By IRI: claim ids repeat across reviews.
        from_x = {c.iri for m in reading.subject for c in knowledge.claims_about(m.id)}
        to_y = {c.iri for m in reading.target for c in knowledge.claims_about(m.id)}
        ids = from_x & to_y
        target = " and ".join(m.label.lower() for m in reading.target)
        return (
            [c for c in knowledge.claims.values() if c.iri in ids],
            [],
            f"{labels} leading to {target}",
        )
    if reading.form in ("cited", "source"):
        keys = {m.id for m in reading.subject}
        claims = [c for c in knowledge.claims.values() if keys & set(c.keys)]
        mentions = [m for key in sorted(keys) for m in knowledge.mentions_of(key)]
        names = " and ".join(m.label for m in reading.subject)
        return claims, mentions if reading.form == "cited" else [], names or "this source"
    seen: dict[str, ClaimInfo] = {}
    for match in reading.subject:
        for claim in knowledge.claims_about(match.id):
            seen.setdefault(claim.iri, claim)
    return list(seen.values()), [], labels


def pages_of(result: Answer, per_page: int) -> int:
    """How many pages the answer's claims fill (its largest stance decides; at least one)."""
    largest = max((len(group) for group in result.claims.values()), default=0)
    return max(1, -(-largest // per_page))


def page_of(result: Answer, page: int, per_page: int) -> dict[str, list[ClaimInfo]]:
    """One page of each stance's claims (page 1 is the first)."""
    start = (max(page, 1) - 1) * per_page
    return {stance: claims[start : start + per_page] for stance, claims in result.claims.items()}


def to_json(
    result: Answer, knowledge: Knowledge, page: int = 1, per_page: int | None = None
) -> dict[str, Any]:
    """The answer as `evkg query --json` prints it; with ``per_page``, one page of claims.

    The summary and the profile always describe every claim; the claims, their sources and
    the citations listed are those of the page.
    """
    reading = result.understanding
    everything = [c for group in result.claims.values() for c in group]
    shown = page_of(result, page, per_page) if per_page else result.claims
    claims = [c for group in shown.values() for c in group]
    keys = sorted({k for c in claims for k in c.keys} | {m.key for m in result.mentions if m.key})
    paging = {
        "page": page if per_page else 1,
        "per_page": per_page,
        "pages": pages_of(result, per_page) if per_page else 1,
        "total_claims": len(everything),
        "claims_by_stance": {stance: len(group) for stance, group in result.claims.items()},
    }
    return {
        "paging": paging,
        "question": reading.question,
        "understood_as": {
            "form": reading.form,
            "subject": [vars(m) for m in reading.subject],
            "target": [vars(m) for m in reading.target],
            "found_by_text_search": result.found_by_text,
        },
        "summary": result.summary,
        "claims": [
            {
                "id": c.id,
                "iri": c.iri,
                "review": ids.claim_review(c.iri),
                "stance": c.stance,
                "statement": c.statement,
                "status": c.status,
                "sources": [
                    {"key": e.key, "page": e.page, "unresolved": e.unresolved}
                    for e in c.evidence.values()
                    if not e.by_editors
                ],
                # Added by the editors, not cited by the review here: never in the profile.
                "see_also": c.see_also,
                "locator": c.locator,
                "sentence": c.sentence,
                "certainty": c.certainty,
                "certainty_basis": c.certainty_basis,
            }
            for c in claims
        ],
        "sources": [
            {
                "key": key,
                "title": knowledge.sources[key].title,
                "year": knowledge.sources[key].year,
                "authors": knowledge.sources[key].authors,
                "reference": read_model(knowledge.store).references.get(key),
                "profile": {
                    facet: [{"value": v, "basis": b} for v, b in values]
                    for facet, values in knowledge.sources[key].profile.items()
                },
            }
            for key in keys
            if key in knowledge.sources
        ],
        "mentions": [
            {
                "cited_as": m.cited_as,
                "page": m.page,
                "section": m.section,
                "sentence": m.sentence_index,
                "review_page": m.review_page,
            }
            for m in result.mentions
        ],
        "profile": result.profile.to_json(),
        "suggestions": reading.did_you_mean,
    }


def to_text(result: Answer, knowledge: Knowledge) -> str:
    """The answer as a short briefing."""
    reading = result.understanding
    lines = [result.summary, ""]
    if reading.subject or reading.target:
        taken = "; ".join(f"{m.label} ({m.rule})" for m in reading.subject + reading.target)
        lines.append(f"How we read the question: {reading.form} — {taken}.")
    elif result.found_by_text:
        lines.append(
            "No concept or source matched, so these claims were found by searching their words."
        )
    if reading.did_you_mean:
        lines.append(f"Did you mean: {', '.join(reading.did_you_mean)}?")
    for stance, claims in result.claims.items():
        if not claims:
            continue
        lines += ["", f"{stance.capitalize()} ({len(claims)}):"]
        for claim in claims:
            cites = "; ".join(
                _cite(e.key, e.page, e.unresolved, knowledge) for e in claim.evidence.values()
            )
            lines.append(f"- {claim.statement} [{cites}]")
            if claim.locator:
                lines.append(f"  in the review: {claim.locator}")
    if result.mentions:
        lines += ["", f"Cited {plural(len(result.mentions), 'time')} in the review:"]
        for mention in result.mentions:
            page = f", p. {mention.page}" if mention.page else ""
            lines.append(
                f"- {mention.cited_as}{page} — {mention.section}, sentence {mention.sentence_index}"
            )
    return "\n".join(lines).rstrip() + "\n"


def _cite(key: str | None, page: str | None, unresolved: str | None, k: Knowledge) -> str:
    if unresolved:
        return f"{unresolved} (not in the reference list)"
    source = k.sources.get(key or "")
    text = f"{source.authors}, {source.year}" if source else str(key)
    return f"{text}: {page}" if page else text


__all__ = ["Answer", "answer", "search_claims", "to_json", "to_text"]
