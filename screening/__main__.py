"""`python -m screening`."""

from screening.cli import main

main()
