"""The estate audit's reports: one model, several formats, suppressions and a baseline.

* :mod:`.model`: :class:`EstateReport` and :func:`build_report` (suppressions, then the
  baseline, then the one gate);
* :mod:`.suppressions`, :mod:`.baseline`: pure functions over findings (and a ``today``);
* :mod:`.formats`: the renderers (``table``, :mod:`.json_report`, :mod:`.junit`,
  :mod:`.github`, :mod:`.markdown`, :mod:`.html`), each of the same model;
* :mod:`.outputs`: ``--report FORMAT=PATH`` checked up front and written atomically;
  :mod:`.progress`: targets done on a terminal; :mod:`.escape`: XML and HTML text.

It reads the audit's models and never the Pulumi adapters or the command line. Import the
modules themselves: this package imports nothing, so the command line pays for the renderers
only when an estate audit runs.
"""
