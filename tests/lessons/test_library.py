"""The built-in lessons, finding a lesson by name or path, and the teachers' documented example."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradlab import resources
from gradlab.lessons import LessonError, LessonProgress, builtin, find_lesson, load_lesson
from gradlab.lessons import library as lesson_library

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = Path(__file__).parent / "data" / "teacher_example.toml"
README = ROOT / "resources" / "lessons" / "README.md"


@pytest.fixture
def three_lessons(tmp_path, monkeypatch):
    """A resources folder whose lessons/ holds three small lessons (and a README that is not one)."""
    folder = tmp_path / "_resources" / "lessons"
    folder.mkdir(parents=True)
    for name, title in (("02-chain-rule", "The chain rule"), ("01-derivative", "The derivative, by nudging"),
                        ("10-beyond", "Beyond the lecture")):
        (folder / f"{name}.toml").write_text(f'title = "{title}"\n[[step]]\ntext = "a"\n', "utf-8")
    (folder / "README.md").write_text("# not a lesson\n", "utf-8")
    monkeypatch.setattr(resources, "root", lambda: tmp_path / "_resources")
    monkeypatch.setattr(lesson_library, "_READ", {})
    return folder


def test_the_documented_example_is_the_fixture_and_loads():
    readme = README.read_text(encoding="utf-8")
    assert "```toml\n" + EXAMPLE.read_text(encoding="utf-8") + "```" in readme
    lesson = load_lesson(EXAMPLE)
    assert lesson.title == "Slopes of a parabola" and len(lesson.steps) == 6
    kinds = [("ask" if s.ask else "done_when" if s.done_when else "plain") for s in lesson.steps]
    assert kinds == ["plain", "ask", "done_when", "ask", "done_when", "plain"]
    assert lesson.steps[0].program and lesson.steps[4].network
    assert lesson.steps[2].highlight == ("nodeInspector",)


def test_the_readme_names_every_key_and_every_condition_name():
    from gradlab.lessons.condition import EXTRA_NAMES, STATE_NAMES
    from gradlab.lessons.network import network_keys
    from gradlab.lessons.parse import STEP_KEYS, TOP_KEYS

    readme = README.read_text(encoding="utf-8")
    missing = [k for k in (*TOP_KEYS[:2], *STEP_KEYS, *STATE_NAMES, *EXTRA_NAMES, *network_keys())
               if f"`{k}" not in readme]
    assert not missing


def test_builtin_reads_the_lessons_folder_in_file_name_order(three_lessons):
    lessons = builtin()
    assert [lesson.name for lesson in lessons] == ["01-derivative", "02-chain-rule", "10-beyond"]
    assert builtin()[0] is lessons[0]  # read once while the file is unchanged
    (three_lessons / "01-derivative.toml").write_text('title = "New"\n[[step]]\ntext = "b"\n', "utf-8")
    assert builtin()[0].title == "New"


def test_a_broken_builtin_names_its_file(three_lessons):
    (three_lessons / "02-chain-rule.toml").write_text('title = "T"\n[[step]]\ntexts = "a"\n', "utf-8")
    with pytest.raises(LessonError, match=r"line 3: built-in lesson 02-chain-rule.toml: unknown key 'texts'"):
        builtin()


def test_no_lessons_folder_is_no_lessons(tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "root", lambda: tmp_path)
    assert builtin() == [] and resources.lesson_files() == []


@pytest.mark.parametrize(("wanted", "name"), [
    ("01-derivative", "01-derivative"), ("derivative", "01-derivative"), ("1", "01-derivative"),
    ("01", "01-derivative"), ("CHAIN-RULE", "02-chain-rule"), ("the chain rule", "02-chain-rule"),
    ("10", "10-beyond"), (" Beyond the Lecture ", "10-beyond"),
])
def test_find_lesson_by_name_number_or_title(three_lessons, wanted, name):
    assert find_lesson(wanted).name == name


def test_find_lesson_reads_a_path(three_lessons, tmp_path):
    assert find_lesson(str(EXAMPLE)).title == "Slopes of a parabola"
    with pytest.raises(LessonError, match="cannot read"):
        find_lesson(str(tmp_path / "nowhere.toml"))


def test_find_lesson_lists_the_builtins_when_nothing_matches(three_lessons):
    with pytest.raises(LessonError) as caught:
        find_lesson("backprop")
    message = str(caught.value)
    assert "no lesson named 'backprop'" in message
    assert "01-derivative (The derivative, by nudging)" in message and "10-beyond" in message


def test_every_builtin_lesson_loads_and_can_be_walked():
    """The course (resources/lessons/*.toml, written on another branch): every lesson loads, and a
    learner who does each step gets to its end."""
    files = resources.lesson_files()
    lessons = builtin()
    assert len(lessons) == len(files)
    if files:
        assert len(lessons) >= 10
    for lesson in lessons:
        assert lesson.title and lesson.steps
        progress = LessonProgress(lesson)
        for i, step in enumerate(lesson.steps):
            if step.ask is not None:
                assert progress.submit(repr(step.answer)).correct, (lesson.name, i)
            elif step.done_when is not None:
                progress.done.add(i)  # conditions are walked in the app's tests
            assert progress.can_next()
            progress.next()
        assert progress.complete(), lesson.name
