"""Check in a real terminal (tmux) that text is measured as the terminal draws it.

    python tools/script_check.py                       # every sample, at 80 and 40 columns
    python tools/script_check.py --columns 60 hi.txt   # one file, one width
    python tools/script_check.py --capture out.txt     # also keep tmux's capture of the pane
    python tools/script_check.py --widths              # and compare the measures of each sample

Each sample file (by default tests/golden/scripts/*.txt: one question per script) is wrapped with
``screening.textwidth.wrap`` and every line is printed padded with ``textwidth.pad`` and followed
by a border ``|``, inside a private tmux server (``tmux -L``, its own socket; nothing of a running
tmux is touched). After each border the program asks tmux where the cursor is (the terminal's
cursor position report, ESC [ 6 n): when the measure is right, the cursor stands just after the
border, in column ``width + 2``, on every line. Right-to-left samples are shown as
``--rtl reorder`` sends them (``screening.bidi.display_lines``).

Prints one line per sample and width with the lines that disagree, then tmux's capture of the
pane (what ``tmux capture-pane -p`` shows; the borders line up when viewed in a terminal with
fonts for the scripts). Exits 1 when a border is out of line, 2 when tmux is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "golden" / "scripts"
RTL = frozenset({"ur", "ar"})


def bordered(code: str, text: str, columns: int) -> list[str]:
    """The lines of a sample as the check prints them, each padded and followed by ``|``."""
    from screening import bidi, textwidth

    cells = textwidth.cells_from_env(os.environ)
    if code in RTL:
        lines = bidi.display_lines(text, columns, bidi.RtlMode.REORDER, rtl=True)
    else:
        lines = textwidth.wrap(text, columns, cells)
    return [textwidth.pad(line, columns, cells=cells) + "|" for line in lines]


def pane(job: Path) -> None:
    """Inside tmux: print every bordered line, ask for the cursor after it, write the columns."""
    import termios
    import tty

    request = json.loads(job.read_text(encoding="utf-8"))
    results: list[dict[str, object]] = []
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    tty.setraw(fd)

    def cursor_column() -> int:
        os.write(1, b"\x1b[6n")
        reply = b""
        while not reply.endswith(b"R"):
            reply += os.read(fd, 1)
        return int(reply[reply.rindex(b";") + 1 : -1])

    try:
        # each whole sample on one line (columns 0), the line erased after it
        for sample in request["samples"]:
            os.write(1, b"\x1b[H\x1b[2K" + sample["text"].encode("utf-8"))
            results.append({"code": sample["code"], "columns": 0, "column": cursor_column()})
        os.write(1, b"\x1b[2J\x1b[H")
        for sample in request["samples"]:
            for columns in request["columns"]:
                for line in bordered(sample["code"], sample["text"], columns):
                    os.write(1, line.encode("utf-8"))
                    results.append(
                        {"code": sample["code"], "columns": columns, "column": cursor_column()}
                    )
                    os.write(1, b"\r\n")
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    Path(request["out"]).write_text(json.dumps(results), encoding="utf-8")


def run(
    files: list[Path], widths: list[int], timeout: float = 60
) -> tuple[list[dict[str, object]], str]:
    """Run the pane program in a private tmux server; its results and the pane's capture."""
    samples = [
        {"code": path.stem, "text": path.read_text(encoding="utf-8").strip()} for path in files
    ]
    from screening.textwidth import width

    pane_width = max(120, *(width(s["text"]) + 10 for s in samples))
    height = 2 + sum(len(bordered(s["code"], s["text"], w)) for s in samples for w in widths)
    with tempfile.TemporaryDirectory() as folder:
        job, out = Path(folder) / "job.json", Path(folder) / "out.json"
        job.write_text(
            json.dumps({"samples": samples, "columns": widths, "out": str(out)}),
            encoding="utf-8",
        )
        socket = f"screening-script-check-{os.getpid()}"
        executable = shutil.which("tmux")
        if executable is None:
            raise FileNotFoundError("tmux is not installed")
        env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        env.pop("TMUX", None)  # a server of its own, even when run from inside tmux

        def tmux(*args: str) -> str:
            # a fixed argument list, nothing of it from outside the program
            done = subprocess.run(  # noqa: S603
                [executable, "-u", "-L", socket, "-f", os.devnull, *args],
                check=True,
                env=env,
                timeout=timeout,
                capture_output=True,
                text=True,
            )
            return done.stdout

        script = [sys.executable, str(Path(__file__).resolve()), "--pane", str(job)]
        command = (
            f"cd {shlex.quote(str(ROOT))} && {shlex.join(script)}; "
            f"{shlex.quote(executable)} -L {socket} wait-for -S done; sleep 60"
        )
        try:
            tmux("new-session", "-d", "-x", str(pane_width), "-y", str(max(height, 10)), command)
            tmux("wait-for", "done")
            capture = tmux("capture-pane", "-p", "-J")
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                tmux("kill-server")
        results: list[dict[str, object]] = json.loads(out.read_text(encoding="utf-8"))
    return results, capture


def print_widths(files: list[Path], results: list[dict[str, object]]) -> None:
    """A Markdown table: each whole sample as tmux draws it and as each measure counts it."""
    from rich.cells import cell_len  # noqa: TID251 - rich's measure, for comparison
    from wcwidth import width as wcwidth_width

    from screening.textwidth import Cells, clusters, width

    print(
        "| sample | code points | clusters | tmux | textwidth (tmux) | textwidth | wcwidth.width | rich cell_len |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for path in files:
        text = path.read_text(encoding="utf-8").strip()
        shown = next(r["column"] for r in results if r["code"] == path.stem and r["columns"] == 0)
        figures = [
            len(text),
            len(clusters(text)),
            int(str(shown)) - 1,
            width(text, Cells.TMUX),
            width(text),
            wcwidth_width(text),
            cell_len(text),
        ]
        print(f"| {path.stem} | " + " | ".join(str(f) for f in figures) + " |")
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="sample files (one text each)")
    parser.add_argument("--columns", type=int, action="append", help="widths (80 and 40)")
    parser.add_argument("--capture", type=Path, help="write the pane's capture to this file")
    parser.add_argument(
        "--widths", action="store_true", help="also compare measures of each whole sample"
    )
    parser.add_argument("--pane", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.pane:
        pane(args.pane)
        return 0
    if shutil.which("tmux") is None:
        print("script_check: tmux is not installed", file=sys.stderr)
        return 2
    files = args.files or sorted(p for p in SAMPLES.glob("*.txt") if "-" not in p.stem)
    widths = args.columns or [80, 40]
    results, capture = run(files, widths)
    if args.widths:
        print_widths(files, results)
    failed = 0
    for path in files:
        for columns in widths:
            found = [
                r["column"] for r in results if r["code"] == path.stem and r["columns"] == columns
            ]
            wrong = [i + 1 for i, column in enumerate(found) if column != columns + 2]
            failed += len(wrong)
            status = f"out of line: lines {wrong}" if wrong else "borders in line"
            print(f"{path.stem} at {columns}: {len(found)} lines, {status}")
    print()
    print(capture.rstrip("\n"))
    if args.capture:
        args.capture.write_text(capture, encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
