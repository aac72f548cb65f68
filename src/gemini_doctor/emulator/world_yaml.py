"""Reading a world file safely: bounded size, strict UTF-8, YAML's safe subset, bounded aliases and nesting.

A world file may come from anywhere (a bug report, a shared repository). A few hundred bytes of
YAML aliases can stand for billions of nodes, deep nesting overflows the parser's stack, a tag
can ask for a Python object: each is refused here, with the file and line, before anything is
built from the document. JSON is YAML, so JSON worlds take the same road.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 4 << 20  # a world is a page or two of YAML; this is generous
MAX_NODES = 100_000  # nodes, counting each alias as the whole subtree it stands for
MAX_DEPTH = 50
_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("map", "seq", "str", "int", "float", "bool", "null", "merge")
}


class WorldError(ValueError):
    """A world file is malformed; the message names the field (and line when known)."""


def read_world_file(path: str) -> tuple[Any, dict[tuple, int]]:
    """The document in the file at *path*, and the line of every field path in it."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise WorldError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise WorldError(f"{path}: larger than {MAX_BYTES >> 20} MiB; a world file is a page or two")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise WorldError(f"{path}: line {line}: not UTF-8 (byte {exc.start})") from None
    return parse_world_text(text, path)


def parse_world_text(text: str, where: str) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML (or JSON) *text*, refusing duplicate keys, tags beyond plain data, alias bombs and
    deep nesting; return the data and the line of every field path."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines = _checked(node, where)
        return (loader.construct_document(node) if node is not None else None), lines
    except _TooDeep as exc:
        raise WorldError(_too_deep(where, exc.line)) from None
    except yaml.YAMLError as exc:
        raise WorldError(f"{where}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _Loader(yaml.SafeLoader):
    """YAML's safe loader refusing nesting deeper than MAX_DEPTH as it reads and builds the tree: a file
    of 100,000 opening brackets stops at the 51st, not after the scanner has looked ahead through them
    (a check that grows with the brackets still open, so quadratic)."""

    depth = 0

    def fetch_flow_collection_start(self, TokenClass):
        if self.flow_level > MAX_DEPTH:  # the brackets already open, each a level of the path
            raise _TooDeep(self.get_mark().line + 1)
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent, index):
        if self.depth > MAX_DEPTH:  # the length of the path to the node about to be built
            raise _TooDeep(self.peek_event().start_mark.line + 1)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _too_deep(where: str, line: int) -> str:
    return f"{where}: line {line}: nested too deeply (more than {MAX_DEPTH} levels)"


def _checked(root: yaml.Node | None, where: str) -> dict[tuple, int]:
    """Walk the document as it will be built (aliases expanded), within the bounds; the line of each path."""
    lines: dict[tuple, int] = {}
    stack = [(root, ())] if root is not None else []
    visited = 0
    while stack:
        node, path = stack.pop()
        line = node.start_mark.line + 1
        visited += 1
        if visited > MAX_NODES:
            raise WorldError(
                f"{where}: line {line}: the document expands to more than {MAX_NODES:,} values "
                "(YAML aliases?); a world is far smaller"
            )
        if len(path) > MAX_DEPTH:
            raise WorldError(_too_deep(where, line))  # through aliases: each one nests its subtree
        if node.tag not in _TAGS:
            raise WorldError(f"{where}: line {line}: the tag {node.tag} is not allowed (plain data only)")
        lines.setdefault(path, line)
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise WorldError(
                        f"{where}: line {key_node.start_mark.line + 1}: a key must be a plain word"
                    )
                key = key_node.value
                if key in seen and key_node.tag != "tag:yaml.org,2002:merge":
                    raise WorldError(
                        f"{where}: line {key_node.start_mark.line + 1}: duplicate key "
                        f"{'.'.join(map(str, path + (key,)))!r}"
                    )
                seen.add(key)
                stack.append((value_node, path + (key,)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, path + (n,)) for n, item in enumerate(node.value))
    return lines
