"""The exchange formats: one module each, written from and read into the neutral exchange form.

* :mod:`.gift`: Moodle's GIFT text (written and read);
* :mod:`.moodle_xml`: Moodle XML (written);
* :mod:`.qti`: a Canvas QTI 1.2 zip (written);
* :mod:`.jupyterquiz`: jupyterquiz JSON (written and read);
* :mod:`.text` and :mod:`.numbers`: what the LMS formats share (Markdown to LMS HTML and back,
  titles and general feedback, numbers as Moodle reads them).

A format module works on :class:`tmvlearn.quiz.exchange.Item` only: its ``export(item)`` gives an
:class:`~tmvlearn.quiz.exchange.Exported` (the data, or None, and a note on what the format loses),
and a reader gives items. It never imports the question classes, and nothing here imports
:mod:`tmvlearn.quiz.lms`, which joins formats and question types. A new format is one module here.
"""

NAMES = ("gift", "moodle_xml", "qti", "jupyterquiz")
