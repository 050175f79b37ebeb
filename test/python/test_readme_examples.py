"""Every Python example of the README runs and synthesizes, and builds the same stacks,
with the same resources, as the TypeScript example it translates (run with tsx)."""
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


def resources_by_stack(assembly_dir: pathlib.Path) -> dict:
    """{stack id: sorted [(logical id, type)]} of a cloud assembly on disk."""
    manifest = json.loads((assembly_dir / "manifest.json").read_text())
    stacks = {}
    for artifact_id, artifact in manifest["artifacts"].items():
        if artifact["type"] != "aws:cloudformation:stack":
            continue
        template = json.loads((assembly_dir / artifact["properties"]["templateFile"]).read_text())
        stacks[artifact_id] = sorted((logical_id, r["Type"]) for logical_id, r in template["Resources"].items())
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
    assert python_stacks == typescript_stacks
