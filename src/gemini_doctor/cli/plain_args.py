"""A command line parsed without click, for the commands whose start-up matters (explain, scan).

Importing click costs a good share of a short run. A plain invocation (known options with valid
values, and positional arguments) is parsed here; anything else (help, a typo, an unknown option)
is left to the click command, which gives click's messages.
"""

from __future__ import annotations

from collections import namedtuple

# check: None, or a function saying what is wrong with a value (None when valid), which click reports too
Option = namedtuple("Option", "flag dest choices default metavar help check", defaults=(None,))


def parse_plain(argv: list[str], options: tuple[Option, ...]) -> tuple[dict, list[str]] | None:
    """Each option's value from *argv* (its default when absent), and the positional arguments; None
    when *argv* holds an unknown option, an option without its value, or a value not among its
    choices or that its check refuses."""
    values = {option.dest: option.default for option in options}
    by_flag = {option.flag: option for option in options}
    positional = []
    args = iter(argv)
    for arg in args:
        if arg.startswith("-") and arg != "-":
            flag, has_value, value = arg.partition("=")
            option = by_flag.get(flag)
            if option is None:
                return None
            if not has_value:
                value = next(args, None)
                if value is None:
                    return None
            if option.choices and value not in option.choices:
                return None
            if option.check and option.check(value) is not None:
                return None
            values[option.dest] = value
        else:
            positional.append(arg)
    return values, positional
