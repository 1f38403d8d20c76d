from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_list, env_secret, env_str


def test_env_str_required_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMBUDS_X", raising=False)
    with pytest.raises(ImproperlyConfigured, match="OMBUDS_X"):
        env_str("OMBUDS_X")
    assert env_str("OMBUDS_X", "fallback") == "fallback"


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("1", True), ("off", False),
                                               ("FALSE", False), ("yes", True), ("", False)])
def test_env_bool_accepts_common_spellings(monkeypatch: pytest.MonkeyPatch, raw: str,
                                           expected: bool) -> None:
    monkeypatch.setenv("OMBUDS_FLAG", raw)
    assert env_bool("OMBUDS_FLAG", not expected) is expected


def test_env_bool_refuses_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMBUDS_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="OMBUDS_FLAG must be a boolean"):
        env_bool("OMBUDS_FLAG", False)


def test_env_int_refuses_non_numbers_and_small_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMBUDS_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="OMBUDS_N must be an integer"):
        env_int("OMBUDS_N", 1)
    monkeypatch.setenv("OMBUDS_N", "0")
    with pytest.raises(ImproperlyConfigured, match="OMBUDS_N must be at least 1"):
        env_int("OMBUDS_N", 1, minimum=1)
    monkeypatch.setenv("OMBUDS_N", "42")
    assert env_int("OMBUDS_N", 1) == 42


def test_env_list_splits_and_trims(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMBUDS_HOSTS", " a.example , b.example,, ")
    assert env_list("OMBUDS_HOSTS") == ["a.example", "b.example"]
    monkeypatch.delenv("OMBUDS_HOSTS")
    with pytest.raises(ImproperlyConfigured, match="OMBUDS_HOSTS is required"):
        env_list("OMBUDS_HOSTS")


def test_env_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMBUDS_MODE", "staging")
    with pytest.raises(ImproperlyConfigured, match="OMBUDS_MODE must be one of a, b"):
        env_choice("OMBUDS_MODE", ("a", "b"), "a")


def test_env_secret_from_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t-value\n")
    monkeypatch.delenv("OMBUDS_SECRET", raising=False)
    monkeypatch.setenv("OMBUDS_SECRET_FILE", str(secret))
    assert env_secret("OMBUDS_SECRET") == "s3cr3t-value"


def test_env_secret_errors_never_echo_the_value(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OMBUDS_SECRET", "do-not-print-me")
    monkeypatch.setenv("OMBUDS_SECRET_FILE", str(tmp_path / "x"))
    with pytest.raises(ImproperlyConfigured) as both:
        env_secret("OMBUDS_SECRET")
    assert "not both" in str(both.value) and "do-not-print-me" not in str(both.value)
    monkeypatch.delenv("OMBUDS_SECRET")
    with pytest.raises(ImproperlyConfigured, match=r"OMBUDS_SECRET_FILE points at .* be read"):
        env_secret("OMBUDS_SECRET")
    (tmp_path / "empty").write_text("  \n")
    monkeypatch.setenv("OMBUDS_SECRET_FILE", str(tmp_path / "empty"))
    with pytest.raises(ImproperlyConfigured, match="is empty"):
        env_secret("OMBUDS_SECRET")
    monkeypatch.delenv("OMBUDS_SECRET_FILE")
    with pytest.raises(ImproperlyConfigured, match="set OMBUDS_SECRET or OMBUDS_SECRET_FILE"):
        env_secret("OMBUDS_SECRET")
