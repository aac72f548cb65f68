"""A static check for the regular-expression shapes that take more than linear time on hostile text.

CPython's engine backtracks. It goes super-linear in three ways, each a shape read from the parsed
pattern (``re._parser``) with character sets taken over a sample alphabet:

* overlap: an unbounded repeat followed (with only optional parts between) by another repeat that
  can take the same characters, then something that can fail (``[^\\[]+?\\s*\\[``): every split of
  the run between the two is tried;
* nested: an unbounded repeat inside an unbounded repeat whose iterations can split a run in
  several ways (``(a+)+``); an unrolled loop (``(?:\\\\.[^"\\\\]*)*``, each iteration starting with a
  character its run cannot take) splits a run one way only and is fine;
* rescan: an unbounded repeat, followed by something that can fail, over characters the pattern
  can also start with (``[A-Z]\\w*\\s``): a search that fails tries again at every position of the
  run, and each try reads the rest of it.
"""

from __future__ import annotations

import re
from re import _constants as C
from re import _parser

ALPHABET = [chr(c) for c in range(128)] + ["é", "…", "\u00a0", "\u2028", "ß", "Ω"]
_CATEGORY = {
    C.CATEGORY_DIGIT: r"\d",
    C.CATEGORY_NOT_DIGIT: r"\D",
    C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S",
    C.CATEGORY_WORD: r"\w",
    C.CATEGORY_NOT_WORD: r"\W",
    C.CATEGORY_LINEBREAK: r"\n",
    C.CATEGORY_NOT_LINEBREAK: r"[^\n]",
}
UNBOUNDED = C.MAXREPEAT
REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT)


def problems(pattern: re.Pattern[str]) -> list[str]:
    """The super-linear shapes in *pattern* (empty when it runs in linear time)."""
    tree = _parser.parse(pattern.pattern, pattern.flags)
    ignore_case = bool(tree.state.flags & re.I)
    found: list[str] = []
    _check_sequence(list(tree), ignore_case, found)
    anchored = (
        tree[0][0] == C.AT
        and tree[0][1] in (C.AT_BEGINNING_STRING, C.AT_BEGINNING)
        and not tree.state.flags & re.M
    )
    top = (
        [list(branch) for branch in tree[0][1][1]]
        if len(tree) == 1 and tree[0][0] == C.BRANCH
        else [list(tree)]
    )
    if anchored or not _can_fail(list(tree)):  # one try at the start, or a search that always succeeds there
        top = []
    for sequence in map(_flatten, top):
        for k, item in enumerate(sequence):
            for node, rest in _repeats_with_rest([item], sequence[k + 1 :]):
                run = _chars([node], ignore_case)
                if _can_fail(rest) and _prefix_fits(sequence[:k], run, ignore_case):
                    found.append(f"rescan: a search can restart inside the run of {_show(node)}")
    return found


def _flatten(items: list) -> list:
    """*items* with groups opened up (a group is only its sequence)."""
    out = []
    for op, av in items:
        out += _flatten(list(av[3])) if op == C.SUBPATTERN else [(op, av)]
    return out


def _prefix_fits(prefix: list, run: frozenset[str], ignore_case: bool) -> bool:
    """Whether *prefix* can match inside a run of *run* characters (each mandatory part takes one of them)."""
    for op, av in prefix:
        if op == C.AT and av in (C.AT_BEGINNING_STRING, C.AT_BEGINNING):
            return False
        if op == C.BRANCH and not _first([(op, av)], ignore_case) & run:
            return False
        if op in (C.LITERAL, C.NOT_LITERAL, C.IN, C.ANY) and not _one(op, av, ignore_case) & run:
            return False
        if op in REPEATS and av[0] > 0 and not _chars(list(av[2]), ignore_case) & run:
            return False
        if op == C.SUBPATTERN and _can_fail(list(av[3])) and not _first(list(av[3]), ignore_case) & run:
            return False
    return True


# --- the three shapes -------------------------------------------------------------------------
def _check_sequence(items: list, ignore_case: bool, found: list[str]) -> None:
    for node, rest in _repeats_with_rest(items):
        body = list(node[1][2])
        if _splits(body, ignore_case):
            found.append(f"nested: {_show(node)} repeats a body that can split a run in several ways")
        mine = _chars(body, ignore_case)
        for k, later in _optional_then_repeats(rest):
            if later[1][1] == UNBOUNDED and mine & _first([later], ignore_case) and _can_fail(rest[k + 1 :]):
                found.append(f"overlap: {_show(node)} then {_show(later)} over the same characters")


def _splits(body: list, ignore_case: bool) -> bool:
    """Whether iterations of *body* can divide one run of text in more than one way."""
    inner = [node for node, _ in _repeats_with_rest(body)]
    if not inner:
        return False
    if body[0][0] in REPEATS and body[0][1][0] == 0:
        return True  # the body can start with its own repeat
    return bool(_first(body, ignore_case) & _chars(inner, ignore_case))


def _optional_then_repeats(items: list) -> list:
    """The repeats (with their index) reachable from the start of *items* through parts that may match
    nothing."""
    out = []
    for k, node in enumerate(items):
        op, av = node
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        if op in REPEATS:
            out.append((k, node))
            if av[0] == 0:
                continue
        break
    return out


def _repeats_with_rest(items: list, after: list | None = None):
    """Each unbounded repeat in *items* (at any depth), with all that may follow it (its enclosing
    groups' continuations included)."""
    after = after or []
    for n, (op, av) in enumerate(items):
        rest = items[n + 1 :] + after
        if op in REPEATS and av[1] == UNBOUNDED:
            yield (op, av), rest
        for child in _children(op, av):
            yield from _repeats_with_rest(child, rest)


def _can_fail(rest: list) -> bool:
    """Whether something after a repeat can fail (a mandatory part, an anchor or a lookaround)."""
    for op, av in rest:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT, C.GROUPREF):
            return True
        if op in REPEATS:
            if av[0] > 0:
                return True
            continue
        if op == C.SUBPATTERN and not _can_fail(list(av[3])):
            continue
        return True
    return False


# --- character sets ---------------------------------------------------------------------------
def _chars(items: list, ignore_case: bool) -> frozenset[str]:
    """Every sample character some part of *items* can consume."""
    out: set[str] = set()
    for op, av in items:
        if op in (C.LITERAL, C.NOT_LITERAL, C.IN, C.ANY):
            out |= _one(op, av, ignore_case)
        for child in _children(op, av):
            out |= _chars(child, ignore_case)
    return frozenset(out)


def _first(items: list, ignore_case: bool) -> frozenset[str]:
    """The sample characters a match of *items* can start with."""
    out: set[str] = set()
    for op, av in items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        if op in (C.LITERAL, C.NOT_LITERAL, C.IN, C.ANY):
            return frozenset(out | _one(op, av, ignore_case))
        if op in REPEATS:
            out |= _first(list(av[2]), ignore_case)
            if av[0] == 0:
                continue
            return frozenset(out)
        if op == C.SUBPATTERN:
            out |= _first(list(av[3]), ignore_case)
            if _can_fail(list(av[3])):
                return frozenset(out)
            continue
        if op == C.BRANCH:
            for branch in av[1]:
                out |= _first(list(branch), ignore_case)
            return frozenset(out)
        if op == C.ATOMIC_GROUP:
            return frozenset(out | _first(list(av), ignore_case))
        return frozenset(out)
    return frozenset(out)


def _one(op, av, ignore_case: bool) -> set[str]:
    flags = re.I if ignore_case else 0
    if op == C.ANY:
        return set(ALPHABET)
    if op in (C.LITERAL, C.NOT_LITERAL):
        test = re.compile(("[^%s]" if op == C.NOT_LITERAL else "[%s]") % re.escape(chr(av)), flags)
    else:
        test = re.compile(_class_source(av), flags)
    return {c for c in ALPHABET if test.fullmatch(c)}


def _class_source(items) -> str:
    parts, negate = [], ""
    for op, av in items:
        if op == C.NEGATE:
            negate = "^"
        elif op == C.LITERAL:
            parts.append(re.escape(chr(av)))
        elif op == C.RANGE:
            parts.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op == C.CATEGORY:
            parts.append(_CATEGORY[av].strip("[]").replace("^", "") if av != C.CATEGORY_NOT_LINEBREAK else "")
            if av == C.CATEGORY_NOT_LINEBREAK:
                return "[^\\n]"
    return f"[{negate}{''.join(parts)}]"


def _children(op, av) -> list[list]:
    if op in REPEATS or op == C.POSSESSIVE_REPEAT:
        return [list(av[2])]
    if op == C.SUBPATTERN:
        return [list(av[3])]
    if op == C.BRANCH:
        return [list(branch) for branch in av[1]]
    if op in (C.ASSERT, C.ASSERT_NOT):
        return []  # lookarounds here are a few characters long
    if op == C.ATOMIC_GROUP:
        return []  # no backtracking into it
    return []


def _show(node) -> str:
    op, av = node
    low, high = av[0], "∞" if av[1] == UNBOUNDED else av[1]
    return f"a {'lazy ' if op == C.MIN_REPEAT else ''}repeat {{{low},{high}}}"
