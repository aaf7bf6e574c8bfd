"""Segment exports (scripts/export_segments.py, `make export`): the upload files an email tool
expects, read from the published copy of a build.

Two builds of the end_to_end fixture, each published by the on-run-end hook into
<build workdir>/published (conftest sets PERSONAS_PUBLISH_DIR per build):
- the full build with the default vars (conftest's FULL_END_TO_END, shared with other modules):
  the segment marts hold consented members only, so every member is exported;
- CONSENT_OFF, with segments_require_email_consent false (and win-back samples of segments
  that have members here, for test_analyses.py, which shares the build): the marts hold
  unconsented members (p05, never_subscribed, is in local_audience), which the export must
  leave out and count.
Profile p03 of the fixture has a non-ASCII first name and city (Chloé, Saint-Étienne) to
show the files are UTF-8. The export runs as a subprocess, as `make export` runs it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import END_TO_END, FULL_END_TO_END, PROJECT_DIR, BuildFactory, DbtRun, declare_build

SCRIPT = PROJECT_DIR / "scripts" / "export_segments.py"
# Klaviyo's list import names (help.klaviyo.com, "Create and add contacts to a new list"):
# the first column is Email; the others are Klaviyo profile properties, and a custom one.
EXPECTED_HEADER = ["Email", "First Name", "Phone Number", "City", "Region", "Country", "Personas Profile ID"]
# The same vars as test_analyses.py: one build serves both modules.
CONSENT_OFF_VARS: dict[str, Any] = {
    "segments_require_email_consent": False,
    "winback_samples": {"flash_in_the_pan": 0.5, "local_audience": 0.5},
    "winback_sample_minimum": 1,
}
CONSENT_OFF = declare_build(END_TO_END, vars=CONSENT_OFF_VARS)
# What a test needs built (other models may belong to work in progress elsewhere).
NEEDED = ["dim_profiles", "segment_memberships", "segment_summary"]


def segment_models() -> list[str]:
    """personas.segment_models(): the 31 seg_ marts, read from the macro's file."""
    text = (PROJECT_DIR / "macros" / "segments" / "segment_models.sql").read_text()
    return re.findall(r"'(seg_[a-z0-9_]+)'", text)


def published_dir(build: DbtRun) -> Path:
    """The copy the build's on-run-end hook published (it publishes only a build whose every
    node succeeded)."""
    build.check(models=NEEDED + segment_models())
    folder = build.workdir / "published"
    if not (folder / "manifest.json").exists():
        pytest.fail(f"the build did not publish to {folder} ({build.label}):\n{build.error_summary()}")
    return folder


def run_export(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def read_csv_file(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows; fails on a byte-order mark or bytes that are not UTF-8."""
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), f"{path.name} starts with a byte-order mark"
    text = data.decode("utf-8")  # strict: raises on anything that is not UTF-8
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


@pytest.fixture(scope="module")
def default_export(dbt_build: BuildFactory, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every segment of the default build, exported."""
    published = published_dir(dbt_build(FULL_END_TO_END))
    output = tmp_path_factory.mktemp("exports_default")
    completed = run_export("--publish-dir", published, "--output-dir", output)
    assert completed.returncode == 0, completed.stderr
    return export_result(published, output, completed)


@pytest.fixture(scope="module")
def consent_off_export(dbt_build: BuildFactory, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every segment of the consent-off build, exported."""
    published = published_dir(dbt_build(CONSENT_OFF))
    output = tmp_path_factory.mktemp("exports_consent_off")
    completed = run_export("--publish-dir", published, "--output-dir", output, "--segment", "all")
    assert completed.returncode == 0, completed.stderr
    return export_result(published, output, completed)


def export_result(published: Path, output: Path, completed: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    published_manifest = json.loads((published / "manifest.json").read_text())
    folder = output / published_manifest["build_id"]
    return {
        "published": published,
        "database": published / "personas.duckdb",
        "published_manifest": published_manifest,
        "folder": folder,
        "manifest": json.loads((folder / "manifest.json").read_text(encoding="utf-8")),
        "stdout": completed.stdout,
    }


def mart_members(database: Path, mart: str) -> dict[str, tuple[str | None, bool | None]]:
    """{profile_id: (email, is_email_consented)} of a published mart, one entry per member."""
    rows = query(database, f'select distinct profile_id, email, is_email_consented from marts."{mart}"')
    return {profile_id: (email, consented) for profile_id, email, consented in rows}


def profile_consent(database: Path) -> dict[str, tuple[str | None, str]]:
    """{profile_id: (email, email_consent)} of the published dim_profiles."""
    rows = query(database, "select profile_id, email, email_consent from marts.dim_profiles")
    return {profile_id: (email, consent) for profile_id, email, consent in rows}


# --- the default build: every member is consented -----------------------------------------


def test_every_segment_is_exported_with_klaviyo_headers_one_row_per_member(default_export: dict[str, Any]) -> None:
    database, folder = default_export["database"], default_export["folder"]
    summary = dict(query(database, "select segment_name, members from marts.segment_summary"))
    assert sorted(summary) == sorted(model.removeprefix("seg_") for model in segment_models())
    profiles = profile_consent(database)
    for segment, members in summary.items():
        header, rows = read_csv_file(folder / f"{segment}.csv")
        assert header == EXPECTED_HEADER, segment
        assert header[0] == "Email"
        exported_ids = [row["Personas Profile ID"] for row in rows]
        assert len(exported_ids) == len(set(exported_ids)), f"{segment}: a member exported twice"
        mart = mart_members(database, f"seg_{segment}")
        # the default marts hold consented members with an email only: all of them are exported
        assert len(rows) == members == len(mart), segment
        assert set(exported_ids) == set(mart), segment
        for row in rows:
            email, consent = profiles[row["Personas Profile ID"]]
            assert row["Email"] == email and email, (segment, row)
            assert consent == "subscribed", (segment, row)


def test_files_are_utf8_and_keep_non_ascii_names(default_export: dict[str, Any]) -> None:
    _, rows = read_csv_file(default_export["folder"] / "local_audience.csv")
    p03 = next(row for row in rows if row["Personas Profile ID"] == "p03")
    assert (p03["First Name"], p03["City"]) == ("Chloé", "Saint-Étienne")
    assert "Chloé".encode() in (default_export["folder"] / "local_audience.csv").read_bytes()
    p01 = next(row for row in rows if row["Personas Profile ID"] == "p01")
    # dim_profiles' columns reach their Klaviyo headers (staging trimmed and lower-cased the email)
    assert (p01["Email"], p01["First Name"], p01["Phone Number"], p01["City"], p01["Country"]) == (
        "a@x.com", "Alice", "+33600000001", "Paris", "FR",
    )


def test_manifest_names_the_published_build_and_counts_rows(default_export: dict[str, Any]) -> None:
    manifest, published = default_export["manifest"], default_export["published_manifest"]
    for key in ("build_id", "built_at", "as_of_date", "git_commit"):
        assert manifest[key] == published[key], key
    assert manifest["exported_at"].endswith("Z")
    summary = dict(query(default_export["database"], "select segment_name, members from marts.segment_summary"))
    assert set(manifest["segments"]) == set(summary)
    for segment, entry in manifest["segments"].items():
        _, rows = read_csv_file(default_export["folder"] / entry["file"])
        assert entry["rows_exported"] == len(rows) == summary[segment], segment
        assert entry["rows_left_out"] == {"email_not_consented": 0, "no_email": 0}, segment
        assert entry["mart_rows"] == published["relations"][entry["mart"]]["rows"], segment


def test_one_segment_by_mart_name(default_export: dict[str, Any], tmp_path: Path) -> None:
    completed = run_export(
        "--publish-dir", default_export["published"], "--output-dir", tmp_path, "--segment", "seg_local_audience"
    )
    assert completed.returncode == 0, completed.stderr
    folder = tmp_path / default_export["published_manifest"]["build_id"]
    assert sorted(path.name for path in folder.iterdir()) == ["local_audience.csv", "manifest.json"]
    exported_alone = (folder / "local_audience.csv").read_bytes()
    assert exported_alone == (default_export["folder"] / "local_audience.csv").read_bytes()
    assert set(json.loads((folder / "manifest.json").read_text())["segments"]) == {"local_audience"}


def test_an_unknown_segment_names_the_known_ones(default_export: dict[str, Any], tmp_path: Path) -> None:
    completed = run_export(
        "--publish-dir", default_export["published"], "--output-dir", tmp_path, "--segment", "biggest_fanz"
    )
    assert completed.returncode == 2
    assert "biggest_fanz" in completed.stderr
    for model in segment_models():
        assert model.removeprefix("seg_") in completed.stderr, model
    assert not any(tmp_path.iterdir()), "nothing is written for a bad request"


def test_an_unknown_format_lists_the_supported_ones(default_export: dict[str, Any], tmp_path: Path) -> None:
    completed = run_export("--publish-dir", default_export["published"], "--output-dir", tmp_path, "--format", "xlsx")
    assert completed.returncode == 2
    assert "xlsx" in completed.stderr and "supported formats: csv" in completed.stderr


def test_a_missing_published_copy_says_to_build_first(tmp_path: Path) -> None:
    completed = run_export("--publish-dir", tmp_path / "published", "--output-dir", tmp_path / "exports")
    assert completed.returncode == 1
    message = completed.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "make demo" in message and "dbt build" in message
    assert not (tmp_path / "exports").exists()


def test_the_exposure_depends_on_every_segment_mart(dbt_build: BuildFactory) -> None:
    manifest = json.loads((dbt_build(FULL_END_TO_END).target_path / "manifest.json").read_text())
    exposure = manifest["exposures"]["exposure.personas.segment_exports"]
    assert exposure["type"] == "application"
    depends_on = {node.split(".")[-1] for node in exposure["depends_on"]["nodes"]}
    assert set(segment_models()) | {"dim_profiles", "segment_summary"} == depends_on


# --- consent off: the marts hold members who must not be emailed ---------------------------


def test_unconsented_members_are_left_out_and_counted(consent_off_export: dict[str, Any]) -> None:
    database, folder, manifest = (consent_off_export[key] for key in ("database", "folder", "manifest"))
    summary = dict(query(database, "select segment_name, members from marts.segment_summary"))
    profiles = profile_consent(database)
    left_out_total = 0
    for segment, members in summary.items():
        mart = mart_members(database, f"seg_{segment}")
        not_consented = {profile_id for profile_id, (_, consented) in mart.items() if not consented}
        _, rows = read_csv_file(folder / f"{segment}.csv")
        exported = {row["Personas Profile ID"] for row in rows}
        entry = manifest["segments"][segment]
        assert exported == set(mart) - not_consented, segment
        assert all(profiles[profile_id][1] == "subscribed" for profile_id in exported), segment
        assert entry["rows_left_out"] == {"email_not_consented": len(not_consented), "no_email": 0}, segment
        assert entry["rows_exported"] + sum(entry["rows_left_out"].values()) == members == len(mart), segment
        left_out_total += len(not_consented)
    # the fixture must exercise the rule: p05 (never_subscribed, FR) is in local_audience
    assert "p05" in mart_members(database, "seg_local_audience")
    assert manifest["segments"]["local_audience"]["rows_left_out"]["email_not_consented"] >= 1
    assert left_out_total >= 1
    assert "email_not_consented" in manifest["left_out_reasons"]
    assert "left out" in consent_off_export["stdout"]


def test_members_without_an_email_are_left_out_and_counted(consent_off_export: dict[str, Any], tmp_path: Path) -> None:
    """No fixture profile lacks an email (the demo has some): a copy of the published build
    where one consented member of local_audience has none."""
    copy = tmp_path / "published"
    copy.mkdir()
    shutil.copyfile(consent_off_export["database"], copy / "personas.duckdb")
    shutil.copyfile(consent_off_export["published"] / "manifest.json", copy / "manifest.json")
    with duckdb.connect(str(copy / "personas.duckdb")) as connection:
        connection.execute("update marts.seg_local_audience set email = null where profile_id = 'p01'")
    completed = run_export("--publish-dir", copy, "--output-dir", tmp_path / "exports", "--segment", "local_audience")
    assert completed.returncode == 0, completed.stderr
    folder = tmp_path / "exports" / consent_off_export["published_manifest"]["build_id"]
    _, rows = read_csv_file(folder / "local_audience.csv")
    assert "p01" not in {row["Personas Profile ID"] for row in rows}
    assert all(row["Email"] for row in rows)
    entry = json.loads((folder / "manifest.json").read_text())["segments"]["local_audience"]
    before = consent_off_export["manifest"]["segments"]["local_audience"]
    assert entry["rows_left_out"]["no_email"] == 1
    assert entry["rows_left_out"]["email_not_consented"] == before["rows_left_out"]["email_not_consented"]
    assert entry["rows_exported"] == before["rows_exported"] - 1
