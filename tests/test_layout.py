"""The floor plan: concept packages, and private names that stay inside their package."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "gdmaps"
ROOMS = ["core", "exact", "orbits", "certify", "basins", "bifurcations", "analysis",
         "models", "maps", "engines", "plotting", "explore", "cli"]


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


def _home(module):
    """The package a module lives in: gdmaps.orbits.krawczyk -> gdmaps.orbits."""
    return ".".join(module.split(".")[:2])


def _private_imports(path, module):
    """(line, imported module, private name) for each underscored name taken from another package."""
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("gdmaps"):
            continue
        source = node.module
        for alias in node.names:
            target = f"{source}.{alias.name}"
            private = [p for p in target.split(".")[1:] if p.startswith("_") and p != "__init__"]
            owner = target if source.count(".") < 2 else source
            if private and _home(owner) != _home(module) and not module.endswith(".__init__"):
                yield node.lineno, source, alias.name


def test_flat_folder_holds_only_the_face():
    """The package root keeps only __init__ and __main__; every module lives in a concept room."""
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in {"__init__.py", "__main__.py"})
    assert loose == []
    rooms = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert rooms == sorted(ROOMS)


@pytest.mark.parametrize("path,module", list(_modules()), ids=lambda v: str(v))
def test_private_names_stay_home(path, module):
    """An underscored module or name is imported only from inside its own package."""
    assert list(_private_imports(path, module)) == []


def test_tests_mirror_the_tree():
    """tests/<room>/ for each room; a module's test file sits in its room's folder, not at the top."""
    tests = PACKAGE.parent / "tests"
    folders = {p.name for p in tests.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders - {"proofs"} <= set(ROOMS)
    for path in tests.glob("test_*.py"):
        stem = path.stem.removeprefix("test_")
        homes = [m for m in PACKAGE.glob(f"*/{stem}.py")] + [m for m in PACKAGE.glob(f"*/_{stem}.py")]
        assert homes == [], f"{path.name} tests {homes[0].relative_to(PACKAGE.parent)}: move it there"


def _room_of(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (PACKAGE / parts[-1]).is_dir() else None


def test_rooms_import_downwards():
    """The rooms form no loop: each imports only from rooms below it."""
    import networkx as nx

    graph = nx.DiGraph()
    for path, module in _modules():
        room = _room_of(module)
        if room is None:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gdmaps."):
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("gdmaps.")]
            for name in names:
                other = _room_of(name)
                if other and other != room:
                    graph.add_edge(room, other, where=module)
    cycles = list(nx.simple_cycles(graph))
    assert cycles == [], [[(a, graph.edges[a, b]["where"]) for a, b in zip(c, c[1:] + c[:1])]
                          for c in cycles]
