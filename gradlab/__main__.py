"""``python -m gradlab``: the app, or ``python -m gradlab run FILE`` on the command line."""
from gradlab.app import main

raise SystemExit(main())
