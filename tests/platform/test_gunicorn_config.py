"""The web processes' settings load as gunicorn reads them, and a forked worker starts with an empty
database pool."""

from __future__ import annotations

import runpy
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_the_settings_read_by_gunicorn(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    settings = runpy.run_path(str(CONFIG))
    assert settings["workers"] == 3 and settings["timeout"] == 30 and settings["preload_app"] is True
    assert callable(settings["post_fork"])


def test_one_worker_a_core_unless_told(monkeypatch):
    """Without WEB_CONCURRENCY, as many workers as the machine has cores (the benchmark's finding)."""
    import multiprocessing

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert runpy.run_path(str(CONFIG))["workers"] == multiprocessing.cpu_count()


def test_gunicorn_accepts_the_file():
    from gunicorn.config import Config

    config = Config()
    for name, value in runpy.run_path(str(CONFIG)).items():
        if name in config.settings:
            config.set(name, value)
    assert config.timeout == 30 and config.preload_app is True and config.post_fork.__name__ == "post_fork"
