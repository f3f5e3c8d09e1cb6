"""Reading lesson files: what a good one becomes, and each kind of problem with the line it names."""

from __future__ import annotations

import textwrap
import time

import pytest

from gradlab.expr import MAX_SECONDS
from gradlab.lessons import DEFAULT_TOLERANCE, LessonError, Step, load_lesson, parse_lesson, programs
from gradlab.lessons.programs import PROGRAM_SECONDS

GOOD = textwrap.dedent('''\
    title = "The derivative, by nudging"
    summary = "One line for the lesson list."

    [[step]]
    text = """Markdown shown in the lesson panel.
    answer = 3 written in the text is not a key."""
    program = """
    x = Value(3.0, label='x')
    y = 3*x**2 - 4*x + 5"""
    select = "x"
    ask = "What is dy/dx at x = 3?"
    answer = 14.0
    tolerance = 0.02
    hint = "Click x and make h smaller."
    explain = "6x - 4 at x = 3"
    highlight = ["nodeInspector", "graphCanvas"]

    [[step]]
    text = "Make h small."
    done_when = "selected == 'x' and h <= 0.001"

    [[step]]
    text = "Train."
    network = { dataset = "moons", layers = [16, 16], activation = "relu", learning_rate = 1.0 }
    done_when = "lab == 'network' and step >= 20"

    [[step]]
    text = "The end."
    ''')


def error_of(text: str) -> LessonError:
    with pytest.raises(LessonError) as caught:
        parse_lesson(text)
    return caught.value


def test_a_good_lesson_reads_into_steps_with_their_lines():
    lesson = parse_lesson(GOOD, "01-derivative")
    assert (lesson.name, lesson.title, lesson.summary) == ("01-derivative", "The derivative, by nudging",
                                                           "One line for the lesson list.")
    assert [s.line for s in lesson.steps] == [4, 18, 22, 27]
    first, second, third, last = lesson.steps
    assert first.program == "x = Value(3.0, label='x')\ny = 3*x**2 - 4*x + 5"
    assert (first.select, first.ask) == ("x", "What is dy/dx at x = 3?")
    assert (first.answer, first.tolerance) == (14.0, 0.02)
    assert first.highlight == ("nodeInspector", "graphCanvas") and first.explain == "6x - 4 at x = 3"
    assert second.tolerance == DEFAULT_TOLERANCE and second.done_when.startswith("selected")
    assert third.network == {"dataset": "moons", "layers": [16, 16], "activation": "relu",
                             "learning_rate": 1.0}
    assert last.plain and not first.plain and not second.plain
    assert lesson.number == 1 and parse_lesson(GOOD).number is None


def test_only_a_title_and_one_step_are_required():
    lesson = parse_lesson('title = "T"\n[[step]]\ntext = "hi"\n')
    assert lesson.summary == "" and lesson.steps == (Step("hi", line=2),)


def test_a_highlight_may_be_one_name():
    lesson = parse_lesson('title = "T"\n[[step]]\ntext = "hi"\nhighlight = "lossPlot"\n')
    assert lesson.steps[0].highlight == ("lossPlot",)


@pytest.mark.parametrize(("text", "line", "words"), [
    # bad TOML: tomllib's own message, with its line
    ('title = "T"\n[[step]]\ntext = "unclosed\n', 3, "not valid TOML"),
    ('title = "T"\n\n\n[[step]]\ntext = "a"\nanswer = = 3\n', 6, "not valid TOML"),
    # unknown keys, found in the text: at the top, in a step, in a later step, inline in network
    ('title = "T"\nsumary = "typo"\n[[step]]\ntext = "a"\n', 2, "unknown key 'sumary'"),
    ('title = "T"\n\n[meta]\nauthor = "me"\n[[step]]\ntext = "a"\n', 3, "unknown key 'meta'"),
    ('title = "T"\n[[step]]\ntext = "a"\n\nanwser = 3\n', 5, "unknown key 'anwser' in step 1"),
    ('title = "T"\n[[step]]\ntext = "anwser = 1"\n[[step]]\ntext = "b"\nanwser = 3\n', 6, "in step 2"),
    ('title = "T"\n[[step]]\ntext = """\nanwser = 2\n"""  # anwser = 1\nanwser = 3\n', 6, "'anwser'"),
    ('title = "T"\n[[step]]\ntext = "a"\nnetwork = { dataset = "moons", layerz = [2] }\n', 4,
     "unknown network setting 'layerz'"),
    ('title = "T"\n[[step]]\ntext = "a"\n[step.network]\ndataset = "moons"\nlr = 1\n', 6,
     "unknown network setting 'lr'"),
    # a missing title, no steps, a step without text, steps written as one table
    ('summary = "s"\n[[step]]\ntext = "a"\n', 1, "needs a title"),
    ('title = "T"\nsummary = "no steps"\n', 2, "has no steps"),
    ('title = "T"\n[[step]]\ntext = "a"\n\n[[step]]\nask = "?"\nanswer = 1\n', 5, "step 2 has no text"),
    ('title = "T"\n[step]\ntext = "a"\n', 2, "[[step]]"),
    ('title = "T"\n\nstep = 3\n', 3, "[[step]]"),
    ('title = "T"\nstep = ["a"]\n', 2, "step 1 must be a table"),
    ('title = "  "\n[[step]]\ntext = "a"\n', 1, "the title is empty"),
    ("title = " + "[" * 5000 + "]" * 5000 + "\n", 1, "not valid TOML"),
    # wrong types
    ('title = 3\n[[step]]\ntext = "a"\n', 1, "title must be text"),
    ('title = "T"\n[[step]]\ntext = ["a"]\n', 3, "text must be text, not a list"),
    ('title = "T"\n[[step]]\ntext = "a"\nask = "?"\nanswer = "14"\n', 5, "answer must be a number, not text"),
    ('title = "T"\n[[step]]\ntext = "a"\nask = "?"\nanswer = true\n', 5, "answer must be a number"),
    ('title = "T"\n[[step]]\ntext = "a"\nask = "?"\nanswer = nan\n', 5, "finite"),
    ('title = "T"\n[[step]]\ntext = "a"\nask = "?"\nanswer = 1\ntolerance = -0.1\n', 6,
     "tolerance must be 0"),
    ('title = "T"\n[[step]]\ntext = "a"\nhighlight = [1, 2]\n', 4, "highlight"),
    ('title = "T"\n[[step]]\ntext = "a"\nnetwork = "moons"\n', 4, "network must be a table"),
    ('title = "T"\n[[step]]\ntext = "a"\nnetwork = { layers = [16, "x"] }\n', 4, "layers must be a list"),
    # ask without answer, and the other way round
    ('title = "T"\n[[step]]\ntext = "a"\nask = "What?"\n', 4, "has ask but no answer"),
    ('title = "T"\n[[step]]\ntext = "a"\n\nanswer = 2\n', 5, "has answer but no ask"),
    # done_when that does not parse, or reads a name it cannot see
    ('title = "T"\n[[step]]\ntext = "a"\ndone_when = "h <= "\n', 4, "done_when does not parse"),
    ('title = "T"\n[[step]]\ntext = "a"\ndone_when = "x = 3"\n', 4, "done_when does not parse"),
    ('title = "T"\n[[step]]\ntext = "a"\ndone_when = "hh < 0.1"\n', 4, "'hh'"),
    # an unknown dataset, a bad network setting
    ('title = "T"\n[[step]]\ntext = "a"\nnetwork = { dataset = "moon" }\n', 4, "unknown dataset 'moon'"),
    ('title = "T"\n[[step]]\ntext = "a"\n[step.network]\ndataset = "moons"\nlearning_rate = -1\n', 6,
     "learning_rate must be a positive number"),
    ('title = "T"\n[[step]]\ntext = "a"\nnetwork = { activation = "relux" }\n', 4, "unknown activation"),
    ('title = "T"\n[[step]]\ntext = "a"\nnetwork = { noise = 99 }\n', 4, "noise must be"),
    ('title = "T"\n[[step]]\ntext = "a"\nnetwork = { backend = "gpu" }\n', 4, "unknown backend 'gpu'"),
    ('title = "T"\n[[step]]\ntext = "a"\nnetwork = { dataset = "sine", features = ["x2"] }\n', 4, "x2"),
    # a select naming no node, or with no program open
    ('title = "T"\n[[step]]\ntext = "a"\nprogram = "a = Value(2.0)\\nb = a * 3"\nselect = "q"\n', 5,
     "'q' in step 1 names no node"),
    ('title = "T"\n[[step]]\ntext = "a"\nselect = "x"\n', 4, "no program is open yet"),
    ('title = "T"\n[[step]]\ntext = "a"\nprogram = "a = Value(2.0)"\n[[step]]\ntext = "b"\nselect = "z"\n', 7,
     "step 2 names no node"),
])
def test_each_problem_names_its_line(text: str, line: int, words: str):
    error = error_of(text)
    assert error.line == line, str(error)
    assert str(error).startswith(f"line {line}: ")
    assert words in str(error)


def test_a_failing_program_names_the_file_line_of_its_failing_line():
    text = ('title = "T"\n'          # 1
            '[[step]]\n'             # 2
            'text = "a"\n'           # 3
            'program = """\n'        # 4: the program starts on the next line
            'a = Value(2.0)\n'       # 5: program line 1
            'b = a * c\n'            # 6: program line 2 fails
            '"""\n')
    error = error_of(text)
    assert error.line == 6
    assert "the program of step 1 fails at its line 2" in str(error) and "'c'" in str(error)
    same_line = 'title = "T"\n[[step]]\ntext = "a"\nprogram = """a = Value(2.0)\nb = a * c"""\n'
    assert error_of(same_line).line == 5
    one_line = 'title = "T"\n[[step]]\ntext = "a"\n\nprogram = "a = 1\\nb = a / q"\n'
    assert error_of(one_line).line == 5


def test_a_program_that_breaks_a_limit_is_refused_with_its_message(monkeypatch):
    # the learner waits while a lesson opens: a lesson's program has a budget of its own, not the lab's
    assert PROGRAM_SECONDS < MAX_SECONDS
    # the budget a lesson's program runs under is read when it runs: a shorter one is the same path
    # to the same words, sooner
    short = 0.1
    monkeypatch.setattr(programs, "PROGRAM_SECONDS", short)
    started = time.monotonic()
    error = error_of('title = "T"\n[[step]]\ntext = "a"\nprogram = "while True:\\n    pass"\n')
    assert error.line == 4 and f"took longer than {short:g} s" in str(error)
    assert time.monotonic() - started < short + 10


def test_select_reads_labels_as_the_graph_shows_them():
    text = ('title = "T"\n[[step]]\ntext = "a"\n'
            "program = \"c = Value(1.0, label='c')\\nd = c * 2; d.label = 'c'\\ne = d + c\"\n"
            'select = "c@2"\n[[step]]\ntext = "b"\nselect = "c₁"\n')
    lesson = parse_lesson(text)
    assert [s.select for s in lesson.steps] == ["c@2", "c₁"]


def test_regularization_none_is_written_as_text():
    lesson = parse_lesson('title = "T"\n[[step]]\ntext = "a"\n'
                          'network = { regularization = "none", lr_decay = "none", batch_size = 10 }\n')
    assert lesson.steps[0].network["regularization"] == "none"


def test_load_lesson_reads_a_file_and_names_it_after_its_stem(tmp_path):
    path = tmp_path / "03-chain-rule.toml"
    path.write_text(GOOD, encoding="utf-8")
    lesson = load_lesson(path)
    assert (lesson.name, lesson.path, lesson.number) == ("03-chain-rule", path, 3)


@pytest.mark.parametrize(("content", "words"), [(None, "cannot read"), (b"\xff\xfe bad", "not UTF-8")])
def test_a_file_that_cannot_be_read_is_a_lesson_error(tmp_path, content, words):
    path = tmp_path / "missing.toml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(LessonError, match=words) as caught:
        load_lesson(path)
    assert str(path) in str(caught.value)
