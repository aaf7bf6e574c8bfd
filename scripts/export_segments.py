#!/usr/bin/env python3
"""Export segments as the upload files an email tool expects (Klaviyo's CSV list import).

    python scripts/export_segments.py                          every segment (make export)
    python scripts/export_segments.py --segment biggest_fans   one (make export SEGMENT=biggest_fans)

Reads the PUBLISHED copy of the marts (`$PERSONAS_PUBLISH_DIR`, default `published/` in the
project root: personas.duckdb opened read-only, and manifest.json), never the warehouse file a
build may be writing. Writes, per segment, `<output dir>/<build_id>/<segment>.csv` and one
`manifest.json` beside them saying which published build the files come from.

A file holds one row per member of the segment (a member of seg_category_repeat_buyers, which
has a row per category, once), email first, with the columns named as Klaviyo's list import
names its profile properties, UTF-8 (no byte-order mark) with a header row. Only members who
can be emailed are written: their email consent is `subscribed` and they have an email
address. With the default var segments_require_email_consent the marts hold consented members
only; a build with it false holds others too: those rows are left out here, and the manifest
counts them per reason, so that for every segment

    rows exported + rows left out = members of the segment (marts.segment_summary)

which the script checks before it writes the manifest.

Exit status: 0 done; 1 no (or an unreadable) published copy; 2 a bad argument (an unknown
segment or format: the message lists the known ones).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_PUBLISH_DIR = PROJECT_DIR / "published"
DEFAULT_OUTPUT_DIR = PROJECT_DIR / "exports"
SUPPORTED_FORMATS = ("csv",)

# (CSV header, dim_profiles column): Klaviyo's own profile property names, which its list
# import maps without asking (help.klaviyo.com, "Create and add contacts to a new list":
# the first column is Email or Phone Number; other columns named after a Klaviyo property
# map to it). Last Name and Zip Code are Klaviyo properties too, but the raw data contract
# has neither. profile_id goes to a custom property, not to Klaviyo's External ID: that is an
# identifier Klaviyo resolves profiles by, and a shop's integration (Shopify, ...) may
# already own it. Consent is not a column: every exported row is subscribed, and Klaviyo's
# import asks how to treat consent for the whole file.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Email", "email"),
    ("First Name", "first_name"),
    ("Phone Number", "phone_number"),
    ("City", "city"),
    ("Region", "region"),
    ("Country", "country"),
    ("Personas Profile ID", "profile_id"),
)
HEADER = [header for header, _ in COLUMNS]

# Why a member of a segment is not in its file, in the order the checks apply.
LEFT_OUT_REASONS: dict[str, str] = {
    "email_not_consented": "email consent is not 'subscribed' (the build ran with "
    "segments_require_email_consent: false): an email tool must not receive them",
    "no_email": "no email address on the profile: an upload keyed by email cannot hold them",
}

# Not a reason to leave a row out, but worth knowing before an upload keyed by email.
SHARED_EMAIL_NOTE = (
    "rows_sharing_an_email: rows whose email an earlier row of the same file has (different "
    "profiles with one address); they are kept, one row per member, and Klaviyo merges them "
    "into one profile on import"
)

FETCH_ROWS = 10_000


class ExportError(Exception):
    """A problem the user can fix, with the exit status to end on."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class PublishedBuild:
    """The published copy one export reads: its folder, manifest and segments."""

    folder: Path
    manifest: dict[str, Any]
    built_at: str
    segments: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> summary row

    @property
    def build_id(self) -> str:
        return str(self.manifest.get("build_id") or "")

    @property
    def as_of_date(self) -> str:
        return str(self.manifest.get("as_of_date") or "")

    @property
    def export_folder_name(self) -> str:
        """<build_id>, or the as-of date when the manifest has no build id; path-safe."""
        name = self.build_id or self.as_of_date or self.built_at[:10]
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "build"


def _utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _as_utc(value: Any) -> datetime | None:
    """A built_at value (ISO text or a timestamp, naive = UTC) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def resolve_published_folder(publish_dir: Path) -> Path:
    """The folder of the current published build.

    published/current is a symlink to builds/<build_id>/ that the publisher swaps atomically;
    resolving it once, before reading anything, keeps the manifest and the database of one
    export from two different builds. A folder without `current` is read as it is.
    """
    current = publish_dir / "current"
    if current.exists():
        return current.resolve()
    return publish_dir.resolve()


def missing_copy_message(publish_dir: Path, missing: Path) -> str:
    what = "the folder does not exist" if missing == publish_dir else f"{missing.name} is missing"
    return (
        f"No published copy of the marts at {publish_dir} ({what}). "
        "Run `make demo` (or `dbt build`) first: a successful build publishes it there "
        "(set PERSONAS_PUBLISH_DIR or --publish-dir to read another folder)."
    )


def open_published(publish_dir: Path) -> tuple[PublishedBuild, duckdb.DuckDBPyConnection]:
    """Read the published manifest and open its database read-only; check they agree."""
    if not publish_dir.exists():
        raise ExportError(missing_copy_message(publish_dir, publish_dir))
    folder = resolve_published_folder(publish_dir)
    manifest_file, database_file = folder / "manifest.json", folder / "personas.duckdb"
    for needed in (manifest_file, database_file):
        if not needed.exists():
            raise ExportError(missing_copy_message(publish_dir, needed))
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ExportError(f"The published manifest {manifest_file} cannot be read: {error}") from error
    try:
        connection = duckdb.connect(str(database_file), read_only=True)
    except duckdb.Error as error:
        raise ExportError(f"The published database {database_file} cannot be opened: {error}") from error
    try:
        rows = connection.execute(
            "select segment_name, mart_name, members, built_at from marts.segment_summary order by segment_name"
        ).fetchall()
    except duckdb.Error as error:
        connection.close()
        raise ExportError(
            f"The published database {database_file} has no usable marts.segment_summary ({error}); "
            "rebuild with `dbt build` so that it is published again."
        ) from error
    built_in_database = {row[3] for row in rows}
    built_at = manifest.get("built_at")
    if rows and (len(built_in_database) != 1 or _seconds(built_in_database.pop()) != _seconds(built_at)):
        connection.close()
        raise ExportError(
            f"The published copy at {folder} is inconsistent: manifest.json says built_at {built_at}, "
            "marts.segment_summary holds another build. Rebuild, or read another --publish-dir."
        )
    build = PublishedBuild(folder=folder, manifest=manifest, built_at=str(built_at or ""))
    build.segments = {
        name: {"mart_name": mart, "members": int(members)} for name, mart, members, _ in rows
    }
    return build, connection


def _seconds(value: Any) -> datetime | None:
    moment = _as_utc(value)
    return moment.replace(microsecond=0) if moment is not None else None


def resolve_segments(requested: Sequence[str], known: Sequence[str]) -> list[str]:
    """The segment names to export, in alphabetical order; `all` (or nothing given)
    is every segment. A name may carry the mart's `seg_` prefix."""
    names = [name.strip() for name in requested if name.strip()]
    if not names or any(name.lower() == "all" for name in names):
        return sorted(known)
    chosen: list[str] = []
    unknown: list[str] = []
    for name in names:
        bare = name.lower().removeprefix("seg_")
        if bare in known:
            if bare not in chosen:
                chosen.append(bare)
        else:
            unknown.append(name)
    if unknown:
        raise ExportError(
            f"Unknown segment {', '.join(repr(name) for name in unknown)}. Known segments "
            f"(marts.segment_summary of the published build): {', '.join(sorted(known))}; or `all`.",
            status=2,
        )
    return chosen


def _segment_query(mart_name: str) -> str:
    # mart_name comes from marts.segment_summary and is checked against the marts' tables
    # before this runs; quoted as an identifier all the same. email and the consent flag are
    # the mart's own (every seg_ mart starts with them), the other columns dim_profiles'.
    selected = ",\n                ".join(
        f"members.{column}" if column in ("email", "profile_id") else f"dim_profiles.{column}"
        for _, column in COLUMNS
    )
    return f"""
        with

        members as (
            -- one row per member: seg_category_repeat_buyers has a row per category
            select distinct profile_id, email, is_email_consented
            from marts."{mart_name}"
        ),

        classified as (
            select
                {selected},
                case
                    when not coalesce(members.is_email_consented, false) then 'email_not_consented'
                    when members.email is null or trim(members.email) = '' then 'no_email'
                end as left_out_reason
            from members
            left join marts.dim_profiles as dim_profiles
                on members.profile_id = dim_profiles.profile_id
        )

        select * from classified
        order by email, profile_id
    """


def _rows(cursor: duckdb.DuckDBPyConnection) -> Iterator[tuple[Any, ...]]:
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield from batch


def export_segment(
    connection: duckdb.DuckDBPyConnection, build: PublishedBuild, segment: str, destination: Path
) -> dict[str, Any]:
    """Write one segment's CSV (atomically: a temporary file renamed) and return its manifest entry."""
    mart_name = build.segments[segment]["mart_name"]
    tables = {row[0] for row in connection.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'"
    ).fetchall()}
    if mart_name not in tables:
        raise ExportError(f"marts.segment_summary names {mart_name}, which the published copy does not hold.")
    mart_rows = connection.execute(f'select count(*) from marts."{mart_name}"').fetchone()[0]
    cursor = connection.execute(_segment_query(mart_name))
    names = [column[0] for column in cursor.description]
    reason_index = names.index("left_out_reason")
    positions = [names.index(column) for _, column in COLUMNS]
    left_out = dict.fromkeys(LEFT_OUT_REASONS, 0)
    exported = 0
    emails: set[str] = set()
    shared_email_rows = 0
    temporary = destination.with_name(f".{destination.name}.tmp")
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in _rows(cursor):
            reason = row[reason_index]
            if reason is not None:
                left_out[reason] += 1
                continue
            values = ["" if row[position] is None else str(row[position]) for position in positions]
            writer.writerow(values)
            exported += 1
            if values[0] in emails:
                shared_email_rows += 1
            emails.add(values[0])
    members = build.segments[segment]["members"]
    if exported + sum(left_out.values()) != members:
        temporary.unlink(missing_ok=True)
        raise ExportError(
            f"{segment}: {exported} rows exported + {sum(left_out.values())} left out != {members} members "
            "in marts.segment_summary: the published copy does not add up; rebuild it."
        )
    temporary.replace(destination)
    return {
        "mart": mart_name,
        "file": destination.name,
        "members": members,
        "mart_rows": int(mart_rows),
        "rows_exported": exported,
        "rows_left_out": left_out,
        "rows_sharing_an_email": shared_email_rows,
        "exported_at": _utc_now(),
    }


def write_manifest(folder: Path, build: PublishedBuild, entries: dict[str, dict[str, Any]], fmt: str) -> Path:
    """manifest.json of the export folder; segments exported earlier from the same build stay."""
    path = folder / "manifest.json"
    segments: dict[str, Any] = {}
    if path.exists():
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            previous = {}
        if previous.get("build_id") == build.build_id and previous.get("built_at") == build.built_at:
            segments.update(previous.get("segments", {}))
    segments.update(entries)
    manifest = {
        "exported_at": _utc_now(),
        "build_id": build.build_id,
        "built_at": build.built_at,
        "as_of_date": build.as_of_date,
        "git_commit": build.manifest.get("git_commit"),
        "dbt_version": build.manifest.get("dbt_version"),
        "published_from": str(build.folder),
        "format": fmt,
        "encoding": "utf-8",
        "columns": {header: column for header, column in COLUMNS},
        "left_out_reasons": LEFT_OUT_REASONS,
        "notes": [SHARED_EMAIL_NOTE],
        "segments": dict(sorted(segments.items())),
    }
    temporary = path.with_name(".manifest.json.tmp")
    temporary.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Write the segments of the published build as upload files for an email tool "
            "(Klaviyo's CSV list import): one row per member who can be emailed, Email first."
        ),
        epilog="Exit status: 0 done, 1 no published copy, 2 an unknown segment or format.",
    )
    parser.add_argument(
        "--segment",
        action="append",
        default=[],
        metavar="NAME",
        help=(
            "a segment to export, as in marts.segment_summary (biggest_fans) or as its mart "
            "(seg_biggest_fans); repeat it or separate names with commas for several; "
            "`all` or none given: every segment"
        ),
    )
    parser.add_argument(
        "--format",
        default="csv",
        help=f"file format; supported: {', '.join(SUPPORTED_FORMATS)} (default csv)",
    )
    parser.add_argument(
        "--publish-dir",
        type=Path,
        default=Path(os.environ.get("PERSONAS_PUBLISH_DIR") or DEFAULT_PUBLISH_DIR),
        help="the published copy to read (default: $PERSONAS_PUBLISH_DIR, else published/ in the project)",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=DEFAULT_OUTPUT_DIR,
        help="where to write; files go to <output-dir>/<build_id>/ (default: exports/ in the project)",
    )
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> int:
    fmt = args.format.strip().lower()
    if fmt not in SUPPORTED_FORMATS:
        raise ExportError(
            f"Unknown format {args.format!r}; supported formats: {', '.join(SUPPORTED_FORMATS)}.", status=2
        )
    requested = [name for value in args.segment for name in value.split(",")]
    build, connection = open_published(args.publish_dir)
    started = time.monotonic()
    try:
        segments = resolve_segments(requested, list(build.segments))
        folder = args.output_dir / build.export_folder_name
        folder.mkdir(parents=True, exist_ok=True)
        print(
            f"Exporting {len(segments)} segment(s) of build {build.build_id or '?'} "
            f"(built {build.built_at}, as of {build.as_of_date}) to {folder}"
        )
        entries: dict[str, dict[str, Any]] = {}
        width = len(str(len(segments)))
        for index, segment in enumerate(segments, start=1):
            entry = export_segment(connection, build, segment, folder / f"{segment}.{fmt}")
            entries[segment] = entry
            notes = [f"{count} {reason} left out" for reason, count in entry["rows_left_out"].items() if count]
            if entry["rows_sharing_an_email"]:
                notes.append(f"{entry['rows_sharing_an_email']} sharing an email with another row")
            rows = entry["rows_exported"]
            print(
                f"[{index:>{width}}/{len(segments)}] {segment}: {rows} row{'' if rows == 1 else 's'}"
                + (f" ({'; '.join(notes)})" if notes else ""),
                flush=True,
            )
    finally:
        connection.close()
    manifest = write_manifest(folder, build, entries, fmt)
    total = sum(entry["rows_exported"] for entry in entries.values())
    total_left_out = sum(sum(entry["rows_left_out"].values()) for entry in entries.values())
    print(
        f"Done in {time.monotonic() - started:.1f}s: {total} rows in {len(entries)} file(s), "
        f"{total_left_out} left out (reasons in {manifest})."
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except ExportError as error:
        print(f"export_segments: {error}", file=sys.stderr)
        return error.status


if __name__ == "__main__":
    sys.exit(main())
