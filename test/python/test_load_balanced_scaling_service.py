"""LoadBalancedScalingService: the README's promises, as a Python user tests them."""
import json
from pathlib import Path

import pytest
from aws_cdk import Duration, aws_ec2 as ec2, aws_ecr_assets as ecr_assets, aws_ecs as ecs, aws_ssm as ssm
from aws_cdk.assertions import Capture, Match, Template

from cdk_fargate_blueprints import LoadBalancedScalingService

from conftest import IMAGE, new_stack


@pytest.fixture(scope="module")
def default_service():
    stack = new_stack()
    service = LoadBalancedScalingService(stack, "Web", image=IMAGE)
    return service, Template.from_stack(stack)


@pytest.fixture(scope="module")
def tuned():
    stack = new_stack()
    table = ssm.StringParameter.from_string_parameter_name(stack, "Table", "/go-on-aws/table")
    LoadBalancedScalingService(
        stack, "Web",
        image=IMAGE,
        container_ports=[8000],
        cpu=512,
        memory_limit_mib=1024,
        family="webapp",
        public_load_balancer=False,
        ssm_parameters={"TABLE_PARAMETER": table},
        scaling={
            "min_capacity": 2,
            "max_capacity": 6,
            "cpu_target_percent": 40,
            "memory_target_percent": 70,
            "requests_per_target": 500,
        },
        deregistration_delay=Duration.seconds(15),
    )
    return Template.from_stack(stack)


def test_internet_facing_application_load_balancer(default_service):
    _, template = default_service
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::LoadBalancer", {
        "Type": "application",
        "Scheme": "internet-facing",
    })


def test_fargate_service_rolls_back_failed_deployments(default_service):
    _, template = default_service
    template.has_resource_properties("AWS::ECS::Service", {
        "LaunchType": "FARGATE",
        "DeploymentConfiguration": Match.object_like({
            "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True},
            "MinimumHealthyPercent": 100,
        }),
    })


def test_in_its_own_vpc_the_tasks_reach_out_with_a_public_ip_and_no_nat_gateway(default_service):
    # the construct's own VPC has no NAT gateway (idle cost): tasks egress with a public IP;
    # their security group admits the load balancer only (the next test)
    _, template = default_service
    template.has_resource_properties("AWS::ECS::Service", {
        "NetworkConfiguration": {"AwsvpcConfiguration": Match.object_like({"AssignPublicIp": "ENABLED"})},
    })
    template.resource_count_is("AWS::EC2::NatGateway", 0)


def test_in_a_vpc_given_the_tasks_run_without_public_ip():
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Network", max_azs=2, nat_gateways=1)
    LoadBalancedScalingService(stack, "Web", image=IMAGE, vpc=vpc)
    Template.from_stack(stack).has_resource_properties("AWS::ECS::Service", {
        "NetworkConfiguration": {"AwsvpcConfiguration": Match.object_like({"AssignPublicIp": "DISABLED"})},
    })


def test_only_the_load_balancer_reaches_the_container_port(default_service):
    _, template = default_service
    source = Capture()
    template.has_resource_properties("AWS::EC2::SecurityGroupIngress", {
        "IpProtocol": "tcp",
        "FromPort": 80,
        "ToPort": 80,
        "SourceSecurityGroupId": {"Fn::GetAtt": [source, "GroupId"]},
    })
    load_balancer_groups = template.find_resources("AWS::ElasticLoadBalancingV2::LoadBalancer")
    (load_balancer,) = load_balancer_groups.values()
    assert {"Fn::GetAtt": [source.as_string(), "GroupId"]} in load_balancer["Properties"]["SecurityGroups"]


def test_scales_on_cpu_by_default_between_one_and_four_tasks(default_service):
    _, template = default_service
    template.has_resource_properties("AWS::ApplicationAutoScaling::ScalableTarget", {
        "MinCapacity": 1,
        "MaxCapacity": 4,
        "ScalableDimension": "ecs:service:DesiredCount",
    })
    template.has_resource_properties("AWS::ApplicationAutoScaling::ScalingPolicy", {
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": Match.object_like({
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
            "TargetValue": 50,
            "ScaleOutCooldown": 60,
            "ScaleInCooldown": 300,
        }),
    })


def test_steps_out_fast_on_a_spike(default_service):
    _, template = default_service
    step_policies = template.find_resources("AWS::ApplicationAutoScaling::ScalingPolicy", {
        "Properties": {"PolicyType": "StepScaling"},
    })
    assert step_policies, "no step scaling policy"
    template.has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": "CPUUtilization",
        "Namespace": "AWS/ECS",
        "EvaluationPeriods": 1,
    })


def test_exposes_the_parts_it_creates(default_service):
    service, _ = default_service
    assert service.load_balancer.load_balancer_arn
    assert service.service.service_name
    assert service.task_definition.family
    assert service.scalable_task_count is not None
    assert service.url.startswith("http://")


def test_each_scaling_policy_asked_for(tuned):
    for metric_type, target in [
        ("ECSServiceAverageCPUUtilization", 40),
        ("ECSServiceAverageMemoryUtilization", 70),
        ("ALBRequestCountPerTarget", 500),
    ]:
        tuned.has_resource_properties("AWS::ApplicationAutoScaling::ScalingPolicy", {
            "TargetTrackingScalingPolicyConfiguration": Match.object_like({
                "PredefinedMetricSpecification": Match.object_like({"PredefinedMetricType": metric_type}),
                "TargetValue": target,
            }),
        })
    tuned.has_resource_properties("AWS::ApplicationAutoScaling::ScalableTarget", {
        "MinCapacity": 2,
        "MaxCapacity": 6,
    })


def test_internal_load_balancer_and_typed_task(tuned):
    tuned.has_resource_properties("AWS::ElasticLoadBalancingV2::LoadBalancer", {"Scheme": "internal"})
    tuned.has_resource_properties("AWS::ECS::TaskDefinition", {
        "Cpu": "512",
        "Memory": "1024",
        "Family": "webapp",
        "RequiresCompatibilities": ["FARGATE"],
        "ContainerDefinitions": [Match.object_like({
            "PortMappings": [Match.object_like({"ContainerPort": 8000, "Protocol": "tcp"})],
            "Environment": Match.array_with([{"Name": "TABLE_PARAMETER", "Value": "/go-on-aws/table"}]),
        })],
    })
    tuned.has_resource_properties("AWS::ElasticLoadBalancingV2::TargetGroup", {
        "TargetGroupAttributes": Match.array_with([{"Key": "deregistration_delay.timeout_seconds", "Value": "15"}]),
    })


def test_task_role_may_read_the_ssm_parameter(tuned):
    resource = Capture()
    tuned.has_resource_properties("AWS::IAM::Policy", {
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
            "Action": Match.array_with(["ssm:GetParameter"]),
            "Resource": resource,
        })])},
    })
    assert ":parameter/go-on-aws/table" in json.dumps(resource.as_object())


APP_IMAGE = str(Path(__file__).resolve().parent.parent / "fixtures" / "app-image")


def test_an_image_asset_built_for_arm64_runs_on_graviton():
    stack = new_stack()
    image = ecs.ContainerImage.from_asset(APP_IMAGE, platform=ecr_assets.Platform.LINUX_ARM64)
    LoadBalancedScalingService(stack, "Web", image=image)
    Template.from_stack(stack).has_resource_properties("AWS::ECS::TaskDefinition", {
        "RuntimePlatform": {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"},
    })


def test_an_image_asset_built_for_another_architecture_fails_with_both_named(stack):
    image = ecs.ContainerImage.from_asset(APP_IMAGE, platform=ecr_assets.Platform.LINUX_AMD64)
    with pytest.raises(RuntimeError, match=r"image must be built for the task's architecture, linux/arm64 \(from cpuArchitecture\)"):
        LoadBalancedScalingService(stack, "Web", image=image, cpu_architecture=ecs.CpuArchitecture.ARM64)
