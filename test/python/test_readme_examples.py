"""Every Python example of the README runs and synthesizes, and builds the same stacks,
with the same resources and properties, as the TypeScript example it translates (run with tsx)."""
import json
import os
import pathlib
import re
import subprocess

import pytest
from aws_cdk import App

ROOT = pathlib.Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()

# a TypeScript example, then "The same in Python:" and its translation
PAIR = re.compile(r"^```ts\n(?P<ts>(?:(?!```).)*?)^```\n\nThe same in Python:\n\n```python\n(?P<py>.*?)^```", re.S | re.M)
PAIRS = [(README[: m.start("py")].count("\n") + 1, m.group("ts"), m.group("py")) for m in PAIR.finditer(README)]


def test_every_python_example_has_a_typescript_twin():
    python_blocks = re.findall(r"^```python\n", README, flags=re.M)
    assert len(PAIRS) == len(python_blocks) >= 4


# asset hashes differ with the aws-cdk-lib release (PyPI's is one behind npm's): the custom
# resource providers aws-cdk-lib bundles are assets of its own
ASSET_HASH = re.compile(r"\b[0-9a-f]{64}\b")
# what aws-cdk-lib itself brings, which may change between its releases: its providers' code
VERSIONED_BY_AWS_CDK_LIB = {"AWS::Lambda::Function"}


def resources_by_stack(assembly_dir: pathlib.Path) -> dict:
    """{stack id: {logical id: (type, properties)}} of a cloud assembly on disk, asset hashes
    masked and the properties of what aws-cdk-lib versions itself left out."""
    manifest = json.loads((assembly_dir / "manifest.json").read_text())
    stacks = {}
    for artifact_id, artifact in manifest["artifacts"].items():
        if artifact["type"] != "aws:cloudformation:stack":
            continue
        template = json.loads(ASSET_HASH.sub("<asset>", (assembly_dir / artifact["properties"]["templateFile"]).read_text()))
        stacks[artifact_id] = {
            logical_id: (r["Type"], None if r["Type"] in VERSIONED_BY_AWS_CDK_LIB else r.get("Properties"))
            for logical_id, r in template["Resources"].items()
        }
    return stacks


def synthesize_typescript(code: str, line: int, workdir: pathlib.Path) -> pathlib.Path:
    """Runs a TypeScript example the way its reader would (tsx, the library by its package name)."""
    # inside the checkout, where node finds aws-cdk-lib
    source = ROOT / ".tmp" / "readme-examples" / f"example-{line}.ts"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(code + "\napp.synth();\n")
    outdir = workdir / "ts.out"
    subprocess.run(
        ["npx", "tsx", "--tsconfig", "tsconfig.dev.json", str(source)],
        cwd=ROOT, env={**os.environ, "CDK_OUTDIR": str(outdir)}, check=True, timeout=300,
    )
    return outdir


@pytest.mark.parametrize("line, typescript, python", PAIRS, ids=[f"README.md:{line}" for line, _, _ in PAIRS])
def test_python_example_synthesizes_the_stacks_of_its_typescript_twin(line, typescript, python, tmp_path):
    namespace = {"__name__": "readme_example"}
    exec(compile(python, f"README.md:{line}", "exec"), namespace)  # pylint: disable=exec-used
    app = namespace.get("app")
    assert isinstance(app, App), "the example names its App `app`"
    python_stacks = resources_by_stack(pathlib.Path(app.synth().directory))
    assert python_stacks, "the example synthesized no stack"

    typescript_stacks = resources_by_stack(synthesize_typescript(typescript, line, tmp_path))
    assert sorted(python_stacks) == sorted(typescript_stacks)
    differing = [
        (stack, logical_id, python_stacks[stack].get(logical_id), typescript_stacks[stack].get(logical_id))
        for stack in python_stacks
        for logical_id in sorted(set(python_stacks[stack]) | set(typescript_stacks[stack]))
        if python_stacks[stack].get(logical_id) != typescript_stacks[stack].get(logical_id)
    ]
    assert differing == [], "resources that differ (stack, logical id, Python, TypeScript)"
