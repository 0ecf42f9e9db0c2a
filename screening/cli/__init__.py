"""The `screening` command line: one Typer app, one module per command group.

Commands parse their options, call the core, and render. Errors of the user or the data are
:class:`~screening.errors.ScreeningError` and are shown here, in one place, on stderr. Heavy
libraries (pydantic, yaml, questionary, rich) are imported inside the commands that need them, so
``screening --help`` starts fast.
"""

from __future__ import annotations

import errno
import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup

from screening import __version__
from screening.cli import cases as cases_cli
from screening.cli import export as export_cli
from screening.cli import indicators as indicators_cli
from screening.cli import interview as interview_cli
from screening.cli import keys as keys_cli
from screening.cli import schema as schema_cli
from screening.cli import score as score_cli
from screening.cli import store as store_cli
from screening.cli import train as train_cli
from screening.cli import translations as translations_cli
from screening.cli import validate as validate_cli
from screening.cli.environment import Environment, current, using
from screening.errors import ExitStatus, ScreeningError


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


app = typer.Typer(
    name="screening",
    cls=_Root,
    help=(
        "First-responder screening for human trafficking: interview a worker with a "
        "questionnaire, derive the ILO indicators, and export a referral as JSON.\n\n"
        "Example: screening interview --officer epc-017 --lang ar"
    ),
    no_args_is_help=True,
    add_completion=False,
    # Markdown joins the lines of a docstring paragraph, so help text wraps to the terminal.
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,  # never show tracebacks with locals (personal data)
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"screening {__version__}")
        raise typer.Exit()


@app.callback()
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


interview_cli.register(app)
score_cli.register(app)
validate_cli.register(app)
schema_cli.register(app)
app.add_typer(indicators_cli.app, name="indicators")
app.add_typer(train_cli.app, name="train")
app.add_typer(cases_cli.app, name="cases")
app.add_typer(export_cli.app, name="export")
app.add_typer(store_cli.app, name="store")
app.add_typer(translations_cli.app, name="translations")
app.add_typer(keys_cli.app, name="keys")
app.command("open")(keys_cli.open_sealed)


def command() -> TyperGroup:
    """The app as a click group whose commands are built when first used (the same commands
    as ``typer.main.get_command(app)``, which builds every one of them up front)."""
    from typer.main import (
        get_command_from_info,
        get_group,
        get_group_from_info,
        solve_typer_info_defaults,
    )

    shell = typer.Typer()
    shell.__dict__.update(app.__dict__)
    shell.registered_commands, shell.registered_groups = [], []
    root = get_group(shell)
    assert isinstance(root, _Root)
    options: dict[str, Any] = {
        "pretty_exceptions_short": app.pretty_exceptions_short,
        "rich_markup_mode": app.rich_markup_mode,
    }
    makers: dict[str, Callable[[], Any]] = {}
    summaries: dict[str, TyperCommand] = {}
    for info in app.registered_commands:
        assert info.callback is not None
        name = info.name or info.callback.__name__.lower().replace("_", "-")
        makers[name] = functools.partial(get_command_from_info, info, **options)
        text = info.help
        summaries[name] = TyperCommand(
            name=name,
            help=inspect.getdoc(info.callback) if text is None else inspect.cleandoc(text),
            short_help=info.short_help,
            hidden=info.hidden,
            deprecated=info.deprecated,
            rich_help_panel=info.rich_help_panel,
        )
    for group in app.registered_groups:
        solved = solve_typer_info_defaults(group)
        assert solved.name
        makers[solved.name] = functools.partial(
            get_group_from_info,
            group,
            suggest_commands=app.suggest_commands,
            **options,
        )
        summaries[solved.name] = TyperCommand(
            name=solved.name,
            help=solved.help,
            short_help=solved.short_help,
            hidden=solved.hidden,
            deprecated=solved.deprecated,
            rich_help_panel=solved.rich_help_panel,
        )
    root.commands = _Commands(makers)  # type: ignore[assignment]
    root.summaries = summaries
    return root


def report(error: ScreeningError, env: Environment | None = None) -> None:
    """Show an error on stderr: ``screening: error: ...``, then its other lines."""
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
    except ScreeningError as error:
        report(error, env)
        sys.exit(int(error.exit_code))
    except KeyboardInterrupt:
        env.stderr.write("\nscreening: interrupted\n")
        sys.exit(ExitStatus.INTERRUPTED)
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRORS or env.debug:
            _internal(exc, env)
        _silence_stdout(env)
        if exc.errno != errno.EPIPE:  # a reader that stops early (`| head`) is no error to show
            env.stderr.write(
                f"screening: error: cannot write the output: {os.strerror(exc.errno)}; check "
                "the disk, or write the output elsewhere\n"
            )
        sys.exit(ExitStatus.ERROR)
    except Exception as exc:
        _internal(exc, env)


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
    if env.debug:
        raise exc
    env.stderr.write(
        f"screening: internal error: {type(exc).__name__}. This is a bug; nothing you "
        "answered is lost. Run again with --debug for details and report it.\n"
    )
    sys.exit(ExitStatus.ERROR)
