#!/usr/bin/env python3
"""Checks the Python examples of the README against the generated Python bindings.

    python3 build-tools/check-readme-python.py README.md .tmp/bindings/python

PyPI is out of reach of the test machines, so the examples cannot be run; instead
every ```python block must:

- parse (Python syntax),
- import from cdk_fargate_blueprints only names the bindings define,
- call the library's classes and static methods with keyword arguments that exist
  in the generated signatures (so a renamed prop breaks the README check).

Exits 1 with one line per problem.
"""
import ast
import pathlib
import re
import sys

MODULE = "cdk_fargate_blueprints"


def python_blocks(readme: str):
    """(line number, code) of every ```python block."""
    for match in re.finditer(r"^```python\n(.*?)^```", readme, flags=re.S | re.M):
        yield readme[: match.start()].count("\n") + 2, match.group(1)


def generated_api(bindings: pathlib.Path):
    """{class name: {method name ('__init__' for the constructor): set of keyword names}}."""
    source = (bindings / "src" / MODULE / "__init__.py").read_text()
    api = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            methods = {}
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    args = item.args
                    methods[item.name] = {a.arg for a in args.args + args.kwonlyargs}
            api[node.name] = methods
    return api


def check_block(line: int, code: str, api) -> list:
    problems = []
    try:
        tree = ast.parse(code)
    except SyntaxError as e:
        return [f"README.md:{line + (e.lineno or 1) - 1}: syntax error: {e.msg}"]

    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == MODULE:
            for alias in node.names:
                if alias.name not in api:
                    problems.append(f"README.md:{line + node.lineno - 1}: {MODULE} has no {alias.name}")
                imported[alias.asname or alias.name] = alias.name

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in imported:
            cls, method = imported[func.id], "__init__"
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in imported:
            cls, method = imported[func.value.id], func.attr
        else:
            continue
        if cls not in api:
            continue
        if method not in api[cls]:
            problems.append(f"README.md:{line + node.lineno - 1}: {cls} has no method {method}")
            continue
        for keyword in node.keywords:
            if keyword.arg is not None and keyword.arg not in api[cls][method]:
                problems.append(
                    f"README.md:{line + node.lineno - 1}: {cls}.{method} has no argument {keyword.arg}"
                )
    return problems


def main(readme_path: str, bindings_path: str) -> int:
    readme = pathlib.Path(readme_path).read_text()
    api = generated_api(pathlib.Path(bindings_path))
    blocks = list(python_blocks(readme))
    if not blocks:
        print(f"{readme_path}: no python examples found")
        return 1
    problems = [p for line, code in blocks for p in check_block(line, code, api)]
    for problem in problems:
        print(problem)
    print(f"{len(blocks)} python examples checked against the generated bindings, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
