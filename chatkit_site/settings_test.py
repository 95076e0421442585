"""Settings for the test suite: the project's settings, read from a clean environment.

The suite must pass whatever the shell or ``.env`` it is started from holds (an admin account,
``DEBUG=true``, an OpenAI key...). So before the settings are read, every variable the project
reads (those listed in ``.env.example``) is removed from the environment, ``.env`` is not read,
and ``TESTING`` is switched on explicitly. Tests that exercise a setting set exactly what they
need. Two variables are kept because they say *where* to run, not *how* to behave:
``DATABASE_URL`` (run against another PostgreSQL) and ``CHATKIT_DATA_DIR`` (where the embedded
one lives). Subprocesses started by tests inherit this clean environment.
"""

import os
import re
from pathlib import Path

KEPT = {"DATABASE_URL", "CHATKIT_DATA_DIR"}

_example = (Path(__file__).resolve().parent.parent / ".env.example").read_text()
PROJECT_VARIABLES = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", _example, flags=re.MULTILINE))

for _name in PROJECT_VARIABLES - KEPT:
    os.environ.pop(_name, None)
os.environ["CHATKIT_DOTENV"] = "false"
os.environ["CHATKIT_TESTING"] = "true"

from chatkit_site.settings import *  # noqa: E402, F403

# Database calls of async code in the request's thread: a test's transaction is only visible
# to its own connection. (Transactional tests of the shared thread pool switch it back.)
DATABASE_CALLS_IN_REQUEST_THREAD = True
