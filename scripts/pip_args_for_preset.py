#!/usr/bin/env python3
"""Prints, one per line, the pip arguments that build tessera's Python module in a CMake
preset's folder with that preset's settings (scripts/python_env.sh, TESSERA_PIP_PRESET).

With the same settings the compile commands match the preset's own build, so that pip
compiles only the bindings, also where scikit-build-core clears the folder's cache (it
does when pip's temporary build environment has moved)."""
import json
import sys
from pathlib import Path


def resolve(presets, name):
    """The preset's fields with those it inherits; as in CMake, an earlier parent wins."""
    preset = presets[name]
    parents = preset.get("inherits", [])
    settings = {"cacheVariables": {}}
    for parent in reversed([parents] if isinstance(parents, str) else parents):
        inherited = resolve(presets, parent)
        settings.update({k: v for k, v in inherited.items() if k != "cacheVariables"})
        settings["cacheVariables"].update(inherited["cacheVariables"])
    settings.update({k: v for k, v in preset.items() if k != "cacheVariables"})
    settings["cacheVariables"].update(preset.get("cacheVariables", {}))
    return settings


def cache_value(value):
    """A cache variable as CMakePresets.json may write it: a string, a bool, or {type, value}."""
    if isinstance(value, dict):
        value = value.get("value", "")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def main(name):
    root = Path(__file__).resolve().parent.parent
    presets = {p["name"]: p for p in json.loads((root / "CMakePresets.json").read_text())["configurePresets"]}
    if name not in presets:
        sys.exit(f"pip_args_for_preset: no configure preset named {name!r} in CMakePresets.json")
    preset = resolve(presets, name)
    variables = {k: cache_value(v) for k, v in preset["cacheVariables"].items() if v is not None}
    # An extension module for a plain Python: no sanitizer runtime, and pip's Ninja.
    if variables.get("TESSERA_SANITIZE"):
        sys.exit(f"pip_args_for_preset: preset {name!r} builds with sanitizers, which a Python module cannot load")
    if preset.get("generator", "Ninja") != "Ninja":
        sys.exit(f"pip_args_for_preset: preset {name!r} uses {preset['generator']!r}; pip builds with Ninja")
    print("-Cbuild-dir=" + preset["binaryDir"].replace("${sourceDir}/", "").replace("${presetName}", name))
    print("-Ccmake.build-type=" + variables.pop("CMAKE_BUILD_TYPE", "Release"))
    variables.pop("TESSERA_BUILD_PYTHON", None)  # pyproject.toml turns it on
    for variable, value in variables.items():
        print(f"-Ccmake.define.{variable}={value}")


if __name__ == "__main__":
    main(sys.argv[1])
