"""x.visualize(): the task graph compute() would run, drawn with graphviz when present."""
from __future__ import annotations

import shutil
import subprocess
import warnings

from . import _tessera


def to_dot(arrays) -> str:
    """The graph in graphviz's DOT language: one box per task, an edge per dependency."""
    tasks = _tessera.task_graph([a._c for a in arrays])
    lines = ["digraph tessera {", "  rankdir=BT;", '  node [shape=box, fontsize=10, fontname="Helvetica"];']
    for key, name, _ in tasks:
        lines.append(f'  "{key}" [label="{name}"];')
    for key, _, dependencies in tasks:
        for dependency in dependencies:
            lines.append(f'  "{dependency}" -> "{key}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def visualize(*arrays, filename: str = "tessera-graph", format: str | None = None) -> str:  # noqa: A002
    """Writes `filename`.dot and, when graphviz's `dot` is installed, renders it to
    `filename`.`format` (png by default). Returns the path of the file written last."""
    format = format or "png"
    dot_path = f"{filename}.dot"
    with open(dot_path, "w", encoding="utf-8") as out:
        out.write(to_dot(arrays))
    executable = shutil.which("dot")
    if executable is None:
        warnings.warn(f"graphviz's 'dot' is not installed: wrote {dot_path} only", UserWarning, stacklevel=3)
        return dot_path
    image_path = f"{filename}.{format}"
    subprocess.run([executable, f"-T{format}", dot_path, "-o", image_path], check=True)
    return image_path
