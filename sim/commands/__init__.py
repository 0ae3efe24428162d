"""One module per ``sim`` sub-command; each exposes ``register(subparsers)``.

A command's ``run(args) -> int`` returns the exit code, an ``ExitCode``
(``sim.exit_codes``); raising ScenarioError is the way to report bad input
(``sim.cli`` prints it and exits INVALID_INPUT, or USAGE for a missing file).
"""
