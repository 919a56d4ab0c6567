"""``python -m service.cli``: the ``regiomatch`` command line."""

from service.cli import main

main()
