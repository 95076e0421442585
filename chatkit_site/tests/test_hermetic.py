"""The suite runs on a clean copy of the environment, whatever the caller's shell or .env hold."""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.conf import settings

from chatkit_site.settings_test import KEPT, PROJECT_VARIABLES

BASE_DIR = Path(__file__).resolve().parents[2]


def test_every_variable_the_settings_read_is_listed_in_env_example():
    source = "\n".join(path.read_text() for path in (BASE_DIR / "chatkit_site").glob("settings*.py"))
    read = set(re.findall(r'env_\w+\(\s*"([A-Z][A-Z0-9_]*)"', source))

    assert read
    assert read <= PROJECT_VARIABLES, sorted(read - PROJECT_VARIABLES)


def test_no_project_variable_of_the_callers_environment_reaches_the_tests():
    leaked = {name for name in PROJECT_VARIABLES - KEPT if name in os.environ}

    assert leaked <= {"CHATKIT_DOTENV", "CHATKIT_TESTING"}
    assert os.environ["CHATKIT_DOTENV"] == "false"


def test_the_test_configuration_switches_testing_on_explicitly():
    assert settings.TESTING is True
    assert settings.DEBUG is False
    assert settings.ADMIN_EMAIL is None
    assert settings.OPENAI_API_KEY is None
