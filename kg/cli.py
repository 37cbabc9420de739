"""The ``evkg`` command.

Exit codes: 0 ok, 1 problems found, 2 bad input or usage, 3 internal or store error.
Heavy imports happen inside each command, so ``evkg --help`` stays instant.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kg.config import Settings
from kg.errors import InputError, KGError

if TYPE_CHECKING:
    from kg.library.assembly import LibraryBuild
    from kg.library.backend import Published


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = _parser()
    args = parser.parse_args(_flags_last(list(sys.argv[1:] if argv is None else argv)))
    try:
        settings = Settings.from_env()
        if getattr(args, "store", None):
            settings = replace(settings, store_dir=Path(args.store).resolve())
        code: int = args.run(args, settings)
    except KGError as exc:
        print(f"evkg: {exc}", file=sys.stderr)
        if getattr(args, "json", False):
            # --json always prints one report, on failure too, for scripts to read.
            print(json.dumps(_failure(exc), indent=2, ensure_ascii=False))
        return exc.exit_code
    return code


def _failure(exc: KGError) -> dict[str, object]:
    problems = [p.to_json() for p in getattr(exc, "problems", [])]
    return {
        "ok": False,
        "exit_code": exc.exit_code,
        "error": str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__,
        "problems": problems,
    }


def _flags_last(argv: list[str]) -> list[str]:
    """``evkg user add --password-stdin NAME`` as well as ``... NAME --password-stdin``.

    argparse fills an optional positional (the name) before it reads a flag written ahead
    of it, and then refuses the name; the flag is moved after it.
    """
    if argv[:1] != ["user"]:
        return argv
    flags = [a for a in argv if a in ("--password-stdin", "--admin")]
    return [a for a in argv if a not in flags] + flags


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

    publish = commands.add_parser("publish", help="publish an archived version (an upload)")
    publish.add_argument("version", help="its id, e.g. v2 or clinks-2021-peer-mentoring/v2")
    publish.add_argument("--store", help="store directory")
    publish.add_argument("--accept-errors", action="store_true", help="as for build")
    publish.add_argument("--strict", action="store_true", help="treat warnings as errors")
    publish.add_argument("--json", action="store_true", help="print the summary as JSON")
    publish.set_defaults(run=_publish)

    versions = commands.add_parser("versions", help="list every archived version of each review")
    versions.add_argument("--store", help="store directory")
    versions.add_argument("--json", action="store_true", help="print JSON")
    versions.set_defaults(run=_versions)

    user = commands.add_parser("user", help="editor accounts for the web explorer")
    user.add_argument("action", choices=("add", "passwd", "remove", "list"))
    user.add_argument("name", nargs="?", default="", help="the editor's user name")
    user.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    user.add_argument(
        "--admin", action="store_true", help="with add: may add and remove editors in the browser"
    )
    user.set_defaults(run=_user)

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
    diff.add_argument(
        "old", help="a version id (v1, <review>/v1) or a folder with text, references.bib, claims"
    )
    diff.add_argument("new", help="the same, for the newer version")
    diff.add_argument("--store", help="store directory (where version ids are looked up)")
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
    from kg.library.assembly import PublishOptions
    from kg.library.full import build_project

    options = PublishOptions(args.accept_errors, args.strict, args.bib_encoding)
    built, published = build_project(settings, options)
    return _report_publish(args, built, published)


def _publish(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.archive import ArchiveError
    from kg.library.assembly import PublishOptions, archive_of
    from kg.library.full import publish_version

    try:
        record = archive_of(settings).find(args.version)
    except ArchiveError as exc:
        raise InputError(str(exc)) from exc
    options = PublishOptions(args.accept_errors, args.strict)
    built, published = publish_version(settings, record, options)
    return _report_publish(args, built, published)


def _report_publish(args: argparse.Namespace, built: LibraryBuild, published: Published) -> int:
    from ingest.problems import Severity

    for problem in built.problems:
        print(problem, file=sys.stderr)
    for finding in built.shacl.results:
        print(f"shacl {finding}", file=sys.stderr)
    info = published.info
    if args.json:
        print(json.dumps({**info, "store": published.location}, indent=2))
        return 0
    errors = sum(p.severity is Severity.ERROR for p in built.problems)
    for review in info["reviews"]:
        print(f"{review['id']} {review['version']}: {review['sources']} sources")
    for record in built.new:
        print(f"new version {record.qualified_id} by {record.created_by}")
    print(
        f"published {info['quads']} quads in {len(info['graphs'])} named graphs "
        f"to {published.location} "
        f"({errors} errors, {len(built.problems) - errors} warnings)"
    )
    return 0


def _versions(args: argparse.Namespace, settings: Settings) -> int:
    from kg.library.assembly import archive_of
    from kg.library.full import published_versions, version_state

    archive = archive_of(settings)
    published = published_versions(settings)
    rows = []
    for review_id in archive.reviews():
        numbers = published.get(review_id, [])
        for record in archive.versions(review_id):
            state = version_state(record.number, numbers).value
            rows.append({**record.to_json(), "id": record.qualified_id, "state": state})
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            print(
                f"{row['id']:<40} {row['state']:<9} {row['created_at']} by {row['created_by']}"
                f" ({row['origin']})"
            )
    return 0


def _user(args: argparse.Namespace, settings: Settings) -> int:
    import getpass

    from web.accounts import AccountError, Accounts

    accounts = Accounts(settings.users_file)
    try:
        if args.action == "list":
            for name in accounts.names():
                print(name)
            return 0
        if args.action == "remove":
            accounts.remove(args.name)
            print(f"removed the editor {args.name}")
            return 0
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise InputError("no password on standard input: pipe one line, the password")
        else:
            try:
                password = getpass.getpass(f"password for {args.name}: ")
                if getpass.getpass("again: ") != password:
                    raise InputError("the two passwords differ")
            except EOFError as exc:
                raise InputError(
                    "no password typed (standard input is closed): run this in a terminal, "
                    "or pipe the password with --password-stdin"
                ) from exc
        accounts.add(
            args.name,
            password,
            replace=args.action == "passwd",
            admin=True if args.admin else None,
        )
    except AccountError as exc:
        raise InputError(str(exc)) from exc
    done = "changed the password of" if args.action == "passwd" else "added"
    print(f"{done} the editor {args.name}")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.safe_files import write_atomically
    from kg.errors import StoreError
    from kg.export import export
    from kg.library.backend import open_store

    data = export(open_store(settings), args.format)
    if args.out:
        out = Path(args.out)
        if not out.parent.is_dir():
            raise InputError(f"{out.parent}: no such folder to write {out.name} into")
        try:
            # The old file stays whole if this fails (a full disk, a read-only folder).
            write_atomically(out, data)
        except OSError as exc:
            raise StoreError(
                f"could not write {out}: {exc.strerror or exc}; it is unchanged"
            ) from exc
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
    from ingest.reference_formats import read_reference_list
    from ingest.review import parse_review
    from ingest.review_files import ReviewFileError
    from kg.answers.concept_proposals import propose_concepts
    from kg.answers.suggest import suggest, to_claims_yaml
    from kg.rdf.concepts import load_vocabulary

    try:
        review = parse_review(Path(args.review))
    except (ReviewFileError, OSError) as exc:
        raise InputError(str(exc)) from exc
    bibliography = read_reference_list(Path(args.bib))
    if not bibliography.entries:
        raise InputError(f"{args.bib}: no entries could be read")
    audit = audit_review(review, bibliography)
    vocabulary = load_vocabulary()
    text = to_claims_yaml(suggest(audit, vocabulary.graph), args.review_id)
    proposals = propose_concepts(audit, vocabulary)
    if proposals:
        # New concepts come first, as comments: an editor accepts them in the judgements file.
        lines = [
            "# Concepts this review seems to need that the vocabulary lacks (accept one in",
            "# the judgements file's `concepts:` section, with a definition in your words):",
        ]
        for p in proposals:
            lines.append(
                f"#   {p.label} ({p.scheme}/{p.id}): {p.count} cited sentences, "
                f"e.g. {p.sentences[0]}"
            )
        text = "\n".join(lines) + "\n" + text
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _query(args: argparse.Namespace, settings: Settings) -> int:
    from kg.answers.answer import answer, to_json, to_text
    from kg.answers.read_model import read_model
    from kg.library.backend import open_store

    knowledge = read_model(open_store(settings)).knowledge
    result = answer(args.question, knowledge)
    if args.json:
        print(json.dumps(to_json(result, knowledge), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(to_text(result, knowledge))
    found = any(result.claims.values()) or result.mentions
    return 0 if found else 1


def _diff(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.archive import ArchiveError, parse_version_id
    from ingest.diff import VersionError, diff_versions, read_version
    from kg.library.assembly import archive_of

    def folder(text: str) -> Path:
        if parse_version_id(text) is None:
            return Path(text)
        if Path(text).is_dir():
            raise InputError(
                f"{text!r} is both a version id and a folder here: write ./{text} for the folder"
            )
        return archive_of(settings).find(text).folder

    try:
        changes = diff_versions(read_version(folder(args.old)), read_version(folder(args.new)))
        if parse_version_id(args.old) and parse_version_id(args.new):
            # Archived versions of a review this project describes can each be built and
            # checked on their own; elsewhere the list is left out rather than guessed.
            from kg.library.version_checks import shacl_gone

            archive = archive_of(settings)
            try:
                changes["shacl_problems_gone"] = shacl_gone(
                    settings, archive.find(args.old), archive.find(args.new)
                )
            except KGError as exc:
                print(f"evkg: SHACL not compared: {exc}", file=sys.stderr)
    except (VersionError, ArchiveError) as exc:
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
    from kg.library.backend import open_store
    from kg.rdf.validate import load_shapes, validate_dataset

    shapes = load_shapes(Path(args.shapes) if args.shapes else None)
    report = validate_dataset(open_store(settings).to_dataset(current_only=True), shapes)
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
    try:
        waitress.serve(app, host=args.host, port=args.port, threads=args.threads)
    except OSError as exc:
        # A busy port, or one this user may not bind: say so, with the internal error's code.
        raise KGError(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from exc
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
