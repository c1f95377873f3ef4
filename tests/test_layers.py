"""The package's folders are its layers, held by import-linter's layers contract in
setup.cfg (script/lint runs lint-imports); every module is named in the one module map,
docs/architecture.md."""

import configparser
from pathlib import Path

import wyoming_kokoro

PACKAGE = Path(wyoming_kokoro.__file__).parent


def test_every_folder_and_top_module_is_in_the_layers_contract() -> None:
    config = configparser.ConfigParser()
    config.read(PACKAGE.parent / "setup.cfg")
    layers = config["importlinter:contract:layers"]["layers"]
    named = {name.strip() for line in layers.split() for name in line.replace("|", " ").split(":")}
    named.discard("")
    found = {
        f"wyoming_kokoro.{path.stem}"
        for path in PACKAGE.iterdir()
        if (path / "__init__.py").is_file() or (path.suffix == ".py" and path.stem != "__init__")
    }
    assert found <= named, sorted(found - named)


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
