from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from cases import workflow
from cases.choices import State
from cases.management.commands.workflow_diagram import (
    END_MARKER,
    START_MARKER,
    edges,
    mermaid,
)
from cases.models import Case
from cases.transitions import SPECS

DOCUMENT = Path(settings.BASE_DIR) / "docs" / "workflow.md"


def _transitions() -> list[tuple[str, str, str]]:
    field = Case._meta.get_field("state")
    return [(str(t.source), str(t.target), t.name) for t in field.get_all_transitions(Case)]


def test_the_committed_document_is_up_to_date() -> None:
    out = StringIO()
    call_command("workflow_diagram", "--check", stdout=out)
    assert "up to date" in out.getvalue()


def test_the_readme_shows_the_current_diagram() -> None:
    readme = Path(__file__).resolve().parents[2] / "README.md"
    out = StringIO()
    call_command("workflow_diagram", "--check", "--file", str(readme), stdout=out)
    assert "up to date" in out.getvalue()


def test_the_committed_document_shows_the_diagram() -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    assert f"{START_MARKER}\n" in text and END_MARKER in text
    assert f"```mermaid\n{mermaid()}```" in text


def test_every_state_appears() -> None:
    diagram = mermaid()
    for value, _label in State.choices:
        assert f" as {value}\n" in diagram
    assert f"[*] --> {State.RECEIVED}\n" in diagram
    assert f"{State.DESTROYED} --> [*]\n" in diagram


def test_every_transition_appears_once_with_who_performs_it() -> None:
    diagram = mermaid()
    performer = {"handle_case": "advisor", "review_case": "committee", None: "coordinator"}
    by_method = {spec.method: spec for spec in SPECS.values()}
    transitions = _transitions()
    assert len(transitions) == len(edges())
    for source, target, name in transitions:
        who = performer[by_method[name].codename]
        assert diagram.count(f"    {source} --> {target}: {name} ({who})\n") == 1


def test_the_referral_rules_appear_by_name() -> None:
    diagram = mermaid()
    for rule in workflow.REFERRAL_RULES:
        assert f"        {rule.name}\n" in diagram


def test_the_diagram_is_deterministic() -> None:
    assert mermaid() == mermaid()
    out = StringIO()
    call_command("workflow_diagram", stdout=out)
    assert out.getvalue() == mermaid()
    assert out.getvalue().startswith("stateDiagram-v2\n")


def test_check_fails_on_a_stale_document_and_write_repairs_it(tmp_path: Path) -> None:
    copy = tmp_path / "workflow.md"
    shutil.copy(DOCUMENT, copy)
    stale = copy.read_text(encoding="utf-8").replace("decide (committee)", "decide (anyone)")
    copy.write_text(stale, encoding="utf-8")
    with pytest.raises(CommandError, match="stale") as raised:
        call_command("workflow_diagram", "--check", "--file", str(copy))
    assert raised.value.returncode == 1

    call_command("workflow_diagram", "--write", "--file", str(copy), stdout=StringIO())
    assert copy.read_text(encoding="utf-8") == DOCUMENT.read_text(encoding="utf-8")
    call_command("workflow_diagram", "--check", "--file", str(copy), stdout=StringIO())


def test_write_keeps_the_text_around_the_markers(tmp_path: Path) -> None:
    copy = tmp_path / "workflow.md"
    copy.write_text(f"# Intro\n\n{START_MARKER}\nold\n{END_MARKER}\n\nAfter.\n",
                    encoding="utf-8")
    call_command("workflow_diagram", "--write", "--file", str(copy), stdout=StringIO())
    text = copy.read_text(encoding="utf-8")
    assert text.startswith(f"# Intro\n\n{START_MARKER}\n")
    assert text.endswith(f"```\n{END_MARKER}\n\nAfter.\n")
    assert "\nold\n" not in text


def test_a_document_without_markers_is_an_error(tmp_path: Path) -> None:
    copy = tmp_path / "workflow.md"
    copy.write_text("# No markers here\n", encoding="utf-8")
    with pytest.raises(CommandError, match="markers"):
        call_command("workflow_diagram", "--check", "--file", str(copy))
