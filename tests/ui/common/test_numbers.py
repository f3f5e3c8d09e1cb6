"""Number boxes read '.' and the locale's decimal point, and refuse what could mean two numbers:
typed through the keyboard, as a learner would."""

import pytest
from PySide6.QtCore import QLocale, Qt

from gradlab.numfmt import read_number
from gradlab.ui.common.numbers import NumberSpinBox, WholeSpinBox
from gradlab.ui.expression.sliders import NumberBox

ENGLISH = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
GERMAN = QLocale(QLocale.Language.German)


def test_read_number_takes_both_decimal_points_and_never_guesses() -> None:
    assert read_number("1.5") == 1.5 and read_number(" -3e-4 ") == -3e-4 and read_number("1_000") == 1000
    assert read_number("1,5", ",", ".") == 1.5 and read_number("1.5", ",", ".") == 1.5
    for text, point, group in (("1,5", ".", ","), ("1.000,5", ",", "."), ("abc", ".", ","), ("", ".", ",")):
        with pytest.raises(ValueError, match="not a number"):
            read_number(text, point, group)


def type_into(qtbot, box, text: str) -> None:
    edit = box.lineEdit() if hasattr(box, "lineEdit") else box
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


@pytest.mark.parametrize(("locale", "typed", "value"), [
    (ENGLISH, "1.5", 1.5), (ENGLISH, "1,5", None), (GERMAN, "1,5", 1.5), (GERMAN, "1.5", 1.5),
    (ENGLISH, "7", None),  # out of range: refused with the range, not clamped
])
def test_a_decimal_box_reads_the_locale_and_refuses_with_a_message(qtbot, locale, typed, value) -> None:
    box = NumberSpinBox(minimum=0.0, maximum=5.0, decimals=3, value=0.25)
    box.setLocale(locale)
    qtbot.addWidget(box)
    box.show()
    wanted = value is None
    refused = qtbot.waitSignal(box.refused, timeout=1000) if wanted else qtbot.assertNotEmitted(box.refused)
    with refused:
        type_into(qtbot, box, typed)
    if value is None:
        assert box.value() == 0.25 and box.problem  # kept, and says why
        assert ("0 to 5" in box.problem) if typed == "7" else "'1,5' is not a number" in box.problem
    else:
        assert box.value() == value and box.problem == ""


def test_a_whole_number_box_refuses_1_5_written_either_way(qtbot) -> None:
    box = WholeSpinBox(minimum=0, maximum=100, value=3)
    box.setLocale(ENGLISH)
    qtbot.addWidget(box)
    box.show()
    for typed in ("1,5", "2.5"):
        with qtbot.waitSignal(box.refused, timeout=1000):
            type_into(qtbot, box, typed)
        assert box.value() == 3
    type_into(qtbot, box, "15")
    assert box.value() == 15 and box.problem == ""


def test_a_special_value_is_read_by_its_name(qtbot) -> None:
    box = WholeSpinBox(minimum=0, maximum=10, value=4)
    box.setSpecialValueText("off")
    qtbot.addWidget(box)
    type_into(qtbot, box, "off")
    assert box.value() == 0 and box.problem == ""


def test_the_slider_value_box_refuses_1_5_instead_of_reading_15(qtbot) -> None:
    box = NumberBox()
    box.setLocale(ENGLISH)
    qtbot.addWidget(box)
    box.setValue(2.0)
    with qtbot.assertNotEmitted(box.value_entered):
        type_into(qtbot, box, "1,5")
    assert box.value() == 2.0 and "'1,5' is not a number" in box.toolTip()
    box.setLocale(GERMAN)
    with qtbot.waitSignal(box.value_entered) as got:
        type_into(qtbot, box, "1,5")
    assert got.args == [1.5]
