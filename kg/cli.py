"""The ``evkg`` command.

Exit codes: 0 ok, 1 problems found, 2 bad input or usage, 3 internal or store error.
Heavy imports happen inside each command, so ``evkg --help`` stays instant.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from kg.config import Settings
from kg.errors import InputError, KGError, ProblemsFound


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if getattr(args, "store", None):
        settings = Settings(settings.root, settings.reviews_dir, Path(args.store).resolve())
    try:
        code: int = args.run(args, settings)
    except KGError as exc:
        print(f"evkg: {exc}", file=sys.stderr)
        return exc.exit_code
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="evkg", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="ingest the reviews and publish the store")
    build.add_argument("--store", help="store directory (default: EVKG_STORE_DIR or var/store)")
    build.add_argument(
        "--accept-errors",
        action="store_true",
        help="publish the entries that could be read despite errors (editor's "
        "confirmation); the errors are still reported",
    )
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--bib-encoding", help="read .bib files in this encoding, e.g. cp1252")
    build.add_argument("--json", action="store_true", help="print the summary as JSON")
    build.set_defaults(run=_build)

    export = commands.add_parser("export", help="write what was built")
    export.add_argument(
        "--format", required=True, choices=("ttl", "jsonld", "nt", "nq", "trig", "bib")
    )
    export.add_argument("--out", help="file to write (default: standard output)")
    export.add_argument("--store", help="store directory")
    export.set_defaults(run=_export)

    check = commands.add_parser("check", help="the citation audit of a review's text")
    check.add_argument("review", help="the review: .txt, .md, .docx or .pdf")
    check.add_argument("--bib", required=True, help="its reference list (BibTeX)")
    check.add_argument("--bib-encoding", help="read the .bib in this encoding, e.g. cp1252")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(run=_check)

    suggest = commands.add_parser("suggest", help="suggest claims for a review's cited sentences")
    suggest.add_argument("review", help="the review: .txt, .md, .docx or .pdf")
    suggest.add_argument("--bib", required=True, help="its reference list (BibTeX)")
    suggest.add_argument("--review-id", default="new-review", help="id for the claims file")
    suggest.add_argument("--out", help="write the suggested claims file here")
    suggest.set_defaults(run=_suggest)

    query = commands.add_parser("query", help='ask a question, e.g. "what supports hope"')
    query.add_argument("question")
    query.add_argument("--json", action="store_true", help="print one JSON object")
    query.add_argument("--store", help="store directory")
    query.set_defaults(run=_query)

    diff = commands.add_parser("diff", help="what changed in the evidence between versions")
    diff.add_argument("old", help="a folder with the old version's text, references.bib, claims")
    diff.add_argument("new", help="a folder with the new version's files")
    diff.add_argument("--json", action="store_true", help="print one JSON object")
    diff.set_defaults(run=_diff)

    validate = commands.add_parser("validate", help="check the published store with SHACL")
    validate.add_argument("--shapes", help="another SHACL shapes file (Turtle)")
    validate.add_argument("--strict", action="store_true", help="treat warnings as failures")
    validate.add_argument("--store", help="store directory")
    validate.set_defaults(run=_validate)

    serve = commands.add_parser("serve", help="serve the explorer with a production server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--threads", type=int, default=4)
    serve.add_argument("--store", help="store directory")
    serve.set_defaults(run=_serve)
    return parser


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.pipeline import ingest_reviews
    from ingest.problems import Severity, has_errors
    from kg.build import build_dataset, input_digest, software_version
    from kg.store import publish
    from kg.validate import validate_dataset
    from kg.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    result = ingest_reviews(
        settings.reviews_dir,
        settings.root,
        bib_encoding=args.bib_encoding,
        vocabulary=vocabulary.concept_ids(),
    )
    for problem in result.problems:
        print(problem, file=sys.stderr)
    errors = sum(p.severity is Severity.ERROR for p in result.problems)
    warnings = len(result.problems) - errors
    # --accept-errors lets an editor publish the *entries* that could be read; an input that
    # could not be read at all (a review text, a manifest) is never published in part.
    unacceptable = [
        p for p in result.problems if p.severity is Severity.ERROR and not p.code.startswith("bib.")
    ]
    blocked = (
        (has_errors(result.problems) and not args.accept_errors)
        or bool(unacceptable)
        or (args.strict and warnings > 0)
    )
    empty = [r.manifest.review_id for r in result.reviews if not r.bibliography.entries]
    if empty:
        raise ProblemsFound(
            f"no entries could be read for {', '.join(empty)}: nothing was published and the "
            "previous store is untouched"
        )
    if blocked or not result.reviews:
        raise ProblemsFound(
            f"{errors} error(s), {warnings} warning(s): nothing was published and the "
            "previous store is untouched. Fix the inputs, or pass --accept-errors to publish "
            "the entries that could be read."
        )
    dataset = build_dataset(result.reviews, vocabulary)
    report = validate_dataset(dataset)
    for finding in report.results:
        print(f"shacl {finding}", file=sys.stderr)
    if report.violations or (args.strict and report.warnings):
        raise ProblemsFound(
            f"SHACL: {len(report.violations)} violation(s), {len(report.warnings)} warning(s): "
            "nothing was published and the previous store is untouched"
        )
    checksums = [r.bibliography.checksum for r in result.reviews]
    checksums += [r.manifest.checksum for r in result.reviews]
    checksums += [r.audit.review.checksum for r in result.reviews if r.audit]
    checksums += [r.claims.checksum for r in result.reviews if r.claims]
    checksums += [r.venues_checksum for r in result.reviews if r.venues_checksum]
    checksums.append(vocabulary.checksum)
    summary = {
        "digest": input_digest(checksums),
        "software_version": software_version(),
        "reviews": [
            {
                "id": r.manifest.review_id,
                "sources": len(r.bibliography.entries),
                "bibliography": {
                    "file": Path(r.bibliography.path).name,
                    "sha256": r.bibliography.checksum,
                },
                "manifest": {"file": Path(r.manifest.path).name, "sha256": r.manifest.checksum},
            }
            for r in result.reviews
        ],
        "problems": [p.to_json() for p in result.problems],
        "shacl": [vars(r) for r in report.results],
        "graphs": sorted(str(g.identifier) for g in dataset.graphs() if len(g)),
    }
    build_dir = publish(dataset, settings.store_dir, summary)
    summary["store"] = str(build_dir)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for review in result.reviews:
            print(f"{review.manifest.review_id}: {len(review.bibliography.entries)} sources")
        quads = json.loads((build_dir / "build.json").read_text("utf-8"))["quads"]
        print(
            f"published {quads} quads in {len(summary['graphs'])} named graphs "
            f"to {build_dir} ({errors} errors, {warnings} warnings)"
        )
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from kg.export import export
    from kg.store import GraphStore

    data = export(GraphStore.open(settings.store_dir), args.format)
    if args.out:
        Path(args.out).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.audit import audit_review, format_report
    from ingest.bibtex import parse_bibtex
    from ingest.problems import has_errors
    from ingest.review import parse_review
    from ingest.review_files import ReviewFileError

    review_path, bib_path = Path(args.review), Path(args.bib)
    for path in (review_path, bib_path):
        if not path.is_file():
            raise InputError(f"{path}: no such file")
    try:
        review = parse_review(review_path)
    except ReviewFileError as exc:
        raise InputError(str(exc)) from exc
    bibliography = parse_bibtex(bib_path, encoding=args.bib_encoding)
    for problem in bibliography.problems:
        print(problem, file=sys.stderr)
    if not bibliography.entries:
        raise InputError(f"{bib_path}: no entries could be read, so nothing can be checked")
    audit = audit_review(review, bibliography)
    if args.json:
        report = audit.to_json()
        report["bibliography_problems"] = [p.to_json() for p in bibliography.problems]
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(format_report(audit))
    return 0 if audit.clean and not has_errors(bibliography.problems) else 1


def _suggest(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.audit import audit_review
    from ingest.bibtex import parse_bibtex
    from ingest.review import parse_review
    from ingest.review_files import ReviewFileError
    from kg.suggest import suggest, to_claims_yaml
    from kg.vocabulary import load_vocabulary

    try:
        review = parse_review(Path(args.review))
    except (ReviewFileError, OSError) as exc:
        raise InputError(str(exc)) from exc
    bibliography = parse_bibtex(Path(args.bib))
    if not bibliography.entries:
        raise InputError(f"{args.bib}: no entries could be read")
    text = to_claims_yaml(
        suggest(audit_review(review, bibliography), load_vocabulary().graph), args.review_id
    )
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _query(args: argparse.Namespace, settings: Settings) -> int:
    from kg.answers import answer, to_json, to_text
    from kg.knowledge import Knowledge
    from kg.store import GraphStore

    knowledge = Knowledge.of(GraphStore.open(settings.store_dir))
    result = answer(args.question, knowledge)
    if args.json:
        print(json.dumps(to_json(result, knowledge), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(to_text(result, knowledge))
    found = any(result.claims.values()) or result.mentions
    return 0 if found else 1


def _diff(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.diff import VersionError, diff_versions, read_version

    try:
        changes = diff_versions(read_version(Path(args.old)), read_version(Path(args.new)))
    except VersionError as exc:
        raise InputError(str(exc)) from exc
    if args.json:
        print(json.dumps(changes, indent=2, ensure_ascii=False))
    else:
        for kind, items in changes.items():
            if items:
                print(f"{kind.replace('_', ' ')} ({len(items)}):")
                for item in items:
                    print("  " + "; ".join(f"{k}: {v}" for k, v in item.items() if v))
    return 1 if any(changes.values()) else 0


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    from kg.store import GraphStore
    from kg.validate import load_shapes, validate_dataset

    shapes = load_shapes(Path(args.shapes) if args.shapes else None)
    report = validate_dataset(GraphStore.open(settings.store_dir).to_dataset(), shapes)
    for finding in report.results:
        print(finding)
    print(f"{len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
    return 1 if report.violations or (args.strict and report.warnings) else 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import waitress

    from web import create_app

    if not 0 < args.port < 65536:
        raise InputError(f"port {args.port} is out of range")
    app = create_app({"EVKG_STORE_DIR": str(settings.store_dir)})
    print(f"serving the explorer on http://{args.host}:{args.port}/", file=sys.stderr)
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
