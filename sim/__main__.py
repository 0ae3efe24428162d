"""``python -m sim ...``: the ``sim`` command."""

import sys

if __name__ == "__main__":
    try:
        from sim.cli import main
    except KeyboardInterrupt:  # Ctrl-C while the modules load: quietly, as ``sim`` does
        sys.exit(130)
    sys.exit(main())
