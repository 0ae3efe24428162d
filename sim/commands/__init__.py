"""One module per ``sim`` sub-command; each exposes ``register(subparsers)``.

A command's ``run(args) -> int`` returns the exit code; raising ScenarioError
is the way to report bad input (``sim.cli`` prints it and exits 1, or 2 for a
missing file).
"""
