"""The package's folders are its layers: a module imports only its own folder and
the folders below it, so one request reads top-down."""

import ast
from pathlib import Path

import wyoming_kokoro

PACKAGE = Path(wyoming_kokoro.__file__).parent

RANKS = {"core": 0, "files": 1, "speech": 2, "wyoming": 3, "http": 3, "": 4}
"""Folder -> rank; "" is the top (the commands and the server). A module may
import its own folder and any of lower rank: wyoming/ and http/ not each other."""


def folder(module: str, root: Path) -> str:
    """The layer of a dotted module name: its folder under `root`, "" at the top."""
    parts = module.split(".")[1:]
    return parts[0] if parts and (root / parts[0]).is_dir() else ""


def imports_of(path: Path, root: Path) -> set[str]:
    """Every module of the package under `root` that `path` imports, dotted."""
    relative = path.relative_to(root.parent).with_suffix("").parts
    package = ".".join(relative if relative[-1] == "__init__" else relative[:-1])
    package = package.removesuffix(".__init__")
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.rsplit(".", node.level - 1)[0]
            found.add(f"{base}.{node.module}" if node.module else base)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(root.name):
            found.add(str(node.module))
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith(root.name)}
    return found


def upward_imports(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        own = folder(module, root)
        # The package itself holds only its version: any layer may read it.
        for target in sorted(imports_of(path, root) - {root.name}):
            other = folder(target, root)
            if other != own and RANKS[other] >= RANKS[own]:
                found.append(f"{module} imports {target}")
    return found


def test_every_folder_is_a_layer() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(RANKS) - {""}


def test_imports_only_go_down() -> None:
    assert upward_imports(PACKAGE) == []


def test_an_upward_import_is_seen(tmp_path: Path) -> None:
    root = tmp_path / "wyoming_kokoro"
    for name in ("core", "speech", "http"):
        (root / name).mkdir(parents=True)
    (root / "core" / "x.py").write_text("from ..speech.engine import Engine\nfrom . import y\n")
    (root / "http" / "y.py").write_text("from wyoming_kokoro.wyoming.handler import X\n")
    (root / "speech" / "z.py").write_text("from ..core import x\nfrom .engine import E\n")
    assert upward_imports(root) == [
        "wyoming_kokoro.core.x imports wyoming_kokoro.speech.engine",
        "wyoming_kokoro.http.y imports wyoming_kokoro.wyoming.handler",
    ]


def modules_missing_from(architecture: str, root: Path) -> list[str]:
    """Every module, page and folder of the package that the tree in `architecture`
    (its first code block, two spaces a level) does not name in its folder."""
    named: set[str] = set()
    folders: list[str] = []
    for line in architecture.split("```")[1].splitlines():
        depth, words = (len(line) - len(line.lstrip())) // 2, line.split()
        if depth == 0 or not words:
            continue  # the package's own line
        del folders[depth - 1 :]
        named.add("/".join([*folders, words[0].rstrip("/")]))
        if words[0].endswith("/"):
            folders.append(words[0].rstrip("/"))
    found = [
        path.relative_to(root).as_posix()
        for path in sorted(root.rglob("*"))
        if (path.suffix in (".py", ".html") or path.is_dir())
        and path.name != "__init__.py"
        and not {"__pycache__", "data"} & set(path.relative_to(root).parts)
    ]
    return [path for path in found if path not in named]


def test_the_module_map_names_every_module() -> None:
    architecture = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    assert modules_missing_from(architecture, PACKAGE) == []


def test_a_module_missing_from_the_map_is_seen(tmp_path: Path) -> None:
    (tmp_path / "speech").mkdir()
    for name in ("speech/engine.py", "speech/new.py", "server.py"):
        (tmp_path / name).write_text("")
    tree = "```\nwyoming_kokoro/\n  server.py   x\n  speech/   y\n    engine.py   z\n```"
    assert modules_missing_from(tree, tmp_path) == ["speech/new.py"]
