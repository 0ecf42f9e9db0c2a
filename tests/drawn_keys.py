"""Keys for real prompts, pressed only once each prompt is on the screen.

The prompter discards keys pressed before a prompt is drawn (typed ahead), as an officer's
terminal would have them. So tests do not put keys in the pipe before asking: a
:class:`KeysOutput` sends the next chunk of keys when a prompt has been drawn, as an officer
who reads it and then types.
"""

from __future__ import annotations

from collections.abc import Iterable

from prompt_toolkit.input.base import PipeInput  # noqa: TID251 - the test feeds the prompts keys
from prompt_toolkit.output import DummyOutput  # noqa: TID251 - the test feeds the prompts keys


class KeysOutput(DummyOutput):
    """A ``DummyOutput`` that keeps the text written to it and types for the officer.

    Args:
        pipe: Where the keys go.
        chunks: Keys to press, one chunk for each prompt drawn, in order.
        rows: The height of the pretended terminal.
    """

    def __init__(
        self, pipe: PipeInput | None = None, chunks: Iterable[str] = (), rows: int = 40
    ) -> None:
        self.pipe = pipe
        self.chunks = list(chunks)
        self.text = ""
        self.prompts = 0  # prompts drawn so far
        self.rows = rows
        self._drawn = False

    def type(self, *chunks: str) -> None:
        """Queue keys for the next prompts, a chunk for each."""
        self.chunks += chunks

    def write(self, data: str) -> None:
        self.text += data

    def write_raw(self, data: str) -> None:
        self.text += data

    def enable_bracketed_paste(self) -> None:
        # prompt_toolkit calls this once per prompt, as it draws the prompt the first time
        self._drawn = True

    def flush(self) -> None:
        if self._drawn:
            self._drawn = False
            self.prompts += 1
            if self.pipe is not None:
                # past the last chunk, the end of input (Ctrl-D): a test ends, never hangs
                self.pipe.send_text(self.chunks.pop(0) if self.chunks else "\x04")

    def get_size(self):  # type: ignore[no-untyped-def]
        from prompt_toolkit.data_structures import Size  # noqa: TID251 - the test feeds the prompts keys

        return Size(rows=self.rows, columns=80)
