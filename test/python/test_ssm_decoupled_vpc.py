"""SsmDecoupledVpc: the parameters it writes, and a consumer that imports them without lookups."""
import json
import pathlib

import pytest
from aws_cdk import App, Stack, aws_ec2 as ec2, aws_elasticloadbalancingv2 as elbv2, aws_iam as iam
from aws_cdk.assertions import Match, Template

from cdk_fargate_blueprints import SsmDecoupledVpc

from conftest import STRICT_VALIDATION

PREFIX = "/my-app/network"


@pytest.fixture(scope="module")
def network_and_consumer():
    app = App(context=STRICT_VALIDATION)
    producer = Stack(app, "Network")
    network = SsmDecoupledVpc(producer, "Network", parameter_prefix=PREFIX, vpc_id_parameter_name="/go-on-aws/vpc")
    consumer = Stack(app, "Service")
    vpc = SsmDecoupledVpc.from_parameters(consumer, "Vpc", parameter_prefix=PREFIX)
    elbv2.ApplicationLoadBalancer(consumer, "Alb", vpc=vpc, internet_facing=True)
    assembly = app.synth()
    return network, Template.from_stack(producer), Template.from_stack(consumer), assembly


def test_publishes_one_string_parameter_per_identifier(network_and_consumer):
    _, producer, _, _ = network_and_consumer
    for name in [
        f"{PREFIX}/vpc-id",
        f"{PREFIX}/vpc-cidr",
        f"{PREFIX}/availability-zones",
        f"{PREFIX}/public/subnet-ids",
        f"{PREFIX}/public/route-table-ids",
        f"{PREFIX}/private-with-egress/subnet-ids",
        f"{PREFIX}/private-with-egress/route-table-ids",
    ]:
        producer.has_resource_properties("AWS::SSM::Parameter", {"Name": name, "Type": "String"})


def test_seed_compatible_parameter_holds_the_vpc_id(network_and_consumer):
    _, producer, _, _ = network_and_consumer
    (vpc_id,) = producer.find_resources("AWS::EC2::VPC").keys()
    producer.has_resource_properties("AWS::SSM::Parameter", {"Name": "/go-on-aws/vpc", "Value": {"Ref": vpc_id}})


def test_vpc_with_two_zones_one_nat_gateway_and_flow_logs(network_and_consumer):
    network, producer, _, _ = network_and_consumer
    producer.resource_count_is("AWS::EC2::NatGateway", 1)
    producer.resource_count_is("AWS::EC2::FlowLog", 1)
    producer.resource_count_is("AWS::EC2::Subnet", 4)
    assert len(network.parameters) == len(producer.find_resources("AWS::SSM::Parameter"))
    assert network.parameter_prefix == PREFIX


def test_consumer_reads_parameters_at_deploy_time(network_and_consumer):
    _, _, consumer, _ = network_and_consumer
    consumer.has_parameter("*", {
        "Type": "AWS::SSM::Parameter::Value<String>",
        "Default": f"{PREFIX}/public/subnet-ids",
    })
    consumer.has_resource_properties("AWS::ElasticLoadBalancingV2::LoadBalancer", {
        "Scheme": "internet-facing",
        "Subnets": Match.any_value(),
    })


def test_no_exports_and_no_lookups(network_and_consumer):
    _, producer, consumer, assembly = network_and_consumer
    for template in (producer, consumer):
        text = json.dumps(template.to_json())
        assert "Fn::ImportValue" not in text
        assert '"Export"' not in text
    # nothing left for `cdk synth` to look up with credentials (no context lookups)
    manifest = json.loads(pathlib.Path(assembly.directory, "manifest.json").read_text())
    assert "missing" not in manifest


def test_grant_read_reaches_exactly_the_parameters(network_and_consumer):
    app = App(context=STRICT_VALIDATION)
    stack = Stack(app, "Reader")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    SsmDecoupledVpc.grant_read_parameters(stack, role, parameter_prefix=PREFIX)
    Template.from_stack(stack).has_resource_properties("AWS::IAM::Policy", {
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
            "Action": ["ssm:GetParameter", "ssm:GetParameters"],
            "Effect": "Allow",
        })])},
    })
