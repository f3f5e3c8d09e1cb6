"""Launch gradlab: ``python main.py [FILE]``."""
from gradlab.app import main

raise SystemExit(main())
