"""The project's settings, with the baseline's URLs only."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_intake.urls"
