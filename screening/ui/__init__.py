"""The terminal layer: the only package that imports rich, questionary and prompt_toolkit.

- :mod:`~screening.ui.view`: the one :class:`~screening.ui.view.View` (console, languages,
  direction, shaping, wrapping, paging, sanitising) and :func:`~screening.ui.view.make_console`;
- :mod:`~screening.ui.prompts`: the prompts (select, checkbox, text) over questionary;
- one module per screen family: :mod:`~screening.ui.interview`, :mod:`~screening.ui.summary`,
  :mod:`~screening.ui.cases`, :mod:`~screening.ui.training`, :mod:`~screening.ui.indicators`
  and :mod:`~screening.ui.score`.

Nothing is imported here, so that ``screening --help`` loads none of these libraries.
"""
