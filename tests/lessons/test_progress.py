"""A learner's walk through a lesson: answers, conditions, Next, Skip, Back, and saved progress."""

from __future__ import annotations

import json

import pytest

from gradlab.lessons import LabState, LessonProgress, Step, parse_lesson, read_number

LESSON = parse_lesson('''
title = "Walk"

[[step]]
text = "Read me."

[[step]]
text = "Slope?"
ask = "dy/dx at x = 3?"
answer = 14
hint = "6x - 4"
explain = "the slope at x = 3"

[[step]]
text = "Make h small."
done_when = "selected == 'x' and h <= 0.001"

[[step]]
text = "Zero?"
ask = "Where is the slope 0?"
answer = 0
tolerance = 0.001
''', "05-walk")


def at_step(i: int) -> LessonProgress:
    progress = LessonProgress(LESSON)
    progress.index = i
    return progress


@pytest.mark.parametrize(("typed", "number"), [
    ("14", 14.0), (" -0.5 ", -0.5), ("1e-3", 0.001), ("+2", 2.0), (".5", 0.5), ("3.", 3.0),
    ("1,5", None), ("2/3", None), ("fourteen", None), ("", None), ("nan", None), ("inf", None),
    ("1e999", None),
])
def test_reading_a_typed_number(typed: str, number: float | None):
    assert read_number(typed) == number


@pytest.mark.parametrize(("answer", "tolerance", "typed", "right"), [
    (14.0, 0.01, "14", True), (14.0, 0.01, "14.13", True), (14.0, 0.01, "14.15", False),
    (14.0, 0.01, "13.87", True), (14.0, 0.01, "-14", False), (-0.5, 0.01, "-0.504", True),
    (0.6667, 0.01, "0.67", True), (0.6667, 0.01, "0.661", True), (0.6667, 0.01, "0.65", False),
    (14.0, 0.01, "14.14", True),
    (0.0, 0.001, "0.0009", True), (0.0, 0.001, "-0.0009", True), (0.0, 0.001, "0.002", False),
    (0.0, 0.01, "0", True), (5.0, 0.0, "5", True), (5.0, 0.0, "5.0001", False),
    (14.0, 0.01, "1,4", None),
])
def test_the_tolerance_is_relative_and_absolute_at_zero(answer, tolerance, typed, right):
    assert Step("q", ask="?", answer=answer, tolerance=tolerance).check(typed) is right


def test_a_plain_step_is_done_by_next():
    progress = LessonProgress(LESSON)
    assert progress.progress_text() == "step 1 of 4"
    assert not progress.is_done() and progress.can_next()
    assert progress.next() and progress.index == 1 and progress.is_done(0)


def test_an_ask_step_is_done_by_the_right_answer_and_counts_wrong_ones():
    progress = at_step(1)
    assert not progress.can_next() and not progress.next() and progress.index == 1
    unreadable = progress.submit("1,4")
    assert unreadable.correct is None and "number" in unreadable.message and progress.wrong == {}
    first = progress.submit("13")
    assert first.correct is False and not first.can_reveal and "Hint" in first.message
    second = progress.submit("12")
    assert second.correct is False and second.can_reveal and progress.can_reveal()
    assert not progress.is_done()
    right = progress.submit("14.1")
    assert right.correct is True and right.message == "Right: 14 (the slope at x = 3)."
    assert progress.is_done() and not progress.can_reveal() and progress.can_next()
    assert progress.answers == {1: "14.1"} and progress.wrong == {1: 2}


def test_revealing_marks_the_step_done_with_the_reason():
    progress = at_step(1)
    progress.submit("1")
    progress.submit("2")
    assert progress.reveal() == "The answer is 14. the slope at x = 3"
    assert progress.is_done() and progress.revealed == {1} and progress.can_next()


def test_a_done_when_step_is_done_when_its_condition_holds():
    progress = at_step(2)
    assert not progress.can_next()
    assert not progress.update(LabState(selected="x", h=0.01))
    assert not progress.update(LabState(selected="y", h=0.0001))
    assert progress.update(LabState(selected="x", h=0.0001))
    assert progress.is_done() and progress.can_next()
    assert not progress.update(LabState(selected="x", h=0.0001))  # already done: this call did nothing
    assert progress.update(LabState()) is False and progress.is_done()  # and it stays done
    progress.mark_read()  # not a plain step: reading it changes nothing


def test_a_condition_with_a_problem_says_why_it_is_false():
    lesson = parse_lesson('title = "T"\n[[step]]\ntext = "a"\ndone_when = "grad(\'w\') > 0"\n')
    progress = LessonProgress(lesson)
    assert not progress.update(LabState())
    assert "no node labelled 'w'" in progress.condition().problem
    assert LessonProgress(LESSON).condition() is None


def test_skip_moves_on_without_doing_back_keeps_done():
    progress = at_step(1)
    assert progress.skip() and progress.index == 2 and not progress.is_done(1)
    assert progress.back() and progress.index == 1 and not progress.can_next()
    progress.submit("14")
    assert progress.next() and progress.back() and progress.is_done(1) and progress.can_next()
    assert progress.back() and progress.index == 0 and not progress.back()


def test_the_lesson_is_complete_when_the_last_step_is_done():
    progress = LessonProgress(LESSON)
    progress.next()
    progress.submit("14")
    progress.next()
    progress.update(LabState(selected="x", h=1e-4))
    progress.next()
    assert progress.index == 3 and not progress.complete() and not progress.skip()
    assert progress.submit("0.0005").correct and progress.complete()
    assert not progress.next() and progress.index == 3  # nowhere further to go


def test_the_last_plain_step_completes_with_next():
    lesson = parse_lesson('title = "T"\n[[step]]\ntext = "a"\n[[step]]\ntext = "b"\n')
    progress = LessonProgress(lesson)
    progress.next()
    assert not progress.complete() and progress.can_next()
    assert not progress.next() and progress.complete()


def test_a_step_that_asks_nothing_has_no_answer_to_check_or_reveal():
    progress = LessonProgress(LESSON)
    assert progress.submit("3").correct is None and progress.reveal() == "" and not progress.is_done()


def test_progress_round_trips_through_json():
    progress = at_step(1)
    progress.submit("3")
    progress.submit("14")
    progress.next()
    saved = json.loads(json.dumps(progress.to_dict()))
    assert saved == {"lesson": "05-walk", "index": 2, "done": [1], "answers": {"1": "14"}, "wrong": {"1": 1},
                     "revealed": []}
    again = LessonProgress.from_dict(LESSON, saved)
    assert again.to_dict() == progress.to_dict()
    assert (again.index, again.done, again.answers, again.wrong) == (2, {1}, {1: "14"}, {1: 1})


@pytest.mark.parametrize("saved", [
    {"lesson": "05-walk", "index": 9, "done": [0, 1, 7], "answers": {"8": "3", "1": "14"}, "wrong": {"9": 2},
     "revealed": [8]},
    {"lesson": "05-walk", "index": "x", "done": "all", "answers": [], "wrong": {"1": "two"},
     "revealed": None},
    {"lesson": "05-walk", "index": -3, "done": [-1, "2", 2.5], "answers": {"-1": 3}, "wrong": {"1": -4}},
    {"lesson": "another", "index": 3, "done": [0, 1, 2, 3]},
    {},
    "not a dict",
    None,
])
def test_a_saved_dict_that_does_not_fit_is_clamped_never_a_crash(saved):
    progress = LessonProgress.from_dict(LESSON, saved)
    assert 0 <= progress.index < len(LESSON.steps)
    assert all(0 <= i < len(LESSON.steps) for i in progress.done | progress.revealed)
    assert all(0 <= i < len(LESSON.steps) for i in (*progress.answers, *progress.wrong))
    progress.next()  # and it still walks
    json.dumps(progress.to_dict())


def test_fewer_steps_now_clamps_the_saved_index():
    saved = {"lesson": "05-walk", "index": 3, "done": [0, 1, 2, 3], "answers": {"3": "0"}}
    shorter = parse_lesson('title = "Walk"\n[[step]]\ntext = "a"\n[[step]]\ntext = "b"\n', "05-walk")
    progress = LessonProgress(shorter, saved)
    assert progress.index == 1 and progress.done == {0, 1} and progress.answers == {} and progress.complete()


def test_a_step_that_asks_and_waits_is_done_when_both_are():
    lesson = parse_lesson('title = "T"\n[[step]]\ntext = "a"\nprogram = "x = Value(3.0)"\nask = "x?"\n'
                          'answer = 3\ndone_when = "selected == \'x\'"\n[[step]]\ntext = "b"\n')
    answered_first = LessonProgress(lesson)
    feedback = answered_first.submit("3")
    assert feedback.correct and "Now do what the step asks" in feedback.message
    assert not answered_first.is_done()
    assert answered_first.update(LabState(selected="x")) and answered_first.is_done()
    acted_first = LessonProgress(lesson)
    assert not acted_first.update(LabState(selected="x")) and acted_first.met == {0}
    assert not acted_first.update(LabState()) and not acted_first.is_done()  # met once is enough
    assert acted_first.submit("3").message == "Right: 3." and acted_first.is_done()
