"""The model docs hold no hand-written lineage ("Used by: ...").

A list of the models or segments that read a model goes stale as soon as one of them changes
(issue 17 found five such lists already wrong); the lineage graph of the dbt docs site is
computed from the refs and is the one source for it. This scans every doc block and
properties file under models/ (*.md, *.yml), no dbt needed, and fails naming each file and
line that still carries such a list.
"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import PROJECT_DIR

# "**Used by:** `fct_rfm` and ...", "...in the last 30 days: used by `seg_x`", "Consumed by ...".
CONSUMER_LIST = re.compile(r"\b(?:used|consumed)\s+by\b", re.IGNORECASE)


def _doc_files() -> list[Path]:
    models = PROJECT_DIR / "models"
    return sorted([*models.rglob("*.md"), *models.rglob("*.yml")])


def consumer_lists(text: str) -> list[tuple[int, str]]:
    """(line number, line) of each consumer list in a file's text; a list broken over two
    lines ("... days: used\\nby `seg_x`") is reported on the line where it starts."""
    found = []
    line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
    lines = text.split("\n")
    for match in CONSUMER_LIST.finditer(text):
        line_index = max(index for index, start in enumerate(line_starts) if start <= match.start())
        found.append((line_index + 1, lines[line_index].strip()))
    return found


def test_the_scan_reads_the_docs() -> None:
    files = _doc_files()
    assert any(path.suffix == ".md" for path in files) and any(path.suffix == ".yml" for path in files)


def test_the_pattern_finds_the_phrasings_that_were_removed() -> None:
    text = (
        "**Used by:** `dim_profiles` and the sale segments.\n"
        "Engagement events in the last `dead_weight_months` (6) months: used by `seg_dead_weight`.\n"
        "Email `delivered` events in the last 7 days: used\nby `seg_over_pressured`.\n"
        "Nothing here is a consumer list: the user bought it.\n"
    )
    assert [line for line, _ in consumer_lists(text)] == [1, 2, 3]


def test_model_docs_hold_no_hand_written_lineage() -> None:
    offending = [
        f"{path.relative_to(PROJECT_DIR)}:{line}: {content}"
        for path in _doc_files()
        for line, content in consumer_lists(path.read_text(encoding="utf-8"))
    ]
    assert not offending, (
        "hand-written lineage in the model docs (the dbt docs site's lineage graph is the source; "
        "describe what the model means, not who reads it):\n" + "\n".join(offending)
    )


# --- everything the repository links to is in it -----------------------------------------
#
# The catalog, the data contract and the style guide are copied into docs/ so that a clone
# holds them: no file may point outside the repository for them (the workspace's
# ../shared/spec/ does not exist in a clone), and every relative link of a Markdown page must
# reach a file of the repository.

OUTSIDE_REFERENCE = re.compile(r"(?:\.\./)+shared/|\bshared/spec/")
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
SKIPPED_DIRS = {".git", ".venv", "node_modules", "target", "logs", "dbt_packages", "published", "build", "exports"}


def _repository_files(*suffixes: str) -> list[Path]:
    return sorted(
        path
        for path in PROJECT_DIR.rglob("*")
        if path.is_file()
        and path.suffix in suffixes
        and not SKIPPED_DIRS.intersection(path.relative_to(PROJECT_DIR).parts)
    )


def outside_references(text: str) -> list[str]:
    return OUTSIDE_REFERENCE.findall(text)


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in MARKDOWN_LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        if not (page.parent / target.split("#", 1)[0]).exists():
            broken.append(target)
    return broken


def test_the_outside_pattern_finds_the_old_references() -> None:
    assert outside_references("see ../shared/spec/segments.md and ../../../../shared/spec/data-contract.md")
    assert outside_references("# (shared/spec/data-contract.md), column by column")
    assert not outside_references("see docs/segment-catalog.md and docs/data-contract.md")


def test_no_file_points_outside_the_repository() -> None:
    files = _repository_files(".md", ".sql", ".yml", ".py", ".toml", ".cfg", "") + [PROJECT_DIR / ".sqlfluff"]
    copies = {PROJECT_DIR / "docs" / name for name in ("segment-catalog.md", "data-contract.md", "style.md")}
    assert copies <= set(files), "docs/ must hold the catalog, the contract and the style guide"
    found = [f"{path.relative_to(PROJECT_DIR)}: {match}"
             for path in files if path not in copies and path != Path(__file__)
             for match in outside_references(path.read_text(encoding="utf-8", errors="replace"))]
    assert not found, "files that point outside the repository:\n" + "\n".join(found)


def test_markdown_links_reach_files_of_the_repository(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("[ok](page.md) [web](https://duckdb.org) [anchor](#x) [gone](missing.md#y)\n")
    assert broken_links(page) == ["missing.md#y"]
    found = [f"{page.relative_to(PROJECT_DIR)}: {target}"
             for page in _repository_files(".md") for target in broken_links(page)]
    assert not found, "links to files that do not exist:\n" + "\n".join(found)
