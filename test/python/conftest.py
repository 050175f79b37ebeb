"""Shared fixtures of the Python suite: it uses the library the way a Python CDK user does,
from the wheel jsii-pacmak built, with aws-cdk-lib from PyPI (`npx projen test:python`)."""
import pytest
from aws_cdk import App, Stack, aws_ecs as ecs

# Every app synthesizes with CDK's built-in CloudFormation validation in strict mode, as the
# TypeScript tests do: a template CloudFormation would reject fails the test that built it.
STRICT_VALIDATION = {
    "@aws-cdk/core:validateAgainstDefaultRules": True,
    "@aws-cdk/core:strictCfnValidateErrors": True,
}

IMAGE = ecs.ContainerImage.from_registry("public.ecr.aws/aws-containers/hello-app-runner:latest")


def new_stack(stack_id: str = "TestStack", **stack_props) -> Stack:
    """A stack in a fresh app with strict validation."""
    return Stack(App(context=STRICT_VALIDATION), stack_id, **stack_props)


@pytest.fixture
def stack() -> Stack:
    return new_stack()
