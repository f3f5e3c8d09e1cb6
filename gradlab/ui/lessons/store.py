"""Where lesson progress is kept between launches: the app's settings (gradlab.ui.settings).

One JSON object under ``lessons/progress`` maps each lesson's name to its progress
(``LessonProgress.to_dict()``, plus ``"complete": true`` once every step was done), so Help >
Lessons can show "step k of n" or "complete" for each; ``lessons/offered`` remembers that the
first lesson was offered at a first launch.
"""

from __future__ import annotations

import json

from gradlab.ui.settings import settings

__all__ = ["LessonStore"]

PROGRESS_KEY = "lessons/progress"
OFFERED_KEY = "lessons/offered"


class LessonStore:
    """Progress of every lesson the learner opened, kept in the app's settings."""

    def all(self) -> dict[str, dict]:
        """Lesson name -> its saved progress; {} when nothing (or something unreadable) is kept."""
        raw = settings().value(PROGRESS_KEY, "")
        try:
            data = json.loads(raw) if isinstance(raw, str) and raw else {}
        except ValueError:
            return {}
        return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}

    def saved(self, name: str) -> dict | None:
        """The progress kept for lesson ``name``, or None."""
        return self.all().get(name)

    def save(self, name: str, progress: dict, complete: bool) -> None:
        """Keep ``progress`` for lesson ``name``; once complete, the lesson stays complete."""
        data = self.all()
        was_complete = bool(data.get(name, {}).get("complete"))
        data[name] = dict(progress, complete=complete or was_complete)
        store = settings()
        store.setValue(PROGRESS_KEY, json.dumps(data))
        store.sync()

    def is_complete(self, name: str) -> bool:
        return bool((self.saved(name) or {}).get("complete"))

    def offered(self) -> bool:
        """The first lesson was offered already (at a first launch)."""
        return str(settings().value(OFFERED_KEY, "false")).lower() == "true"

    def set_offered(self, offered: bool = True) -> None:
        store = settings()
        store.setValue(OFFERED_KEY, "true" if offered else "false")
        store.sync()
