#!/usr/bin/env python3
"""Prints, one per line, the pip arguments that build tessera's Python module in a CMake
preset's folder with that preset's settings (scripts/python_env.sh, TESSERA_PIP_PRESET).

With the same settings the compile commands match the preset's own build, so that pip
compiles only the bindings, even where scikit-build-core clears the folder's cache."""
import json
import sys
from pathlib import Path

PIP_OWN = {"CMAKE_BUILD_TYPE", "TESSERA_BUILD_PYTHON"}  # set by pyproject.toml


def resolve(presets, name):
    preset = presets[name]
    parents = preset.get("inherits", [])
    settings = {"cacheVariables": {}}
    for parent in [parents] if isinstance(parents, str) else parents:
        inherited = resolve(presets, parent)
        settings.update({k: v for k, v in inherited.items() if k != "cacheVariables"})
        settings["cacheVariables"].update(inherited["cacheVariables"])
    settings.update({k: v for k, v in preset.items() if k != "cacheVariables"})
    settings["cacheVariables"].update(preset.get("cacheVariables", {}))
    return settings


def main(name):
    root = Path(__file__).resolve().parent.parent
    presets = {p["name"]: p for p in json.loads((root / "CMakePresets.json").read_text())["configurePresets"]}
    if name not in presets:
        sys.exit(f"pip_args_for_preset: no configure preset named {name!r} in CMakePresets.json")
    preset = resolve(presets, name)
    print("-Cbuild-dir=" + preset["binaryDir"].replace("${sourceDir}/", "").replace("${presetName}", name))
    for variable, value in preset["cacheVariables"].items():
        if variable not in PIP_OWN:
            print(f"-Ccmake.define.{variable}={value}")


if __name__ == "__main__":
    main(sys.argv[1])
