"""Allow ``python -m leadtool``."""

from leadtool.cli import main

main()
