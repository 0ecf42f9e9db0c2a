"""`screening store`: set up a centre's shared case register on PostgreSQL."""

from __future__ import annotations

from typing import Annotated

import typer

from screening.cli.environment import current

app = typer.Typer(
    help=(
        "The shared case register of a centre on PostgreSQL: its tables, roles and "
        "row-level security.\n\n"
        "Example: screening store init --store postgresql://admin@db.centre.local/screening"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)


@app.command("init")
def init(
    where: Annotated[
        str | None,
        typer.Option(
            "--store",
            envvar="SCREENING_STORE",
            metavar="URL",
            help="The database, postgresql://USER@HOST/DATABASE (libpq conventions: PGHOST, "
            "PGUSER, ~/.pgpass, a Unix socket). Env: SCREENING_STORE.",
            show_envvar=False,
        ),
    ] = None,
) -> None:
    """Create the tables, the roles screening_officer, screening_supervisor and
    screening_auditor, their grants and the row-level security policies; prints what it
    created. Safe to run again: it creates only what is missing.

    Run it as the database's owner with the right to create roles (or a superuser). Then make
    each officer's login a member of one role: CREATE ROLE epc017 LOGIN IN ROLE
    screening_officer. See docs/storage.md.

    Example: screening store init --store postgresql://admin@db.centre.local/screening
    """
    from screening.errors import UsageError
    from screening.store.postgres import init_store, is_url

    if not where or not is_url(where):
        raise UsageError(
            "screening store init needs the URL of a PostgreSQL database",
            hint="Give --store postgresql://USER@HOST/DATABASE (or set SCREENING_STORE); an "
            "SQLite store in a folder needs no setting up.",
        )
    shown, created = init_store(where)
    if created:
        current().stdout.write(f"set up the case store at {shown}; created:\n")
        for item in created:
            current().stdout.write(f"  {item}\n")
    else:
        current().stdout.write(
            f"the case store at {shown} was set up already: nothing created, grants applied\n"
        )
    current().stdout.flush()
