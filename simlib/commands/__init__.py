"""The CLI's commands, one module each with ``add_parser(sub)`` and its ``cmd_*`` function;
:mod:`simlib.cli` registers them and holds ``main``."""
