"""The `screening` command line: one Typer app, one module per command group.

Commands parse their options, call the core, and render. Errors of the user or the data are
:class:`~screening.errors.ScreeningError` and are shown here, in one place, on stderr. Heavy
libraries (pydantic, yaml, questionary, rich) are imported inside the commands that need them, and
a command's module only when that command runs (or its help is asked for), so ``screening
--help`` starts fast.
"""

# Without ``from __future__ import annotations``: Typer reads the root's options from the
# annotations of ``_root`` at every start, and would compile them from strings each time.

import errno
import functools
import importlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup

from screening import __version__
from screening.cli.environment import Environment, current, using

if TYPE_CHECKING:
    from screening.errors import ScreeningError


class _Commands(Mapping[str, Any]):
    """A group's commands by name, each built (its options read from its signature) when it is
    first asked for: a call builds the one command it runs, not all of them."""

    def __init__(self, makers: dict[str, Callable[[], Any]]) -> None:
        self._makers = makers
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            self._built[name] = self._makers[name]()
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


class _Root(TyperGroup):
    """The root group: commands built on first use; its help lists them from their summaries
    (name, help, panel) without building them."""

    summaries: dict[str, TyperCommand] | None = None

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self.summaries is not None and ctx.meta.get(_LISTING):
            return self.summaries.get(cmd_name)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        ctx.meta[_LISTING] = True
        try:
            super().format_help(ctx, formatter)
        finally:
            ctx.meta.pop(_LISTING, None)


_LISTING = "screening.listing"


class _Entry(NamedTuple):
    """A command (or group) of the root: where it is defined, and what the root's help lists
    for it without importing that module."""

    module: str
    """The module that defines it, imported when the command runs or shows its own help."""
    attribute: str
    """``app``: a group (a Typer app); ``register``: the module's ``register(app)`` adds it;
    else the name of the command's function."""
    summary: str
    """The first paragraph of its help, on one line, as the root's help lists it."""
    hidden: bool = False
    rich_help_panel: str | None = None
    deprecated: bool = False


_COMMANDS: dict[str, _Entry] = {
    "interview": _Entry(
        "screening.cli.interview",
        "register",
        "Interview a worker, question by question, and write the referral recommendation.",
    ),
    "score": _Entry(
        "screening.cli.score",
        "register",
        "Score answers files and print the referral recommendation as JSON.",
    ),
    "validate": _Entry(
        "screening.cli.validate",
        "register",
        "Check questionnaires: YAML, keys, types, references, skip logic, translations.",
    ),
    "schema": _Entry(
        "screening.cli.schema", "register", "Print a JSON Schema (draft 2020-12) to stdout."
    ),
    "open": _Entry(
        "screening.cli.keys", "open_sealed", "Open a sealed referral (.age) and print its JSON."
    ),
    "indicators": _Entry(
        "screening.cli.indicators",
        "app",
        "Browse indicators: meaning, strength, dimension, and the answers that reveal them.",
    ),
    "train": _Entry(
        "screening.cli.train",
        "app",
        "Trainer mode: list the worked scenarios, replay one answer by answer, let a trainee "
        "interview a scenario and see what was missed, check that every scenario scores as it "
        "expects.",
    ),
    "cases": _Entry(
        "screening.cli.cases",
        "app",
        "The case store: list, show, export, delete, verify and purge the screening cases "
        "saved by `screening interview`.",
    ),
    "export": _Entry("screening.cli.export", "app", "Export a questionnaire for other tools."),
    "store": _Entry(
        "screening.cli.store",
        "app",
        "The shared case register of a centre on PostgreSQL: its tables, roles and "
        "row-level security.",
    ),
    "translations": _Entry(
        "screening.cli.translations",
        "app",
        "Translate questionnaires with PO files (Poedit, Weblate, any gettext tool): export "
        "the texts of a language, import the translated file, see how far each language is.",
    ),
    "keys": _Entry(
        "screening.cli.keys",
        "app",
        "Encryption at rest: the data key of a case store and who holds it (a passphrase, a "
        "recovery key, a key file). Losing every key loses the data.",
    ),
}
"""The root's commands, in the order of its help: the commands, then the groups (as Typer
lists them). A test checks every entry against the command its module defines."""


def _register(name: str, target: typer.Typer) -> None:
    """Add the command (or group) ``name`` to ``target``, importing its module."""
    entry = _COMMANDS[name]
    module = importlib.import_module(entry.module)
    if entry.attribute == "app":
        target.add_typer(module.app, name=name)
    elif entry.attribute == "register":
        module.register(target)
    else:
        target.command(name)(getattr(module, entry.attribute))


_SETTINGS: dict[str, Any] = {
    "name": "screening",
    "cls": _Root,
    "help": (
        "First-responder screening for human trafficking: interview a worker with a "
        "questionnaire, derive the ILO indicators, and export a referral as JSON.\n\n"
        "Example: screening interview --officer epc-017 --lang ar"
    ),
    "no_args_is_help": True,
    "add_completion": False,
    # Markdown joins the lines of a docstring paragraph, so help text wraps to the terminal.
    "rich_markup_mode": "markdown",
    "pretty_exceptions_enable": False,  # never show tracebacks with locals (personal data)
    "pretty_exceptions_show_locals": False,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}

_ROOT = typer.Typer(**_SETTINGS)
"""The root alone (its options), without its commands: :func:`command` adds them lazily."""


def _version(value: bool) -> None:
    if value:
        typer.echo(f"screening {__version__}")
        raise typer.Exit()


@_ROOT.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an unexpected error.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    if debug:
        current().debug = True


def _app() -> typer.Typer:
    """The whole app, every command module imported and every command registered."""
    whole = typer.Typer(**_SETTINGS)
    whole.callback()(_root)
    for name in _COMMANDS:
        _register(name, whole)
    return whole


def __getattr__(name: str) -> Any:
    """``screening.cli.app``: the whole Typer app (for tools and tests that walk every command),
    made on first use; running the command line never needs it."""
    if name == "app":
        value = globals()["app"] = _app()
        return value
    raise AttributeError(f"module 'screening.cli' has no attribute {name!r}")


def _build(name: str) -> Any:
    """The click command (or group) ``name``, as Typer builds it from its registration."""
    from typer.main import get_command_from_info, get_group_from_info

    holder = typer.Typer()
    _register(name, holder)
    options: dict[str, Any] = {
        "pretty_exceptions_short": _ROOT.pretty_exceptions_short,
        "rich_markup_mode": _ROOT.rich_markup_mode,
    }
    if holder.registered_groups:
        (group,) = holder.registered_groups
        return get_group_from_info(group, suggest_commands=_ROOT.suggest_commands, **options)
    (info,) = holder.registered_commands
    return get_command_from_info(info, **options)


def command() -> TyperGroup:
    """The app as a click group whose commands are built when first used, each importing its
    module then (the same commands as ``typer.main.get_command(app)``, which imports and builds
    every one of them up front)."""
    from typer.main import get_group

    root = get_group(_ROOT)
    assert isinstance(root, _Root)
    root.commands = _Commands(  # type: ignore[assignment]
        {name: functools.partial(_build, name) for name in _COMMANDS}
    )
    root.summaries = {
        name: TyperCommand(
            name=name,
            help=entry.summary,
            hidden=entry.hidden,
            deprecated=entry.deprecated,
            rich_help_panel=entry.rich_help_panel,
        )
        for name, entry in _COMMANDS.items()
    }
    return root


def report(error: "ScreeningError", env: Environment | None = None) -> None:
    """Show an error on stderr: ``screening: error: ...``, then its other lines."""
    from screening.errors import ExitStatus, ScreeningError
    from screening.sanitize import visible

    # Messages name files, ids and values from files: nothing in them acts on the terminal.
    lines = [visible(line) for line in error.lines()]
    if isinstance(error, ScreeningError) and error.exit_code == ExitStatus.INTERRUPTED:
        prefix = "screening: "
    else:
        prefix = "screening: error: "
    from screening.ui.messages import error_lines

    error_lines((env or Environment()).messages(), prefix, lines)


def main(argv: list[str] | None = None, env: Environment | None = None) -> None:
    """Run the command line; exits with the documented exit code.

    Typer handles usage errors (exit 2) and Ctrl-C (exit 130); errors of the user or the data
    arrive here as ScreeningError and are reported in one place.

    Args:
        argv: The arguments (``sys.argv[1:]`` when ``None``).
        env: The streams and terminal to run in (the process's own when ``None``).
    """
    env = env or Environment()
    try:
        with using(env):
            command()(args=argv, prog_name="screening")
    except KeyboardInterrupt:
        from screening.errors import ExitStatus

        env.stderr.write("\nscreening: interrupted\n")
        sys.exit(ExitStatus.INTERRUPTED)
    except Exception as exc:
        _failed(exc, env)


def _failed(exc: Exception, env: Environment) -> NoReturn:
    """Report the error that ended a command, and exit with its code.

    The error tree is imported here rather than at start: a command that raises one has
    imported it already, and ``screening --help`` needs none of it.
    """
    from screening.errors import ExitStatus, ScreeningError

    if isinstance(exc, ScreeningError):
        report(exc, env)
        sys.exit(int(exc.exit_code))
    if not isinstance(exc, OSError) or exc.errno not in _OUTPUT_ERRORS or env.debug:
        _internal(exc, env)
    _silence_stdout(env)
    if exc.errno != errno.EPIPE:  # a reader that stops early (`| head`) is no error to show
        env.stderr.write(
            f"screening: error: cannot write the output: {os.strerror(exc.errno)}; check "
            "the disk, or write the output elsewhere\n"
        )
    sys.exit(ExitStatus.ERROR)


_OUTPUT_ERRORS = frozenset({errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})
"""Write errors of the output itself (a full disk, a closed pipe), not of the program."""


def _silence_stdout(env: Environment) -> None:
    """Point standard output at /dev/null, so that the flush at exit does not fail again."""
    try:
        fd = env.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a test, or already closed
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)


def _internal(exc: Exception, env: Environment) -> NoReturn:
    """Report an unexpected error (a bug) without its traceback, or re-raise it with --debug."""
    from screening.errors import ExitStatus

    if env.debug:
        raise exc
    env.stderr.write(
        f"screening: internal error: {type(exc).__name__}. This is a bug; nothing you "
        "answered is lost. Run again with --debug for details and report it.\n"
    )
    sys.exit(ExitStatus.ERROR)
