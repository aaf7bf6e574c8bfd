"""The file-system half of publishing the marts (the SQL half is macros/publish/publish_marts.sql).

dbt-duckdb loads this module as a plugin (profiles.yml: `plugins` and `module_paths`) and
registers two SQL functions on its DuckDB connection, which the on-run-end hook calls:

    personas_publish_prepare(publish_dir, build_id) -> folder to write the new build into
    personas_publish_commit(publish_dir, build_id, manifest_json) -> folder of the new build

Layout of the publish folder (`PERSONAS_PUBLISH_DIR`, default `published/`):

    published/
        current -> builds/<build_id>          the one pointer that is swapped
        personas.duckdb -> current/personas.duckdb
        manifest.json -> current/manifest.json
        parquet -> current/parquet
        builds/<build_id>/                    a finished build: never written again
        builds/<build_id>.partial/            a build being written (or a killed one)

A build is written in full under `<build_id>.partial/`, flushed to disk, renamed, and only
then made current by renaming a new symlink over `current` (rename is atomic on POSIX). A
reader resolves `published/personas.duckdb` when it opens it, and so sees either the previous
build or the new one, whole; a file it holds open stays readable after a later swap (and
after the pruning of old builds). A publish that dies (killed, disk full) leaves at most a
`.partial` folder, which the next publish removes; `current` still names the last good build.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

# Finished builds kept besides the current one, for readers still holding an older one.
KEEP_PREVIOUS_BUILDS = 2
PARTIAL_SUFFIX = ".partial"
# The stable names a BI tool opens, each a symlink through `current`.
STABLE_LINKS = ("personas.duckdb", "manifest.json", "parquet")


def prepare(publish_dir: str, build_id: str) -> str:
    """Make an empty `builds/<build_id>.partial/parquet/` and return the partial folder.

    Removes what earlier publishes that died left behind (other `.partial` folders)."""
    builds = Path(publish_dir).resolve() / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    for leftover in builds.glob(f"*{PARTIAL_SUFFIX}"):
        shutil.rmtree(leftover, ignore_errors=True)
    partial = builds / f"{build_id}{PARTIAL_SUFFIX}"
    (partial / "parquet").mkdir(parents=True)
    return str(partial)


def commit(publish_dir: str, build_id: str, manifest_json: str) -> str:
    """Write the manifest, flush the build to disk, and make it the current one atomically."""
    root = Path(publish_dir).resolve()
    builds = root / "builds"
    partial = builds / f"{build_id}{PARTIAL_SUFFIX}"
    final = builds / build_id
    if not partial.is_dir():
        raise FileNotFoundError(f"no build being published at {partial}")

    manifest: dict[str, Any] = json.loads(manifest_json)
    manifest["git_commit"] = git_commit()
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    _fsync_tree(partial)

    os.rename(partial, final)
    _fsync_dir(builds)
    _replace_symlink(root / "current", Path("builds") / build_id)
    for name in STABLE_LINKS:
        link = root / name
        if not link.is_symlink():
            _replace_symlink(link, Path("current") / name)
    _fsync_dir(root)
    prune(root)
    return str(final)


def current_build(publish_dir: str | os.PathLike[str]) -> Path | None:
    """The folder of the current published build, or None if nothing was published."""
    current = Path(publish_dir) / "current"
    return current.resolve() if current.is_symlink() else None


def prune(root: Path) -> None:
    """Delete finished builds older than the current one and the KEEP_PREVIOUS_BUILDS before it."""
    current = current_build(root)
    finished = sorted(
        (path for path in (root / "builds").iterdir() if path.is_dir() and not path.name.endswith(PARTIAL_SUFFIX)),
        key=lambda path: path.name,
    )
    if current is None or current not in finished:
        return
    keep_from = max(0, finished.index(current) - KEEP_PREVIOUS_BUILDS)
    for old in finished[:keep_from]:
        shutil.rmtree(old, ignore_errors=True)


def git_commit() -> str | None:
    """The project's commit (HEAD of the working directory's repository), None outside git.
    safe.directory: a checkout owned by another user than the build's (a CI container's, say)
    would otherwise make git refuse to read it ("dubious ownership")."""
    try:
        completed = subprocess.run(
            ["git", "-c", f"safe.directory={Path.cwd()}", "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    return completed.stdout.strip() or None


def _replace_symlink(link: Path, target: Path) -> None:
    temporary = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(target)
    os.replace(temporary, link)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    for path in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
        _fsync_dir(path)


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


try:  # dbt-duckdb is there when dbt loads this module; the tests import it without dbt too.
    from dbt.adapters.duckdb.plugins import BasePlugin
except ImportError:  # pragma: no cover
    BasePlugin = object  # type: ignore[misc,assignment]


class Plugin(BasePlugin):  # type: ignore[misc,valid-type]
    """Registers the two publish functions on every DuckDB connection dbt opens."""

    def configure_connection(self, conn: Any) -> None:
        conn.create_function(
            "personas_publish_prepare", prepare, ["VARCHAR", "VARCHAR"], "VARCHAR", side_effects=True
        )
        conn.create_function(
            "personas_publish_commit", commit, ["VARCHAR", "VARCHAR", "VARCHAR"], "VARCHAR", side_effects=True
        )
