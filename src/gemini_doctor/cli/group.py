"""The click group behind ``gemini-doctor``. Each subcommand lives in its own module, imported on use."""

from __future__ import annotations

import importlib

import click

from .. import __version__

_COMMANDS = {
    "demo": (
        "gemini_doctor.cli.demo_cmd",
        "demo",
        "See it work, offline: real SDK errors from a local emulator, explained and checked.",
    ),
    "explain": (
        "gemini_doctor.cli.explain_cmd",
        "explain",
        "Explain a pasted Gemini/Google API error, offline.",
    ),
    "check": (
        "gemini_doctor.cli.check_cmd",
        "check",
        "Diagnose your real setup live: credentials, project, API, billing, IAM, model.",
    ),
    "fix": (
        "gemini_doctor.cli.fix_cmd",
        "fix",
        "Run check, print the commands for its verdict; --apply does the safe ones.",
    ),
    "scan": (
        "gemini_doctor.cli.scan_cmd",
        "scan",
        "Find every Google API error in logs, grouped by cause, streaming.",
    ),
    "run": (
        "gemini_doctor.cli.run_cmd",
        "run",
        "Run a program unchanged, then explain the Google errors it printed.",
    ),
    "emulate": (
        "gemini_doctor.cli.emulate_cmd",
        "emulate",
        "Serve Google's Gemini endpoints with a chosen failure, on loopback.",
    ),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _COMMANDS:
            return None
        module, attr, _ = _COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="""\b
Examples:
  gemini-doctor demo                 # see it work, offline
  gemini-doctor explain < error.txt  # what an error means, and the fix
  gemini-doctor check                # your real setup, live and read-only
  gemini-doctor fix                  # the commands for check's verdict

\b
Shell completion (commands, flags, scenarios), add to your shell's start-up file:
  bash: eval "$(_GEMINI_DOCTOR_COMPLETE=bash_source gemini-doctor)"
  zsh:  eval "$(_GEMINI_DOCTOR_COMPLETE=zsh_source gemini-doctor)"
  fish: _GEMINI_DOCTOR_COMPLETE=fish_source gemini-doctor | source

Each command's --help lists its exit codes. NO_COLOR turns colour off, FORCE_COLOR on.""",
)
@click.version_option(__version__, prog_name="gemini-doctor")
def cli() -> None:
    """Why is my call to Gemini refused? Evidence, causes and exact fixes."""
