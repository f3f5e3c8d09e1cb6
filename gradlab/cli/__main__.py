"""``python -m gradlab.cli run FILE``: the command line without the app."""
from gradlab.cli import main

raise SystemExit(main())
