"""The editor area: accounts, sessions, CSRF (case 20), uploads (case 19), queue, publish."""

from __future__ import annotations

import io
import json
import re
import stat
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from kg.cli import main
from kg.config import Settings
from kg.library.assembly import PublishOptions, archive_of
from kg.library.full import build_project, published_versions
from tests.conftest import DATA, ROOT
from tests.tiny_project import PASSWORD, REVIEW, V2, environment, make_tiny_project
from web import create_app
from web.accounts import Accounts

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture()
def project(tmp_path: Path) -> Settings:
    settings = make_tiny_project(tmp_path)
    build_project(settings, PublishOptions())
    Accounts(settings.users_file).add("alice", PASSWORD)
    return settings


@pytest.fixture()
def app(project: Settings) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "EVKG_STORE_DIR": str(project.store_dir),
            "EVKG_ROOT": str(project.root),
            "EVKG_REVIEWS_DIR": str(project.reviews_dir),
        }
    )


@pytest.fixture()
def editor(app: Flask) -> FlaskClient:
    """A client signed in as alice."""
    client = app.test_client()
    token = TOKEN.search(client.get("/editor/login").get_data(as_text=True))
    assert token is not None
    reply = client.post(
        "/editor/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token[1]}
    )
    assert reply.status_code == 302
    return client


def token_of(client: FlaskClient, path: str = "/editor/upload") -> str:
    found = TOKEN.search(client.get(path).get_data(as_text=True))
    assert found is not None
    return found[1]


def upload(
    client: FlaskClient, review: str = REVIEW, **files: tuple[bytes, str]
) -> tuple[int, str]:
    data: dict[str, object] = {"csrf_token": token_of(client), "review": review, "note": "v2"}
    for field, (content, name) in files.items():
        data[field] = FileStorage(io.BytesIO(content), filename=name)
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(data)
    reply = client.post(
        "/editor/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    return reply.status_code, reply.headers.get("Location", "") or reply.get_data(as_text=True)


# A claims file with no claims: the version starts from suggestions alone.
NO_CLAIMS = b"review: tiny-review\nclaims: []\n"
LOSS = re.compile(r'name="confirm" value="([^"]+)"')


def upload_v2(client: FlaskClient, claims: bytes = NO_CLAIMS) -> str:
    status, where = upload(
        client,
        text=((V2 / "review.md").read_bytes(), "review.md"),
        bibliography=((V2 / "references.bib").read_bytes(), "references.bib"),
        claims=(claims, "claims.yaml"),
    )
    assert status == 302, where
    return where


def test_every_editor_page_needs_a_signed_in_editor(app: Flask) -> None:
    client = app.test_client()
    for path in ("/editor/", "/editor/upload", f"/editor/drafts/{REVIEW}/1"):
        reply = client.get(path)
        assert reply.status_code == 302 and "/editor/login" in reply.headers["Location"]


def test_a_wrong_password_is_refused_the_same_way_as_an_unknown_name(app: Flask) -> None:
    client = app.test_client()
    token = token_of(client, "/editor/login")
    for name, password in (("alice", "not her password"), ("mallory", PASSWORD)):
        reply = client.post(
            "/editor/login", data={"name": name, "password": password, "csrf_token": token}
        )
        assert reply.status_code == 401
        assert "do not match an editor account" in reply.get_data(as_text=True)
    assert client.get("/editor/").status_code == 302


def test_there_is_no_default_account(tmp_path: Path) -> None:
    settings = make_tiny_project(tmp_path)
    build_project(settings, PublishOptions())
    app = create_app({"TESTING": True, "EVKG_STORE_DIR": str(settings.store_dir)})
    page = app.test_client().get("/editor/login").get_data(as_text=True)
    assert "No editor accounts exist" in page and "evkg user add" in page


def test_sessions_expire_when_idle_and_after_their_longest_life(editor: FlaskClient) -> None:
    assert editor.get("/editor/").status_code == 200
    with editor.session_transaction() as session:
        session["seen"] = time.time() - 31 * 60  # idle for longer than 30 minutes
    assert editor.get("/editor/").status_code == 302
    with editor.session_transaction() as session:
        assert "editor" not in session


def test_a_removed_account_loses_its_session(editor: FlaskClient, project: Settings) -> None:
    Accounts(project.users_file).remove("alice")
    assert editor.get("/editor/").status_code == 302


def test_a_redirect_after_sign_in_never_leaves_the_site(app: Flask) -> None:
    client = app.test_client()
    token = token_of(client, "/editor/login")
    reply = client.post(
        "/editor/login?next=//evil.example/x",
        data={"name": "alice", "password": PASSWORD, "csrf_token": token},
    )
    assert reply.headers["Location"] == "/editor/"


def test_case_20_posts_without_a_token_or_from_another_site_are_refused(
    editor: FlaskClient, app: Flask
) -> None:
    where = upload_v2(editor)
    publish = f"/editor/drafts/{REVIEW}/2/publish"
    assert editor.post(publish).status_code == 400
    assert editor.post(publish, data={"csrf_token": "forged"}).status_code == 400
    token = token_of(editor, where)
    cross = editor.post(
        publish, data={"csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 400
    referred = editor.post(
        publish, data={"csrf_token": token}, headers={"Referer": "https://evil.example/page"}
    )
    assert referred.status_code == 400
    assert published_versions_of(app) == [1]  # none of them published anything
    # Sign-in is a form too: a forged sign-in is refused before the password is checked.
    stranger = app.test_client()
    login = stranger.post("/editor/login", data={"name": "alice", "password": PASSWORD})
    assert login.status_code == 400


def test_case_20_the_sparql_endpoint_is_exempt_and_sets_no_cookie(app: Flask) -> None:
    client = app.test_client()
    reply = client.post(
        "/sparql",
        data={"query": "ASK { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json", "Origin": "https://elsewhere"},
    )
    assert reply.status_code == 200 and reply.get_json()["boolean"] is True
    assert "Set-Cookie" not in reply.headers


def published_versions_of(app: Flask) -> list[int]:
    settings = Settings.from_env({"EVKG_STORE_DIR": app.config["EVKG_STORE_DIR"]})
    return published_versions(settings).get(REVIEW, [])


def test_case_19_uploads_are_checked_for_size_type_and_name(
    editor: FlaskClient, project: Settings
) -> None:
    bib = (V2 / "references.bib").read_bytes()
    text = (V2 / "review.md").read_bytes()
    too_big = upload(
        editor, text=(text, "review.md"), bibliography=(b"%" * (2 * 1024 * 1024 + 1), "r.bib")
    )
    assert too_big[0] == 413
    for name in ("passwd", "review.exe", "review.html"):
        status, body = upload(editor, text=(text, name), bibliography=(bib, "references.bib"))
        assert status == 400 and "must be one of" in body
    fake_pdf = upload(
        editor, text=(b"<html>not a pdf</html>", "review.pdf"), bibliography=(bib, "r.bib")
    )
    assert fake_pdf[0] == 400
    fake_docx = upload(editor, text=(b"PK not a zip", "review.docx"), bibliography=(bib, "r.bib"))
    assert fake_docx[0] == 400
    binary = upload(editor, text=(b"\xff\xfe\x00b", "review.txt"), bibliography=(bib, "r.bib"))
    assert binary[0] == 400
    assert not archive_of(project).versions(REVIEW)[1:]  # nothing was kept
    status, _ = upload(
        editor, text=(text, "../../etc/passwd.md"), bibliography=(bib, "..\\..\\refs.bib")
    )
    assert status == 302
    record = archive_of(project).versions(REVIEW)[-1]
    kept = sorted(p.name for p in (record.folder / "uploads").iterdir())
    assert kept == ["bibliography-refs.bib", "text-etc_passwd.md"]
    assert record.uploads["text-etc_passwd.md"] == record.files["review.md"]
    assert not (project.root / "etc").exists()
    # A name longer than a file system allows is cut short, not a 500.
    status, _ = upload(editor, text=(text, "r" * 5000 + ".md"), bibliography=(bib, "r.bib"))
    assert status == 302
    kept = sorted(
        p.name for p in (archive_of(project).versions(REVIEW)[-1].folder / "uploads").iterdir()
    )
    assert "text-" + "r" * 80 + ".md" in kept


def test_the_whole_request_is_limited_too(app: Flask, editor: FlaskClient) -> None:
    app.config["EVKG_MAX_UPLOAD"] = 1024
    status, _ = upload(
        editor, text=(b"x" * 4096, "review.md"), bibliography=(b"@book{a,}", "a.bib")
    )
    assert status == 413


def test_upload_review_confirm_and_publish(editor: FlaskClient, project: Settings) -> None:
    where = upload_v2(editor)
    page = editor.get(where).get_data(as_text=True)
    # The report: the audit, the diff against v1, and suggestions for uncovered sentences.
    assert "1 with no reference" in page
    assert "Changes since tiny-review/v1" in page and "fox2021" in page
    assert page.count("The claim in your own words") == 3
    before = editor.get("/ask", query_string={"q": "what supports hope"}).get_data(as_text=True)
    assert "Fox" not in before
    token = token_of(editor, where)
    base = f"/editor/drafts/{REVIEW}/2/suggestions"
    too_short = editor.post(
        f"{base}/sentence-0/confirm",
        data={"csrf_token": token, "statement": "ok", "stance": "supports"},
    )
    assert too_short.status_code == 302
    assert "own words" in editor.get(where).get_data(as_text=True)
    confirmed = editor.post(
        f"{base}/sentence-0/confirm",
        data={
            "csrf_token": token,
            "statement": "Mentoring gives people hope.",
            "stance": "supports",
        },
    )
    assert confirmed.status_code == 302
    assert editor.post(f"{base}/sentence-2/reject", data={"csrf_token": token}).status_code == 302
    page = editor.get(where).get_data(as_text=True)
    assert page.count("The claim in your own words") == 1
    assert "confirmed-sentence-0" in page  # the diff now shows the new claim
    record = archive_of(project).get(REVIEW, 2)
    assert archive_of(project).verify(record) == []
    queue = json.loads((record.folder / "queue.json").read_text("utf-8"))
    assert {k: v["decision"] for k, v in queue.items()} == {
        "sentence-0": "confirmed",
        "sentence-2": "rejected",
    }
    # v1's claims are not in v2's claims file: publishing waits until each is confirmed.
    losses = LOSS.findall(page)
    assert "claim:care-claim" in losses and "reference:dean2019" in losses
    assert "Drop the claim “Care matters.”" in page
    held = editor.post(
        f"/editor/drafts/{REVIEW}/2/publish", data={"csrf_token": token, "confirm": losses[1:]}
    )
    assert held.status_code == 302 and held.headers["Location"].endswith("#losses")
    assert "not confirmed" in editor.get(where).get_data(as_text=True)
    assert published_versions(project)[REVIEW] == [1]
    published = editor.post(
        f"/editor/drafts/{REVIEW}/2/publish", data={"csrf_token": token, "confirm": losses}
    )
    assert published.status_code == 302 and published.headers["Location"] == "/versions"
    assert "Published tiny-review/v2" in editor.get("/versions").get_data(as_text=True)
    after = editor.get("/ask", query_string={"q": "what supports hope"}).get_data(as_text=True)
    assert "Fox" in after and "Mentoring gives people hope." in after
    # A published version no longer changes.
    again = editor.post(f"{base}/sentence-1/reject", data={"csrf_token": token})
    assert again.status_code == 409


def test_a_draft_with_errors_cannot_be_published(editor: FlaskClient, project: Settings) -> None:
    status, where = upload(
        editor,
        text=((V2 / "review.md").read_bytes(), "review.md"),
        bibliography=((V2 / "references.bib").read_bytes(), "references.bib"),
        claims=(b"review: tiny\nclaims:\n  - id: Bad Id\n    stance: sideways\n", "c.yaml"),
    )
    assert status == 302
    page = editor.get(where).get_data(as_text=True)
    assert "cannot be published until its errors are fixed" in page
    token = token_of(editor, where)
    editor.post(f"/editor/drafts/{REVIEW}/2/publish", data={"csrf_token": token})
    assert "errors" in editor.get(where).get_data(as_text=True)
    assert published_versions(project)[REVIEW] == [1]


def test_user_command_hashes_passwords_and_refuses_weak_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users = tmp_path / "editors.json"
    monkeypatch.setenv("EVKG_USERS_FILE", str(users))
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "bob", "--password-stdin"]) == 2
    assert "at least 12 characters" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "bob", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "bob", "--password-stdin"]) == 2
    assert "already exists" in capsys.readouterr().err
    text = users.read_text("utf-8")
    assert PASSWORD not in text and "scrypt:" in text
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    assert main(["user", "add", "Not A Name", "--password-stdin"]) == 2
    assert main(["user", "list"]) == 0 and capsys.readouterr().out.split() == ["bob"]
    assert Accounts(users).verify("bob", PASSWORD) and not Accounts(users).verify("bob", "x")


@pytest.mark.parametrize(
    "target", ["//evil.example", "/\t/evil.example", "/\\evil.example", "https://evil.example/"]
)
def test_no_sign_in_redirect_leaves_the_site(app: Flask, target: str) -> None:
    client = app.test_client()
    token = token_of(client, "/editor/login")
    reply = client.post(
        "/editor/login",
        query_string={"next": target},
        data={"name": "alice", "password": PASSWORD, "csrf_token": token},
    )
    assert reply.headers["Location"] == "/editor/"


def test_a_redirect_to_a_page_of_the_site_is_kept(app: Flask) -> None:
    client = app.test_client()
    token = token_of(client, "/editor/login")
    reply = client.post(
        "/editor/login",
        query_string={"next": "/editor/upload"},
        data={"name": "alice", "password": PASSWORD, "csrf_token": token},
    )
    assert reply.headers["Location"] == "/editor/upload"


def test_a_token_that_is_not_ascii_is_refused_not_a_crash(editor: FlaskClient) -> None:
    reply = editor.post(f"/editor/drafts/{REVIEW}/1/publish", data={"csrf_token": "é" * 10})
    assert reply.status_code == 400


def test_a_new_password_or_signing_out_ends_every_session(
    editor: FlaskClient, app: Flask, project: Settings
) -> None:
    copied = app.test_client()
    copied.set_cookie("evkg_session", editor.get_cookie("evkg_session").value)  # type: ignore[union-attr]
    assert copied.get("/editor/").status_code == 200
    Accounts(project.users_file).add("alice", PASSWORD + "!", replace=True)
    assert editor.get("/editor/").status_code == 302
    assert copied.get("/editor/").status_code == 302
    # Sign in again, copy the cookie, sign out: the copy stops working too.
    client = app.test_client()
    token = token_of(client, "/editor/login")
    client.post(
        "/editor/login", data={"name": "alice", "password": PASSWORD + "!", "csrf_token": token}
    )
    stolen = app.test_client()
    stolen.set_cookie("evkg_session", client.get_cookie("evkg_session").value)  # type: ignore[union-attr]
    assert stolen.get("/editor/").status_code == 200
    client.post("/editor/logout", data={"csrf_token": token_of(client, "/editor/")})
    assert stolen.get("/editor/").status_code == 302


def test_session_lifetimes_come_from_the_environment(
    project: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVKG_SESSION_IDLE_MINUTES", "1")
    monkeypatch.setenv("EVKG_SESSION_MAX_HOURS", "2")
    app = create_app({"TESTING": True, "EVKG_STORE_DIR": str(project.store_dir)})
    assert app.config["EVKG_SESSION_IDLE_MINUTES"] == 1
    assert app.config["EVKG_SESSION_MAX_HOURS"] == 2


def test_confirming_into_a_broken_claims_file_is_an_error_for_the_editor(
    editor: FlaskClient,
) -> None:
    status, where = upload(
        editor,
        text=((V2 / "review.md").read_bytes(), "review.md"),
        bibliography=((V2 / "references.bib").read_bytes(), "references.bib"),
        claims=(b"claims: [unclosed\n", "c.yaml"),
    )
    assert status == 302
    token = token_of(editor, where)
    reply = editor.post(
        f"/editor/drafts/{REVIEW}/2/suggestions/sentence-0/confirm",
        data={"csrf_token": token, "statement": "Mentoring gives hope.", "stance": "supports"},
    )
    assert reply.status_code == 302
    assert "not valid YAML" in editor.get(where).get_data(as_text=True)


def test_a_draft_report_follows_the_published_version(
    editor: FlaskClient, project: Settings
) -> None:
    first = upload_v2(editor)
    second = upload_v2(editor)
    token = token_of(editor, second)
    losses = LOSS.findall(editor.get(second).get_data(as_text=True))
    editor.post(f"/editor/drafts/{REVIEW}/3/publish", data={"csrf_token": token, "confirm": losses})
    # v2 was uploaded against v1; now v3 is current, and v2's report compares with it.
    assert "Changes since tiny-review/v3" in editor.get(first).get_data(as_text=True)


def _try(client: FlaskClient, token: str, password: str) -> TestResponse:
    return client.post(
        "/editor/login", data={"name": "alice", "password": password, "csrf_token": token}
    )


def test_guessing_a_password_is_slowed_then_locked_out_and_shown(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    throttle = app.extensions["evkg.login_throttle"]
    now = [1_000_000.0]
    monkeypatch.setattr(throttle, "clock", lambda: now[0])
    hashed: list[str] = []
    original = Accounts.verify

    def verify(self: Accounts, name: str, password: str) -> bool:
        hashed.append(name)  # every password that reached scrypt
        return original(self, name, password)

    monkeypatch.setattr(Accounts, "verify", verify)
    client = app.test_client()
    token = token_of(client, "/editor/login")
    with caplog.at_level("WARNING", logger="evkg.auth"):
        for _ in range(5):
            assert _try(client, token, "wrong").status_code == 401
    assert len([r for r in caplog.records if "failed sign-in for 'alice'" in r.message]) == 5
    # Now even the right password waits, and the wait is said; no password is hashed.
    refused = _try(client, token, PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "Try again in 1 second." in refused.get_data(as_text=True)
    assert len(hashed) == 5
    now[0] += 2
    assert _try(client, token, PASSWORD).status_code == 302  # after the wait, it works
    # A guesser who does not wait: every try counts, and at 20 the account is locked for
    # 15 minutes, the right password with it.
    guesser = app.test_client()
    token = token_of(guesser, "/editor/login")
    statuses = [_try(guesser, token, "wrong").status_code for _ in range(20)]
    assert statuses == [401] * 5 + [429] * 15
    locked = _try(guesser, token, PASSWORD)
    assert locked.status_code == 429 and "locked" in locked.get_data(as_text=True)
    assert len(hashed) == 11  # the first 5, the right one, then 5 more: never while refused
    # Another editor sees the notice (her own session, opened before the lock-out).
    dashboard = client.get("/editor/").get_data(as_text=True)
    assert "The account &#39;alice&#39; was locked at" in dashboard
    now[0] += 15 * 60 + 1
    assert _try(guesser, token, PASSWORD).status_code == 302


def test_the_report_names_the_editors_files_not_the_servers_paths(
    editor: FlaskClient, project: Settings
) -> None:
    broken = (V2 / "references.bib").read_bytes() + b"\n@book{broken, title = {no end\n"
    status, _ = upload(
        editor, text=((V2 / "review.md").read_bytes(), "review.md"), bibliography=(broken, "r.bib")
    )
    assert status == 302
    record = archive_of(project).versions(REVIEW)[-1]
    report = json.loads((record.folder / "report.json").read_text("utf-8"))
    assert report["problems"], "the broken entry is reported"
    for problem in report["problems"]:
        assert str(project.root) not in json.dumps(problem), problem
    page = editor.get(f"/editor/drafts/{REVIEW}/{record.number}").get_data(as_text=True)
    assert str(record.folder) not in page


def test_an_appraisal_made_in_the_browser_is_a_reviewed_version(
    editor: FlaskClient, project: Settings
) -> None:
    listing = editor.get(f"/editor/appraisals/{REVIEW}").get_data(as_text=True)
    assert listing.count("Not appraised") == 5
    form = f"/editor/appraisals/{REVIEW}/cole2018"
    token = token_of(editor, form)
    # Without what it rests on, nothing is saved and the reason is shown.
    refused = editor.post(form, data={"csrf_token": token, "design": "Interviews"})
    assert refused.status_code == 400
    assert "needs basis" in refused.get_data(as_text=True)
    assert len(archive_of(project).versions(REVIEW)) == 1
    # A level needs its scale, and a scale's level must be on it.
    off_scale = editor.post(
        form,
        data={"csrf_token": token, "scale": "maryland-sms", "level": "9", "basis": "p. 3"},
    )
    assert off_scale.status_code == 400 and "1 to 5" in off_scale.get_data(as_text=True)
    saved = editor.post(
        form,
        data={
            "csrf_token": token,
            "design": "Matched comparison group",
            "method": "Reconviction at one year",
            "scale": "maryland-sms",
            "level": "3",
            "basis": "The method section, pp. 4-6",
        },
    )
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/editor/drafts/{REVIEW}/2"
    draft = archive_of(project).get(REVIEW, 2)
    first = archive_of(project).get(REVIEW, 1)
    # Every other file is carried over byte for byte; only the judgements file changed.
    assert {n: h for n, h in draft.files.items() if n != "venues.yaml"} == {
        n: h for n, h in first.files.items() if n != "venues.yaml"
    }
    assert "Matched comparison group" in (draft.folder / "venues.yaml").read_text("utf-8")
    report = editor.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Editors&#39; appraisals made or changed (1)" in report
    assert "not appraised → Matched comparison group" in report
    # Not shown to readers until the draft is published.
    assert "Matched comparison group" not in editor.get("/source/cole2018").get_data(as_text=True)
    published = editor.post(f"/editor/drafts/{REVIEW}/2/publish", data={"csrf_token": token})
    assert published.status_code == 302, editor.get(saved.headers["Location"]).get_data(True)
    page = editor.get("/source/cole2018").get_data(as_text=True)
    assert "Matched comparison group" in page and "alice" in page
    assert "Maryland Scientific Methods Scale" in page
    # Changing it replaces it, in another draft.
    listing = editor.get(f"/editor/appraisals/{REVIEW}").get_data(as_text=True)
    assert listing.count("Not appraised") == 4 and "level 3" in listing
    again = editor.get(form).get_data(as_text=True)
    assert 'value="Matched comparison group"' in again and "saving replaces it" in again


def test_appraisal_pages_need_an_editor_and_a_token(app: Flask, editor: FlaskClient) -> None:
    visitor = app.test_client()
    for path in (f"/editor/appraisals/{REVIEW}", f"/editor/appraisals/{REVIEW}/cole2018"):
        reply = visitor.get(path)
        assert reply.status_code == 302 and "/editor/login" in reply.headers["Location"]
    forged = editor.post(
        f"/editor/appraisals/{REVIEW}/cole2018", data={"design": "x", "basis": "y"}
    )
    assert forged.status_code == 400
    assert editor.get(f"/editor/appraisals/{REVIEW}/nobody1999").status_code == 404
    assert editor.get("/editor/appraisals/no-such-review").status_code == 404


def test_an_upload_of_one_file_keeps_the_others_byte_for_byte(
    editor: FlaskClient, project: Settings
) -> None:
    first = archive_of(project).get(REVIEW, 1)
    claims = (V2 / "review.claims.yaml").read_bytes()
    status, where = upload(editor, claims=(claims, "my-claims.yaml"))
    assert status == 302, where
    page = editor.get(where).get_data(as_text=True)
    assert "The text and the reference list of v1 were kept." in page
    second = archive_of(project).get(REVIEW, 2)
    kept = {n: h for n, h in first.files.items() if n != "review.claims.yaml"}
    assert {n: second.files[n] for n in kept} == kept
    assert (second.folder / "review.claims.yaml").read_bytes() == claims
    # Nothing at all to upload is refused, and makes no version.
    assert upload(editor)[0] == 400
    assert len(archive_of(project).versions(REVIEW)) == 2


def test_a_version_s_files_can_be_downloaded_to_start_the_next(
    app: Flask, editor: FlaskClient, project: Settings
) -> None:
    first = archive_of(project).get(REVIEW, 1)
    dashboard = editor.get("/editor/").get_data(as_text=True)
    path = f"/editor/versions/{REVIEW}/1/files/references.bib"
    assert path in dashboard
    reply = editor.get(path)
    assert reply.status_code == 200
    assert reply.data == (first.folder / "references.bib").read_bytes()
    assert "tiny-review-v1-references.bib" in reply.headers["Content-Disposition"]
    reply.close()  # the file stays open until the response is
    assert editor.get(f"/editor/versions/{REVIEW}/1/files/version.json").status_code == 404
    assert editor.get(f"/editor/versions/{REVIEW}/1/files/..%2Fusers.json").status_code == 404
    visitor = app.test_client().get(path)
    assert visitor.status_code == 302 and "/editor/login" in visitor.headers["Location"]


def test_a_draft_can_be_discarded_and_nothing_published_changes(
    editor: FlaskClient, project: Settings
) -> None:
    where = upload_v2(editor)
    token = token_of(editor, where)
    assert (
        editor.post(f"/editor/drafts/{REVIEW}/1/discard", data={"csrf_token": token}).status_code
        == 409
    )
    gone = editor.post(f"/editor/drafts/{REVIEW}/2/discard", data={"csrf_token": token})
    assert gone.status_code == 302
    assert "Discarded the draft tiny-review/v2" in editor.get("/editor/").get_data(as_text=True)
    assert [r.number for r in archive_of(project).versions(REVIEW)] == [1]
    aside = list((archive_of(project).root / REVIEW / "discarded").iterdir())
    assert len(aside) == 1 and (aside[0] / "references.bib").is_file()
    assert editor.get(where).status_code == 404


def test_the_diff_page_without_versions_offers_a_picker(editor: FlaskClient) -> None:
    reply = editor.get("/diff")
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/versions#compare")
    page = editor.get("/versions").get_data(as_text=True)
    assert 'id="compare"' in page and 'name="old"' in page and 'name="new"' in page


def test_problems_name_the_editor_s_own_file_and_line(editor: FlaskClient) -> None:
    bib = (V2 / "references.bib").read_bytes() + b"\n@book{broken, title = {No end}\n"
    status, where = upload(editor, bibliography=(bib, "my-refs.bib"))
    assert status == 302, where
    page = editor.get(where).get_data(as_text=True)
    assert "my-refs.bib, line" in page
    assert "references.bib, line" not in page and "/versions/" not in page


def test_password_stdin_goes_anywhere_and_no_input_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users = tmp_path / "editors.json"
    monkeypatch.setenv("EVKG_USERS_FILE", str(users))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "--password-stdin", "--admin", "bob"]) == 0
    assert Accounts(users).is_admin("bob")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["user", "add", "--password-stdin", "carol"]) == 2
    assert "no password on standard input" in capsys.readouterr().err
    # No terminal and no --password-stdin: a message, not a traceback.
    monkeypatch.setattr("getpass.getpass", lambda prompt="": (_ for _ in ()).throw(EOFError))
    assert main(["user", "add", "dave"]) == 2
    assert "pipe the password with --password-stdin" in capsys.readouterr().err
    assert Accounts(users).names() == ["bob"]


def test_an_admin_adds_and_removes_editors_in_the_browser(
    app: Flask, editor: FlaskClient, project: Settings
) -> None:
    # alice is an editor, not an admin: the page is not hers.
    assert editor.get("/editor/accounts/").status_code == 403
    assert "Editors' accounts" not in editor.get("/editor/").get_data(as_text=True)
    Accounts(project.users_file).add("root-admin", PASSWORD + "!", admin=True)
    admin = app.test_client()
    token = token_of(admin, "/editor/login")
    admin.post(
        "/editor/login",
        data={"name": "root-admin", "password": PASSWORD + "!", "csrf_token": token},
    )
    assert "Editors' accounts" in admin.get("/editor/").get_data(as_text=True)
    token = token_of(admin, "/editor/accounts/")
    weak = admin.post(
        "/editor/accounts/",
        data={"csrf_token": token, "name": "carol", "password": "short", "again": "short"},
    )
    assert weak.status_code == 400 and "at least 12 characters" in weak.get_data(as_text=True)
    added = admin.post(
        "/editor/accounts/",
        data={"csrf_token": token, "name": "carol", "password": PASSWORD, "again": PASSWORD},
    )
    assert added.status_code == 302
    assert Accounts(project.users_file).names() == ["alice", "carol", "root-admin"]
    assert not Accounts(project.users_file).is_admin("carol")
    # Removing alice ends her session; an admin cannot remove themselves.
    assert (
        admin.post("/editor/accounts/alice/remove", data={"csrf_token": token}).status_code == 302
    )
    assert editor.get("/editor/").status_code == 302
    mine = admin.post("/editor/accounts/root-admin/remove", data={"csrf_token": token})
    assert mine.status_code == 400
    forged = admin.post("/editor/accounts/carol/remove", data={})
    assert forged.status_code == 400 and "carol" in Accounts(project.users_file).names()


def test_citation_problems_are_fixed_in_place(editor: FlaskClient, project: Settings) -> None:
    text = (V2 / "review.md").read_text("utf-8").replace("Fox, 2021", "Fox, 2020")
    status, where = upload(
        editor,
        text=(text.encode(), "review.md"),
        bibliography=((V2 / "references.bib").read_bytes(), "references.bib"),
        claims=(NO_CLAIMS, "claims.yaml"),
    )
    assert status == 302, where
    page = editor.get(where).get_data(as_text=True)
    assert "Citations with no reference (2)" in page
    # "Fox, 2020" is offered Fox (2021), ranked with its reasons; Dean 2019 is offered nothing.
    assert 'value="fox2021" checked' in page and "1 year apart" in page
    token = token_of(editor, where)
    base = f"/editor/drafts/{REVIEW}/2/citations"
    chosen = editor.post(
        f"{base}/resolve", data={"csrf_token": token, "cited_as": "Fox, 2020", "key": "fox2021"}
    )
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith("#citations")
    page = editor.get(where).get_data(as_text=True)
    assert "Citations with no reference (1)" in page
    judgements = (archive_of(project).get(REVIEW, 2).folder / "venues.yaml").read_text("utf-8")
    assert "cited_as: Fox, 2020" in judgements and "key: fox2021" in judgements
    assert "by: alice" in judgements
    # A snippet that is not one good entry changes nothing, and says why.
    before = archive_of(project).get(REVIEW, 2).files["references.bib"]
    editor.post(f"{base}/add", data={"csrf_token": token, "snippet": "@book{x, title={A}"})
    assert "Nothing was changed" in editor.get(where).get_data(as_text=True)
    assert archive_of(project).get(REVIEW, 2).files["references.bib"] == before
    # The missing reference, added from the short form, and used.
    added = editor.post(
        f"{base}/add",
        data={
            "csrf_token": token,
            "cited_as": "Dean, 2019",
            "key": "dean2019funding",
            "kind": "report",
            "authors": "Dean, D.",
            "year": "2019",
            "title": "Funding {and} $ecurity",
            "publisher": "A Charity",
        },
    )
    assert added.status_code == 302
    page = editor.get(where).get_data(as_text=True)
    assert "Every citation in the text has its reference." in page
    bib = (archive_of(project).get(REVIEW, 2).folder / "references.bib").read_text("utf-8")
    assert "@techreport{dean2019funding," in bib and "Added in the browser by alice" in bib
    assert r"Funding \{and\} \$ecurity" in bib  # typed braces stay text
    assert archive_of(project).verify(archive_of(project).get(REVIEW, 2)) == []


def test_a_citation_can_be_marked_as_seen_not_in_the_list(editor: FlaskClient) -> None:
    where = upload_v2(editor)
    token = token_of(editor, where)
    editor.post(
        f"/editor/drafts/{REVIEW}/2/citations/seen",
        data={"csrf_token": token, "cited_as": "Dean, 2019"},
    )
    page = editor.get(where).get_data(as_text=True)
    assert "Seen by the editors: not in the reference list." in page
    assert "the editors have seen it" in page
    # Published versions cannot change.
    published = editor.post(
        f"/editor/drafts/{REVIEW}/1/citations/seen",
        data={"csrf_token": token, "cited_as": "Dean, 2019"},
    )
    assert published.status_code == 409


def test_a_ris_export_can_be_the_reference_list(editor: FlaskClient, project: Settings) -> None:
    ris = (DATA / "reference_formats" / "zotero-export.ris").read_bytes()
    status, where = upload(editor, bibliography=(ris, "My Library.ris"))
    assert status == 302, where
    record = archive_of(project).get(REVIEW, 2)
    bib = (record.folder / "references.bib").read_text("utf-8")
    assert bib.startswith("@article{buck2018core,")
    assert (record.folder / "uploads" / "bibliography-My_Library.ris").read_bytes() == ris
    assert upload(editor, bibliography=(b"not a RIS file\n", "broken.ris"))[0] == 400


def test_a_claim_is_edited_in_a_form_beside_its_sentence(
    editor: FlaskClient, project: Settings
) -> None:
    claims = (V2 / "review.claims.yaml").read_bytes()
    status, where = upload(editor, claims=(claims, "claims.yaml"))
    assert status == 302, where
    page = editor.get(where).get_data(as_text=True)
    assert "“Trusting relationships help people find somewhere to live.”" in page
    form = f"/editor/drafts/{REVIEW}/2/claims/trust-housing"
    shown = editor.get(form).get_data(as_text=True)
    assert "Trust helps people find housing" in shown  # the review's sentence, beside it
    token = token_of(editor, form)
    refused = editor.post(
        form,
        data={
            "csrf_token": token,
            "statement": "Trust in a mentor can help people find a home.",
            "stance": "supports",
            "evidence": "cole2018 p. 4\nnot a reference at all",
            "mechanisms": ["trust"],
        },
    )
    assert refused.status_code == 400 and "should read" in refused.get_data(as_text=True)
    saved = editor.post(
        form,
        data={
            "csrf_token": token,
            "statement": "Trust in a mentor can help people find a home.",
            "stance": "supports",
            "certainty": "can",
            "evidence": "cole2018 p. 4",
            "mechanisms": ["trust"],
            "outcomes": ["housing"],
        },
    )
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#claims")
    text = (archive_of(project).get(REVIEW, 2).folder / "review.claims.yaml").read_text("utf-8")
    assert "Trust in a mentor can help people find a home." in text
    assert "certainty: can" in text and "cole2018 p. 4" in text
    assert "Edited in the browser by alice" in text
    page = editor.get(where).get_data(as_text=True)
    assert "“Trust in a mentor can help people find a home.”" in page
    assert "trust-housing" in page  # the report's diff names the restated claim
    assert editor.get(f"/editor/drafts/{REVIEW}/2/claims/no-such-claim").status_code == 404
    assert editor.get(f"/editor/drafts/{REVIEW}/1/claims/trust-housing").status_code == 409


SECOND = DATA / "second_review"


def test_a_second_review_on_a_new_topic_brings_its_own_concepts(
    editor: FlaskClient, project: Settings
) -> None:
    token = token_of(editor, "/editor/reviews/new")
    added = editor.post(
        "/editor/reviews/new",
        data={
            "csrf_token": token,
            "id": "restorative-demo",
            "title": "Restorative justice conferences for young people",
            "authors": "{Evidence Graph Team}",
            "year": "2026",
            "display": "full",
        },
    )
    assert added.status_code == 302 and "review=restorative-demo" in added.headers["Location"]
    status, where = upload(
        editor,
        "restorative-demo",
        text=((SECOND / "review.md").read_bytes(), "review.md"),
        bibliography=((SECOND / "references.bib").read_bytes(), "references.bib"),
    )
    assert status == 302, where
    page = editor.get(where).get_data(as_text=True)
    for proposed in ("Victim satisfaction", "Facilitator training", "Fear of crime"):
        assert f">{proposed}</h3>" in page
    base = "/editor/drafts/restorative-demo/1/concepts"
    assert (
        editor.post(
            f"{base}/accept",
            data={
                "csrf_token": token,
                "label": "Victim satisfaction",
                "id": "victim-satisfaction",
                "scheme": "outcomes",
                "definition": "How content victims are with how their case was dealt with.",
            },
        ).status_code
        == 302
    )
    editor.post(f"{base}/reject", data={"csrf_token": token, "label": "Both sides"})
    editor.post(
        f"{base}/merge",
        data={"csrf_token": token, "label": "Remorse", "into": "mechanisms/motivation-to-change"},
    )
    page = editor.get(where).get_data(as_text=True)
    assert ">Victim satisfaction</h3>" not in page and ">Both sides</h3>" not in page
    assert "Victim satisfaction <small>(outcomes/victim-satisfaction)" in page
    # The claims suggested for the review now use the accepted concept.
    report = archive_of(project).get("restorative-demo", 1).folder / "report.json"
    suggestions = json.loads(report.read_text("utf-8"))["suggestions"]
    tagged = [s for s in suggestions if "victim-satisfaction" in s["concepts"].get("outcomes", [])]
    assert len(tagged) == 2
    picked = [s["id"] for s in tagged]
    form: dict[str, object] = {"csrf_token": token, "decision": "confirm", "pick": picked}
    for n, s in enumerate(picked):
        form[f"statement-{s}"] = f"Victims were more satisfied after a conference ({n})."
        form[f"stance-{s}"] = "supports"
    assert (
        editor.post("/editor/drafts/restorative-demo/1/suggestions", data=form).status_code == 302
    )
    published = editor.post("/editor/drafts/restorative-demo/1/publish", data={"csrf_token": token})
    assert published.status_code == 302 and published.headers["Location"] == "/versions"
    answer = editor.get("/api/ask", query_string={"q": "what supports victim satisfaction"})
    result = answer.get_json()
    assert "victim satisfaction" in result["summary"].lower()
    assert {"corran2019", "fenwick2020"} <= {s["key"] for s in result["sources"]}
    concept = editor.get("/concept/outcome/victim-satisfaction").get_data(as_text=True)
    assert "How content victims are with how their case was dealt with." in concept
    # The shared vocabulary file is untouched, and a later project build keeps the review.
    assert "victim-satisfaction" not in (ROOT / "kg" / "rdf" / "vocabulary.ttl").read_text()
    build_project(project, PublishOptions())
    assert published_versions(project)["restorative-demo"] == [1]


def test_evkg_diff_of_two_versions_lists_the_shacl_problems_a_version_fixed(
    editor: FlaskClient,
    project: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bib = (V2 / "references.bib").read_text("utf-8")
    undated = re.sub(r"(@book\{fox2021,[^@]*?)year\s*=\s*\{2021\},?", r"\1", bib, count=1)
    assert undated != bib
    assert upload(editor, bibliography=(undated.encode(), "refs.bib"))[0] == 302
    assert upload(editor, bibliography=(bib.encode(), "refs.bib"))[0] == 302
    for name, value in environment(project).items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    assert main(["diff", f"{REVIEW}/v2", f"{REVIEW}/v3", "--json"]) == 1
    gone = json.loads(capsys.readouterr().out)["shacl_problems_gone"]
    assert gone  # the undated source's warnings, gone once it has its year
    assert any("year" in g["message"].lower() or "date" in g["message"].lower() for g in gone)
