"""The README's quickstart and the CI script cannot drift apart; documented links resolve."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quickstart() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, flags=re.S)


def test_quickstart_has_exactly_two_commands() -> None:
    install_and_run, install_and_test = quickstart()
    assert install_and_run.startswith("python3 -m venv .venv && .venv/bin/pip install . && ")
    assert install_and_run.endswith(".venv/bin/screening interview")
    assert "'.[test]'" in install_and_test
    assert install_and_test.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_word_for_word() -> None:
    _, install_and_test = quickstart()
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert install_and_test in script


def _anchors(page: Path) -> set[str]:
    """The heading anchors of a Markdown page, as GitHub makes them."""
    anchors = set()
    for heading in re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def test_links_in_the_docs_resolve() -> None:
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        for target, anchor in re.findall(r"\]\(([^)#:]*)(?:#([^)]*))?\)", text):
            linked = page.parent / target if target else page
            assert linked.exists(), f"{page.name}: broken link {target}"
            if anchor and linked.suffix == ".md":
                assert anchor in _anchors(linked), (
                    f"{page.name}: no heading #{anchor} in {linked.name}"
                )
