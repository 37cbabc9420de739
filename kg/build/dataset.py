"""Turn ingested records into an RDF dataset: one named graph per input, plus provenance.

This is the only place that mints triples.  It is a pure function of its inputs (no clock,
no randomness), so building twice gives isomorphic datasets.  The build's wall-clock time is
kept beside the store, in its manifest, not in the graph.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from ingest.bibrecords import BibEntry, Bibliography, Name, NameKind
from ingest.manifest import ReviewManifest
from ingest.pipeline import ReviewInputs
from ingest.review import locator_index
from kg.build.claims import build_claims, build_vocabulary
from kg.build.concepts import review_concept_graph
from kg.build.profiles import add_profiles
from kg.build.text import build_review_text
from kg.rdf import ids
from kg.rdf.bibfields import LITERAL_FIELDS, URL_FIELD, URL_PROPERTY
from kg.rdf.concepts import Vocabulary
from kg.rdf.namespaces import BIBO, CITO, EVKG, PREFIXES

PARSER_STACK = (
    "bibtexparser 2 [ExpandStringMacros, RemoveEnclosing, "
    "LatexDecoding(keep_braced_groups, verbatim url/doi), SeparateCoAuthors, SplitNameParts]"
)

_TYPE_CLASSES: dict[str, URIRef] = {
    "article": BIBO.Article,
    "book": BIBO.Book,
    "incollection": BIBO.Chapter,
    "inbook": BIBO.Chapter,
    "techreport": BIBO.Report,
    "report": BIBO.Report,
    "phdthesis": BIBO.Thesis,
    "mastersthesis": BIBO.Thesis,
    "thesis": BIBO.Thesis,
    "proceedings": BIBO.Proceedings,
    "online": BIBO.Webpage,
}
# Fields modelled as nodes of their own (or, the URL, as a typed literal), not as BibFields.
_STRUCTURED_FIELDS = frozenset({"journal", "booktitle", "publisher", "institution", URL_FIELD})


def software_version() -> str:
    """The installed version of this package, recorded in the provenance."""
    try:
        return version("evidence-graph")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


def new_dataset() -> Dataset:
    """An empty dataset with our prefixes bound."""
    dataset = Dataset()
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    return dataset


def build_dataset(reviews: Sequence[ReviewInputs], vocabulary: Vocabulary | None = None) -> Dataset:
    """The whole dataset for a set of reviews (and the concept vocabulary, when given).

    ``reviews`` may hold several versions of one review: each gets its own named graphs
    (``graph/<review>/v<n>/<part>``), and the newest is the review's current version.
    """
    dataset = new_dataset()
    if vocabulary is not None:
        build_vocabulary(dataset.graph(ids.vocabulary_graph_iri()), vocabulary.graph)
    latest = latest_versions(reviews)
    for review in reviews:
        review_id = review.manifest.review_id
        number = review.version.number if review.version else None
        iris = canonical_source_iris(review.bibliography)

        def graph(part: str, review_id: str = review_id, number: int | None = number) -> Graph:
            return dataset.graph(ids.graph_iri(review_id, part, number))

        if latest[review_id] is review:
            build_review(dataset.graph(ids.graph_iri(review_id, "review")), review.manifest)
        build_bibliography(
            graph("bibliography"), ids.review_iri(review_id), review.bibliography, iris
        )
        if review.audit is not None:
            build_review_text(graph("text"), review_id, review.audit, iris, graph("sentences"))
        if review.claims is not None:
            text = review.audit.review if review.audit else None
            sentence_at = locator_index(text) if text is not None else None
            sentences = {s.index: text.sentence_text(s) for s in text.sentences} if text else None
            build_claims(graph("claims"), review_id, review.claims, iris, sentence_at, sentences)
        if review.profiles:
            add_profiles(graph("profiles"), review.profiles, iris)
        if review.concepts.accepted or review.concepts.merged:
            target = graph("concepts")
            for triple in review_concept_graph(review.concepts, review_id):
                target.add(triple)
    for review_id in latest:
        versions = [r for r in reviews if r.manifest.review_id == review_id and r.version]
        if versions:
            build_versions(dataset.graph(ids.graph_iri(review_id, "versions")), versions)
    build_provenance(dataset.graph(ids.provenance_graph_iri()), reviews, vocabulary)
    return dataset


def latest_versions(reviews: Sequence[ReviewInputs]) -> dict[str, ReviewInputs]:
    """Each review's current version: the highest-numbered one given (or the only one)."""
    latest: dict[str, ReviewInputs] = {}
    for review in reviews:
        review_id = review.manifest.review_id
        number = review.version.number if review.version else 0
        held = latest.get(review_id)
        if held is None or number > (held.version.number if held.version else 0):
            latest[review_id] = review
    return latest


def build_versions(graph: Graph, versions: Sequence[ReviewInputs]) -> None:
    """Each version of one review: who ingested it, when, from which files, after which."""
    ordered = sorted((r.version for r in versions if r.version), key=lambda v: v.number)
    review = ids.review_iri(ordered[0].review_id)
    previous: URIRef | None = None
    for record in ordered:
        node = ids.version_iri(record.review_id, record.number)
        graph.add((node, RDF.type, EVKG.ReviewVersion))
        graph.add((node, RDF.type, PROV.Entity))
        graph.add((node, RDFS.label, Literal(f"{record.review_id} {record.id}")))
        graph.add((node, EVKG.versionOf, review))
        graph.add((node, EVKG.versionNumber, Literal(record.number)))
        graph.add((node, EVKG.versionOrigin, Literal(record.origin)))
        graph.add((node, PROV.generatedAtTime, Literal(record.created_at, datatype=XSD.dateTime)))
        editor = ids.editor_iri(record.created_by)
        graph.add((node, PROV.wasAttributedTo, editor))
        graph.add((editor, RDF.type, PROV.Person))
        graph.add((editor, FOAF.nick, Literal(record.created_by)))
        if record.note:
            graph.add((node, RDFS.comment, Literal(record.note)))
        if previous is not None:
            graph.add((node, PROV.wasRevisionOf, previous))
        for name, checksum in sorted(record.files.items()):
            entity = ids.input_iri(checksum)
            graph.add((node, PROV.wasDerivedFrom, entity))
            graph.add((entity, RDF.type, PROV.Entity))
            graph.add((entity, RDF.type, EVKG.InputFile))
            graph.add((entity, DCTERMS.title, Literal(name)))
            graph.add((entity, EVKG.sha256, Literal(checksum)))
        previous = node
    if previous is not None:
        graph.add((review, EVKG.currentVersion, previous))


def build_review(graph: Graph, manifest: ReviewManifest) -> None:
    """The review as a document: title, authors in order, date and publisher."""
    review = ids.review_iri(manifest.review_id)
    graph.add((review, RDF.type, EVKG.Review))
    graph.add((review, RDF.type, BIBO.Report))
    graph.add((review, EVKG.reviewId, Literal(manifest.review_id)))
    graph.add((review, DCTERMS.title, Literal(manifest.title)))
    graph.add((review, DCTERMS.issued, _issued(manifest)))
    _add_names(graph, review, manifest.authors, DCTERMS.creator, BIBO.authorList, "authors")
    if manifest.publisher:
        graph.add((review, DCTERMS.publisher, _organisation(graph, manifest.publisher)))
    if manifest.licence:
        graph.add((review, DCTERMS.rights, Literal(manifest.licence)))
    graph.add((review, EVKG.textDisplay, Literal(manifest.text_display)))


def _issued(manifest: ReviewManifest) -> Literal:
    if manifest.issued and len(manifest.issued) == 7:
        return Literal(manifest.issued, datatype=XSD.gYearMonth)
    return Literal(str(manifest.year), datatype=XSD.gYear)


def canonical_source_iris(bibliography: Bibliography) -> dict[str, URIRef]:
    """Each key's source IRI; keys of one duplicated work share the IRI of its best entry."""
    entries = bibliography.by_key()
    work_of = {k: group for group in bibliography.duplicate_works for k in group}
    # Two entries that are not one work never share a source, even when what usually
    # identifies a work (DOI, or title and year) is the same: type and authors tell them apart.
    first: dict[URIRef, str] = {}
    apart: set[str] = set()
    for key, entry in entries.items():
        other = first.setdefault(ids.source_iri(entry), key)
        if other != key and key not in work_of.get(other, ()):
            apart |= {key, other}
    apart |= {k for g in bibliography.duplicate_works if apart & set(g) for k in g}
    iris = {key: ids.source_iri(entry, key in apart) for key, entry in entries.items()}
    for group in bibliography.duplicate_works:
        best = _best_of(group, entries)
        for key in group:
            iris[key] = iris[best]
    return iris


def _best_of(group: Sequence[str], entries: Mapping[str, BibEntry]) -> str:
    # Prefer an entry with a DOI, then the smallest key: independent of file order.
    return min((entries[k] for k in group), key=lambda e: (e.get("doi") is None, e.key)).key


def build_bibliography(
    graph: Graph,
    review: URIRef,
    bibliography: Bibliography,
    iris: Mapping[str, URIRef] | None = None,
) -> None:
    """Every reference as a source that the review cites.

    Keys of one work share its source, described by one entry only (the one whose IRI it
    has), so that two entries' fields are never mixed; the other keys are kept on it.
    Sources that are versions of one work link to each other.
    """
    iris = iris if iris is not None else canonical_source_iris(bibliography)
    entries = bibliography.by_key()
    others = {
        key
        for group in bibliography.duplicate_works
        for key in group
        if key != _best_of(group, entries)
    }
    for entry in bibliography.entries:
        source = iris[entry.key]
        graph.add((review, CITO.cites, source))
        if entry.key in others:
            graph.add((source, EVKG.bibKey, Literal(entry.key)))
        else:
            build_source(graph, source, entry)
    for one, other in bibliography.versions:
        if one in entries and other in entries:
            graph.add((iris[one], DCTERMS.hasVersion, iris[other]))
            graph.add((iris[other], DCTERMS.hasVersion, iris[one]))


def build_source(graph: Graph, source: URIRef, entry: BibEntry) -> None:
    """One reference's triples; fields the list does not give are simply absent."""
    graph.add((source, RDF.type, EVKG.Source))
    graph.add((source, RDF.type, _TYPE_CLASSES.get(entry.entry_type, BIBO.Document)))
    graph.add((source, EVKG.bibKey, Literal(entry.key)))
    graph.add((source, EVKG.entryType, Literal(entry.entry_type)))
    graph.add((source, EVKG.sourceLine, Literal(entry.line)))
    if entry.title:
        graph.add((source, DCTERMS.title, Literal(entry.title)))
    if entry.year and entry.year.value is not None:
        graph.add((source, DCTERMS.issued, Literal(str(entry.year.value), datatype=XSD.gYear)))
        if entry.year.suffix:
            graph.add((source, EVKG.yearSuffix, Literal(entry.year.suffix)))
    elif entry.year:
        graph.add((source, EVKG.yearLabel, Literal(entry.year.label)))
    _add_names(graph, source, entry.authors, DCTERMS.creator, BIBO.authorList, "authors")
    _add_containers(graph, source, entry)
    _add_fields(graph, source, entry)


def _add_containers(graph: Graph, source: URIRef, entry: BibEntry) -> None:
    journal = entry.get("journal")
    if journal:
        node = ids.journal_iri(journal)
        graph.add((source, DCTERMS.isPartOf, node))
        graph.add((node, RDF.type, BIBO.Journal))
        graph.add((node, DCTERMS.title, Literal(journal)))
    booktitle = entry.get("booktitle")
    editor_holder = source
    if booktitle:
        book = ids.part_iri(source, "container")
        graph.add((source, DCTERMS.isPartOf, book))
        graph.add((book, RDF.type, BIBO.EditedBook if entry.editors else BIBO.Book))
        graph.add((book, DCTERMS.title, Literal(booktitle)))
        editor_holder = book
    _add_names(graph, editor_holder, entry.editors, BIBO.editor, BIBO.editorList, "editors")
    for field, predicate in (("publisher", DCTERMS.publisher), ("institution", BIBO.issuer)):
        value = entry.get(field)
        if value:
            graph.add((source, predicate, _organisation(graph, value)))


def _add_fields(graph: Graph, source: URIRef, entry: BibEntry) -> None:
    for field, value in sorted(entry.fields.items()):
        if field in LITERAL_FIELDS:
            graph.add((source, LITERAL_FIELDS[field], Literal(value)))
        elif field == URL_FIELD:
            graph.add((source, URL_PROPERTY, Literal(value, datatype=XSD.anyURI)))
        elif field not in _STRUCTURED_FIELDS:
            node = ids.part_iri(source, "field", field)
            graph.add((source, EVKG.bibField, node))
            graph.add((node, RDF.type, EVKG.BibField))
            graph.add((node, EVKG.fieldName, Literal(field)))
            graph.add((node, RDF.value, Literal(value)))
    pages = entry.get("pages")
    page_range = re.fullmatch(r"\s*(\w+)\s*[-\u2013\u2014]+\s*(\w+)\s*", pages or "")
    if page_range:
        graph.add((source, BIBO.pageStart, Literal(page_range[1])))
        graph.add((source, BIBO.pageEnd, Literal(page_range[2])))


def _add_names(
    graph: Graph,
    subject: URIRef,
    names: Sequence[Name],
    each: URIRef,
    ordered: URIRef,
    part: str,
) -> None:
    """Authors or editors: one link per agent, plus an rdf:Seq that keeps their order."""
    if not names:
        return
    seq = ids.part_iri(subject, part)
    graph.add((subject, ordered, seq))
    graph.add((seq, RDF.type, RDF.Seq))
    for position, name in enumerate(names, start=1):
        member = URIRef(f"{RDF}_{position}")
        if name.kind is NameKind.OMITTED:
            graph.add((seq, member, EVKG.OmittedAuthors))
            continue
        agent = _agent(graph, name)
        graph.add((subject, each, agent))
        graph.add((seq, member, agent))


def _agent(graph: Graph, name: Name) -> URIRef:
    agent = ids.agent_iri(name)
    if name.kind is NameKind.ORGANISATION:
        graph.add((agent, RDF.type, FOAF.Organization))
        graph.add((agent, FOAF.name, Literal(name.last)))
        return agent
    graph.add((agent, RDF.type, FOAF.Person))
    graph.add((agent, FOAF.name, Literal(name.display)))
    graph.add((agent, FOAF.familyName, Literal(name.family)))
    if name.first:
        graph.add((agent, FOAF.givenName, Literal(name.first)))
    if name.jr:
        graph.add((agent, EVKG.nameSuffix, Literal(name.jr)))
    return agent


def _organisation(graph: Graph, name: str) -> URIRef:
    agent = ids.organisation_iri(name)
    graph.add((agent, RDF.type, FOAF.Organization))
    graph.add((agent, FOAF.name, Literal(name)))
    return agent


def review_checksums(review: ReviewInputs) -> list[str]:
    """The checksums of one review version's inputs, as a build's digest counts them."""
    checksums = [review.bibliography.checksum, review.manifest.checksum]
    checksums += [review.audit.review.checksum] if review.audit else []
    checksums += [review.claims.checksum] if review.claims else []
    checksums += [review.venues_checksum] if review.venues_checksum else []
    return checksums


def input_digest(checksums: Iterable[str]) -> str:
    """One digest for a set of inputs and the software that read them."""
    joined = "\n".join(sorted(checksums)) + "\n" + software_version()
    return hashlib.sha256(joined.encode()).hexdigest()


def build_provenance(
    graph: Graph,
    reviews: Sequence[ReviewInputs],
    vocabulary: Vocabulary | None = None,
    build: URIRef | None = None,
) -> None:
    """A PROV record: which build read which files (by checksum) into which named graph.

    ``build`` names the build when ``reviews`` are only some of what it holds (a build that
    adds one review to a library: see :mod:`kg.library.incremental`).
    """
    inputs = [(r, "review-manifest", r.manifest.path, r.manifest.checksum) for r in reviews]
    inputs += [(r, "bibliography", r.bibliography.path, r.bibliography.checksum) for r in reviews]
    inputs += [
        (r, "review-text", r.audit.review.path, r.audit.review.checksum)
        for r in reviews
        if r.audit is not None
    ]
    inputs += [(r, "claims", r.claims.path, r.claims.checksum) for r in reviews if r.claims]
    inputs += [
        (r, "venues", str(r.manifest.venues), r.venues_checksum)
        for r in reviews
        if r.manifest.venues is not None and r.venues_checksum
    ]
    checksums = [c for *_, c in inputs] + ([vocabulary.checksum] if vocabulary else [])
    build = build if build is not None else ids.build_iri(input_digest(checksums))
    software = ids.organisation_iri("evidence-graph software")
    graph.add((build, RDF.type, PROV.Activity))
    graph.add((build, RDF.type, EVKG.Build))
    graph.add((build, PROV.wasAssociatedWith, software))
    graph.add((software, RDF.type, PROV.SoftwareAgent))
    graph.add((software, FOAF.name, Literal("evidence-graph")))
    graph.add((software, DCTERMS.hasVersion, Literal(software_version())))
    for review, role, path, checksum in inputs:
        entity = ids.input_iri(checksum)
        part = {"review-manifest": "review", "review-text": "text", "venues": "profiles"}.get(
            role, role
        )
        number = review.version.number if review.version and part != "review" else None
        named_graph = ids.graph_iri(review.manifest.review_id, part, number)
        if number is not None:
            version = ids.version_iri(review.manifest.review_id, number)
            graph.add((named_graph, EVKG.inVersion, version))
        graph.add((build, PROV.used, entity))
        graph.add((entity, RDF.type, PROV.Entity))
        graph.add((entity, RDF.type, EVKG.InputFile))
        graph.add((entity, DCTERMS.title, Literal(Path(path).name)))
        graph.add((entity, EVKG.sha256, Literal(checksum)))
        graph.add((entity, EVKG.inputRole, Literal(role)))
        if role == "bibliography":
            graph.add((entity, EVKG.parserStack, Literal(PARSER_STACK)))
        graph.add((named_graph, PROV.wasGeneratedBy, build))
        graph.add((named_graph, PROV.wasDerivedFrom, entity))
        graph.add((named_graph, EVKG.graphOf, ids.review_iri(review.manifest.review_id)))
    if vocabulary is not None:
        entity = ids.input_iri(vocabulary.checksum)
        graph.add((build, PROV.used, entity))
        graph.add((entity, RDF.type, PROV.Entity))
        graph.add((entity, RDF.type, EVKG.InputFile))
        graph.add((entity, DCTERMS.title, Literal("vocabulary.ttl")))
        graph.add((entity, EVKG.sha256, Literal(vocabulary.checksum)))
        graph.add((entity, EVKG.inputRole, Literal("vocabulary")))
        graph.add((ids.vocabulary_graph_iri(), PROV.wasGeneratedBy, build))
        graph.add((ids.vocabulary_graph_iri(), PROV.wasDerivedFrom, entity))
