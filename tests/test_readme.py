"""The README's Quick start stays true: CI runs exactly its test command."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash)?\n(.*?)```", section, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]


def test_quick_start_has_two_commands_and_ci_runs_the_test_one():
    launch, test = quick_start_commands()
    assert "main.py" in launch
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in [line.strip() for line in ci]


def test_readme_carries_the_language_reference_the_app_shows():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert (ROOT / "resources" / "language.md").read_text(encoding="utf-8").strip() in readme
