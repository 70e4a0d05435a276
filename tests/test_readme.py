"""The README cannot drift from the code (issue 11, item 7; as sqlite-utils tests its docs).

Every command line of the README's ```sh blocks, and every `$ command` heading a transcript, is
run here, or is a synopsis checked against the CLI's parser, or is listed in NOT_RUN with the
reason; a command that is none of these fails `test_every_readme_command_is_run_or_listed`.
`sla-dashboard` examples run in process on both databases, in a scratch folder holding what
their relative paths name and a database holding the bundled sample; where the README shows
their output, the real output has the same lines, numbers aside. Every subcommand and option
is named in the README, and every `make` target it quotes exists.
"""

from __future__ import annotations

import argparse
import csv
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from dashboard import cli
from dashboard.importing import load_sample_if_empty
from dashboard.policy import load_policy
from dashboard.store import open_database

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

# Commands the README shows that a test cannot run, with the reason. Each must still be in the
# README (test_every_listed_command_is_still_in_the_readme), so the list cannot go stale.
NOT_RUN = {
    "make run": "starts the dashboard and serves until stopped (tests/test_browser.py starts it)",
    "make test": "runs lint and this whole test suite",
    "make test-fast": "runs lint and this test suite's fast part",
    "make bench": "benchmarks on 1M rows: minutes",
    "make bench-quick": "benchmarks: minutes",
    "make bench-compare OLD=main~3": (
        "benchmarks on two commits: minutes (tests/test_benchmarks.py runs benchmarks.compare)"
    ),
    "export SLA_DATABASE_URL='postgresql+psycopg://sla:PASSWORD@db.internal/sla'": (
        "names the reader's own PostgreSQL server"
    ),
    "export SLA_POLICY_PATH=/etc/sla-dashboard/policy.toml": "names the reader's own policy file",
    "export SLA_REQUIRE_SIGN_IN=1": "a setting for the reader's server",
    "export SLA_ACCESS_PATH=/etc/sla-dashboard/access.toml": "names the reader's own roles file",
    ".venv/bin/streamlit run dashboard/app.py --server.headless true --server.port 8501 "
    "--server.address 127.0.0.1": (
        "starts the dashboard and serves until stopped (tests/test_browser_sign_in.py starts it "
        "so, requiring sign-in)"
    ),
}


def cli_parser() -> argparse.ArgumentParser:
    """The `sla-dashboard` parser: the one line to adapt if the CLI moves."""
    return cli.build_parser()


def subcommands() -> dict[str, argparse.ArgumentParser]:
    [choices] = [a.choices for a in cli_parser()._actions
                 if isinstance(a, argparse._SubParsersAction)]  # fmt: skip
    return dict(choices)


def options_of(command: argparse.ArgumentParser) -> list[tuple[str, ...]]:
    """Each option's spellings (`-o`, `--output`), leaving out --help."""
    return [tuple(a.option_strings) for a in command._actions
            if a.option_strings and not isinstance(a, argparse._HelpAction)]  # fmt: skip


# -- reading the README ------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """One command as the README writes it: continuations joined, the trailing comment apart."""

    line: int  # where it starts in README.md
    text: str
    comment: str = ""
    output: tuple[str, ...] | None = None  # the transcript under a `$ command`, if shown

    @property
    def is_synopsis(self) -> bool:
        return self.text.startswith("sla-dashboard ") and "[" in self.text

    def runs(self) -> list[str]:
        """The command, then one variant per alternative its comment names (`# or .html`)."""
        variants = [self.text]
        alternatives = re.fullmatch(r"or ((?:\.\w+)(?:, \.\w+)*)", self.comment)
        if alternatives:
            [shown] = [t for t in shlex.split(self.text) if re.search(r"\.\w+$", t)][-1:]
            suffix = Path(shown).suffix
            variants += [self.text.replace(shown, shown.removesuffix(suffix) + alt)
                         for alt in alternatives[1].split(", ")]  # fmt: skip
        return variants

    def expected_status(self) -> int:
        """0, unless the comment says the example fails (`# exit status 2`)."""
        stated = re.search(r"exit status (\d+)", self.comment)
        return int(stated[1]) if stated else 0


def _fenced_blocks(lines: list[str]):
    """(language, first line number, lines) for each fenced block, also one indented under a
    list item (its lines taken without the indent)."""
    block, language, start, indent = None, "", 0, 0
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            if block is None:
                indent = len(line) - len(line.lstrip())
                block, language, start = [], line.strip()[3:].strip(), number + 1
            else:
                yield language, start, block
                block = None
        elif block is not None:
            block.append(line[indent:] if line[:indent].isspace() else line)


def _split_comment(line: str) -> tuple[str, str]:
    """`cmd  # note` -> ('cmd', 'note'); a # inside quotes is not a comment."""
    for match in re.finditer(r"\s#\s?", line):
        head = line[: match.start()]
        try:
            shlex.split(head)
        except ValueError:  # an open quote: the # is inside it
            continue
        return head.rstrip(), line[match.end() :].strip()
    return line.rstrip(), ""


def readme_commands() -> list[Command]:
    lines = README.read_text(encoding="utf-8").splitlines()
    commands: list[Command] = []
    for language, start, block in _fenced_blocks(lines):
        if language == "sh":
            pending: list[str] = []
            for offset, raw in enumerate(block):
                text, comment = _split_comment(raw)
                if not text.strip() or text.lstrip().startswith("#"):
                    continue
                if raw[:1].isspace() and commands and not pending:  # a synopsis goes on
                    last = commands.pop()
                    commands.append(Command(last.line, f"{last.text} {text.strip()}", comment))
                    continue
                pending.append(text.strip().removesuffix("\\").strip())
                if text.endswith("\\"):
                    continue
                first = start + offset - len(pending) + 1
                commands.append(Command(first, " ".join(pending), comment))
                pending = []
        elif language == "" and block and block[0].startswith("$ "):
            text, comment = _split_comment(block[0][2:])
            commands.append(Command(start, text, comment, output=tuple(block[1:])))
    return commands


COMMANDS = readme_commands()
EXAMPLES = [
    (command, run)
    for command in COMMANDS
    if command.text.startswith("sla-dashboard ") and not command.is_synopsis
    for run in command.runs()
]


# -- the examples run --------------------------------------------------------------------------


def _incidents_rest(path: Path) -> None:
    """A ServiceNow REST export like the README's: no customer, no SLA timers, one state."""
    with open(ROOT / "tests/fixtures/exports/servicenow_rest.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    dropped = {"company.name", "business_stc", "calendar_stc", "state"}
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, [k for k in rows[0] if k not in dropped],
                                extrasaction="ignore")  # fmt: skip
        writer.writeheader()
        writer.writerows(rows)


def _strict_policy(path: Path) -> None:
    """strict.toml, as the README describes it: level 4 due in 16 business hours, not 24."""
    text = (ROOT / "data/policy.toml").read_text(encoding="utf-8")
    assert text.count("response_hours = 24") == 1
    path.write_text(text.replace("response_hours = 24", "response_hours = 16"), encoding="utf-8")


def _incident_event_log(path: Path) -> None:
    """A ServiceNow incident audit trail like the README's: 15 events of 4 incidents."""
    shutil.copy(ROOT / "tests/fixtures/exports/servicenow_events.csv", path)


# The files the examples name, made in their working folder.
EXAMPLE_FILES = {
    "incidents_REST.csv": _incidents_rest,
    "strict.toml": _strict_policy,
    "incident_event_log.csv": _incident_event_log,
}


@pytest.fixture
def readme_folder(tmp_path, database_url, monkeypatch):
    """A working folder as a reader's clone would be: the repository's data/ (copied, so
    nothing is written into the repository), the files the examples name, and a database
    (SLA_DATABASE_URL) holding the bundled sample, as the embedded default does on first use."""
    unversioned = shutil.ignore_patterns("*.sqlite*", "*.db", "*.rejects.csv")
    shutil.copytree(ROOT / "data", tmp_path / "data", ignore=unversioned)
    for name, make in EXAMPLE_FILES.items():
        make(tmp_path / name)
    engine = open_database(database_url)
    try:
        load_sample_if_empty(engine, load_policy())
    finally:
        engine.dispose()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLA_DATABASE_URL", database_url)
    monkeypatch.delenv("SLA_POLICY_PATH", raising=False)
    return tmp_path


def _run(argv: list[str]) -> int:
    try:
        return cli.main(argv)
    except SystemExit as exc:  # argparse: --help, --version, or options it refuses
        return 0 if exc.code is None else exc.code


@pytest.mark.parametrize(
    ("command", "run"),
    EXAMPLES,
    ids=[f"README.md:{command.line} {run}" for command, run in EXAMPLES],
)
def test_the_readme_example_runs(readme_folder, capsys, command, run):
    argv = shlex.split(run)[1:]
    status = _run(argv)
    out, err = capsys.readouterr()
    assert status == command.expected_status(), err
    for option in ("-o", "--output", "--out"):
        if option in argv:
            written = readme_folder / argv[argv.index(option) + 1]
            assert written.is_file(), written
            assert written.stat().st_size > 0, written
    if command.output is not None:
        assert_same_shape(out.splitlines(), list(command.output))


# -- "the same shape": the README's lines, in order, numbers and the database aside ---------------

DATABASE = re.compile(r"\b(?:sqlite|postgresql\+psycopg)://\S+")
FINGERPRINT = re.compile(r"\b[0-9a-f]{16}\b")
NUMBER = re.compile(r"\d[\d,.:]*%?")


def shape(line: str) -> str:
    line = DATABASE.sub("<database>", line.strip())
    line = FINGERPRINT.sub("<fingerprint>", line)
    return " ".join(NUMBER.sub("#", line).split())


def assert_same_shape(actual: list[str], shown: list[str]) -> None:
    """The README's transcript starts where the output starts, and each line it shows matches a
    line of the output, in order; a line `...` (or a line the README leaves out in between)
    skips any lines, and `...` within a line stands for anything. Figures are numbers, so only
    their place is compared: the README's come from a run that need not be today's."""
    remaining = [shape(line) for line in actual]
    skipping = False
    for line in shown:
        if line.strip() in ("", "..."):
            skipping = True
            continue
        pattern = re.compile(re.escape(shape(line)).replace(re.escape("..."), ".*"))
        while skipping and remaining and not pattern.fullmatch(remaining[0]):
            remaining.pop(0)
        found = bool(remaining) and pattern.fullmatch(remaining[0])
        assert found, f"README line {line!r} is not in the output:\n" + "\n".join(actual)
        remaining.pop(0)
        skipping = True


def test_shape_compares_lines_in_order_numbers_aside():
    actual = ["total: 4 read -> sqlite:////tmp/x.sqlite", "extra", "p90 1:40:01 (9.8%)"]
    assert_same_shape(actual, ["total: 67 read -> sqlite:///.../data/x.sqlite", "...",
                               "p90 20:08:57 (100.0%)"])  # fmt: skip
    assert_same_shape(actual, ["total: 67 read -> postgresql+psycopg://u@h/db", "p90 2:00 (1%)"])
    for wrong in (
        ["p90 1:40:01 (9.8%)", "total: 4 read -> sqlite:///x"],  # out of order
        ["total: 4 written -> sqlite:///x"],  # other words
        ["extra"],  # not the output's first line
    ):
        with pytest.raises(AssertionError):
            assert_same_shape(actual, wrong)


# -- every README command is run or listed -----------------------------------------------------


def test_the_readme_is_read():
    """The parser of this file finds what is there (so an empty list proves nothing)."""
    texts = [c.text for c in COMMANDS]
    assert len(EXAMPLES) >= 8
    assert any(c.is_synopsis and c.text.startswith("sla-dashboard import") for c in COMMANDS)
    assert any(c.output for c in COMMANDS)
    report = next(t for t in texts if t.startswith("sla-dashboard report") and "--from" in t)
    assert report.endswith("--as-of 2026-10-01T09:00 -o acme-q3.html")  # across a `\`
    assert {"acme-q3.pdf", "acme-q3.html", "acme-q3.xlsx"} <= {
        shlex.split(run)[-1] for _, run in EXAMPLES
    }  # the alternatives in `# or .html, .xlsx`


def test_every_readme_command_is_run_or_listed():
    checked_elsewhere = {"make help"}  # test_make_help_lists_the_targets_the_readme_names
    unaccounted = [
        f"README.md:{c.line}: {c.text}"
        for c in COMMANDS
        if not c.text.startswith("sla-dashboard ")
        and c.text not in NOT_RUN
        and c.text not in checked_elsewhere
    ]
    assert not unaccounted, "run these in a test, or list them in NOT_RUN with the reason"


def test_every_listed_command_is_still_in_the_readme():
    assert set(NOT_RUN) <= {c.text for c in COMMANDS}


# -- the CLI is documented ---------------------------------------------------------------------


def test_every_subcommand_is_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    missing = [name for name in subcommands() if f"sla-dashboard {name}" not in readme]
    assert not missing


def test_every_option_is_named_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    missing = [
        f"sla-dashboard {name} {'/'.join(spellings)}"
        for name, command in subcommands().items()
        for spellings in options_of(command)
        if not any(re.search(re.escape(s) + r"(?![\w-])", readme) for s in spellings)
    ]
    assert not missing


@pytest.mark.parametrize(
    "synopsis",
    [c for c in COMMANDS if c.is_synopsis],
    ids=lambda c: f"README.md:{c.line} {c.text.split()[1]}",
)
def test_a_synopsis_lists_exactly_its_commands_options(synopsis):
    name = synopsis.text.split()[1]
    spellings = options_of(subcommands()[name])
    shown = set(re.findall(r"(?<![\w-])--?[a-z][\w-]*", synopsis.text))
    missing = [s for s in spellings if not shown & set(s)]
    unknown = shown - {s for group in spellings for s in group}
    assert (missing, unknown) == ([], set())


# -- make targets ------------------------------------------------------------------------------


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][\w-]*)\s*:(?!=)", text, flags=re.MULTILINE))


def readme_make_targets() -> set[str]:
    """`make X` in the README's code: its command blocks and its inline `code`."""
    lines = README.read_text(encoding="utf-8").splitlines()
    fenced = {n for _, start, block in _fenced_blocks(lines)
              for n in range(start - 1, start + len(block) + 1)}  # fmt: skip
    prose = "\n".join(line for n, line in enumerate(lines, 1) if n not in fenced)
    code = [c.text for c in COMMANDS] + re.findall(r"`([^`]+)`", prose)
    return {m for text in code for m in re.findall(r"(?:^|\s)make\s+([a-z][\w-]*)", text)}


def test_make_targets_in_the_readme_exist():
    quoted = readme_make_targets()
    assert {"run", "test", "help"} <= quoted  # the parse finds them
    assert quoted <= makefile_targets()


def test_make_help_lists_the_targets_the_readme_names():
    [command] = [c for c in COMMANDS if c.text == "make help"]
    named = re.fullmatch(r"all targets: (.*)", command.comment)
    assert named, command.comment
    shown = subprocess.run(["make", "-s", "-C", str(ROOT), "help"], capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    listed = re.findall(r"^\s*make (\S+)", shown, flags=re.MULTILINE)
    assert set(named[1].split(", ")) == set(listed) - {"help"}
    assert set(listed) == makefile_targets()  # and `make help` shows every target
