#!/usr/bin/env python3
"""Holds every #include of the product against the arrows of the design notes.

usage: check-layers.py LAYERS_TXT SOURCE_DIR

LAYERS_TXT is written by CMake (cmake/Layers.cmake): one line per folder, "folder: dep dep".
A file in folder F may include a project header only from F itself or from a folder its arrows
reach (transitively); a project header must be included by its qualified path
("server/conn/deadline.hpp"). Prints one line per violation and exits 1 if there is any.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_layers(path):
    arrows = {}
    with open(path) as f:
        for line in f:
            if ':' not in line:
                continue
            folder, deps = line.split(':', 1)
            arrows[folder.strip()] = deps.split()
    return arrows


def reach(arrows, folder, seen=None):
    seen = set() if seen is None else seen
    for dep in arrows.get(folder, []):
        if dep not in seen:
            seen.add(dep)
            reach(arrows, dep, seen)
    return seen


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    arrows = read_layers(sys.argv[1])
    top = sys.argv[2]
    problems = []
    checked = 0
    for folder in arrows:
        allowed = reach(arrows, folder) | {folder}
        directory = os.path.join(top, folder)
        for name in sorted(os.listdir(directory)):
            if not name.endswith(('.cpp', '.hpp', '.h')):
                continue
            path = os.path.join(folder, name)
            with open(os.path.join(top, path)) as f:
                text = f.read()
            for included in INCLUDE.findall(text):
                checked += 1
                target = os.path.dirname(included)
                if not target:
                    problems.append(f'{path}: "{included}" is not qualified by its folder')
                elif target not in arrows:
                    problems.append(f'{path}: "{included}" is in no layer')
                elif target not in allowed:
                    problems.append(f'{path}: "{included}": {folder} has no arrow to {target}')
    # Every product source folder must be a layer, or its includes go unchecked.
    for root in ('base', 'config', 'http', 'server', 'models', 'app'):
        for dirpath, _, files in os.walk(os.path.join(top, root)):
            rel = os.path.relpath(dirpath, top)
            if any(f.endswith(('.cpp', '.hpp')) for f in files) and rel not in arrows:
                problems.append(f'{rel}/: holds sources but is no layer in {sys.argv[1]}')
    for p in problems:
        print(p)
    print(f'{checked} includes checked over {len(arrows)} layers: '
          f'{len(problems)} against the arrows')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
