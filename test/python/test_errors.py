"""What a Python user sees for bad props: our validation messages, carried by jsii,
and the usual Python errors for a missing or mistyped argument."""
import re

import pytest
from aws_cdk import aws_applicationautoscaling as appscaling, aws_events as events
from aws_cdk.assertions import Match, Template

from cdk_fargate_blueprints import LoadBalancedScalingService, ScheduledCapacity, ScheduledFargateEtl, SsmDecoupledVpc

from conftest import IMAGE


def test_bad_parameter_prefix_raises_our_message(stack):
    with pytest.raises(RuntimeError) as error:
        SsmDecoupledVpc(stack, "Network", parameter_prefix="my-app/network")
    message = str(error.value)
    assert message.startswith('TestStack/Network: parameterPrefix must start with "/"')
    assert message.endswith('got "my-app/network"')


def test_unsupported_fargate_cpu_raises_our_message(stack):
    with pytest.raises(RuntimeError, match=r"^TestStack/Web: cpu must be one of 256, 512, 1024, 2048, 4096, 8192 or 16384 \(CPU units, 1024 = 1 vCPU\), got 300$"):
        LoadBalancedScalingService(stack, "Web", image=IMAGE, cpu=300)


def test_ephemeral_storage_out_of_range_raises_our_message(stack):
    with pytest.raises(RuntimeError, match=r"^TestStack/Etl: ephemeralStorageGiB must be a whole number from 21 to 200, got 20$"):
        ScheduledFargateEtl(stack, "Etl", schedule=events.Schedule.expression("rate(1 hour)"),
                            image=IMAGE, ephemeral_storage_gib=20)


def test_missing_required_prop_is_a_type_error(stack):
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'parameter_prefix'"):
        SsmDecoupledVpc(stack, "Network")  # pylint: disable=missing-kwoa
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'image'"):
        LoadBalancedScalingService(stack, "Web")


def test_prop_of_the_wrong_type_is_a_type_error(stack):
    with pytest.raises(TypeError, match="max_azs"):
        SsmDecoupledVpc(stack, "Network", parameter_prefix="/my-app/network", max_azs="two")


def test_unknown_prop_is_a_type_error(stack):
    with pytest.raises(TypeError, match="unexpected keyword argument 'parameterPrefix'"):
        SsmDecoupledVpc(stack, "Network", parameterPrefix="/my-app/network")


def test_a_dict_inside_a_list_is_refused_with_how_to_write_it(stack):
    # jsii turns `scaling={...}` into a ServiceScalingOptions, but not the dicts inside
    # `schedules`: its kernel keeps only the keys the struct declares (id, schedule), so the
    # schedule arrives without min_capacity, and the message says what to write instead
    with pytest.raises(RuntimeError, match=re.escape(
        'TestStack/Web: scaling.schedules[0] must set minCapacity, maxCapacity or both '
        '(from Python, write the items of the list as ScheduledCapacity(...): jsii drops the keys of a dict inside a list), '
        'got "Rush"'
    )):
        LoadBalancedScalingService(stack, "Web", image=IMAGE, scaling={
            "schedules": [{"id": "Rush", "schedule": appscaling.Schedule.cron(hour="8", minute="0"), "min_capacity": 4}],
        })


def test_the_struct_class_inside_a_list_is_accepted(stack):
    LoadBalancedScalingService(stack, "Web", image=IMAGE, scaling={
        "schedules": [ScheduledCapacity(id="Rush", schedule=appscaling.Schedule.cron(hour="8", minute="0"), min_capacity=4)],
    })
    Template.from_stack(stack).has_resource_properties("AWS::ApplicationAutoScaling::ScalableTarget", {
        "ScheduledActions": [Match.object_like({"ScalableTargetAction": {"MinCapacity": 4}})],
    })
