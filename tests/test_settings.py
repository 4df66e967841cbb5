"""Settings: defaults, the environment, overrides for tests, and the docs that list them."""

from pathlib import Path

import pytest

from etl import settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_when_the_environment_is_empty():
    s = settings.from_environment({})
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("data/warehouse.sqlite")
    assert s.min_cell == 5 and s.default_lang == "fr" and s.pseudonym_key == ""


def test_environment_overrides_defaults():
    s = settings.from_environment({"IMPACT_MIN_CELL": "10", "DATABASE_URL": "sqlite:///x.db",
                                   "IMPACT_LANG": "en", "IMPACT_ENV": "production"})
    assert (s.min_cell, s.database_url, s.default_lang) == (10, "sqlite:///x.db", "en")
    assert s.is_production and s.cookies_secure


@pytest.mark.parametrize("env, message", [({"IMPACT_MIN_CELL": "five"}, "whole number"),
                                          ({"IMPACT_MIN_CELL": "0"}, "at least 1"),
                                          ({"IMPACT_LANG": "de"}, "fr or en")])
def test_bad_values_are_refused_with_a_clear_message(env, message):
    with pytest.raises(settings.SettingsError, match=message):
        settings.from_environment(env)


def test_tests_override_without_touching_the_environment(monkeypatch):
    monkeypatch.setenv("IMPACT_MIN_CELL", "7")
    settings.configure(settings.Settings(min_cell=3))
    try:
        assert settings.get_settings().min_cell == 3
    finally:
        settings.configure(None)
    assert settings.get_settings().min_cell == 7
    settings.configure(None)


def test_every_setting_is_documented_in_the_readme_and_env_example():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for setting in settings.SETTINGS.values():
        assert f"`{setting.env}`" in readme, setting.env
        assert f"{setting.env}=" in example, setting.env


def test_every_command_is_in_the_readme():
    from impact.cli import cli

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"impact {name}" in readme, name
