"""ScheduledFargateEtl: the task, the schedule, the failure rule and the topic."""
import pytest
from aws_cdk import aws_ecs as ecs, aws_events as events, aws_s3 as s3
from aws_cdk.assertions import Template

from cdk_fargate_blueprints import ScheduledFargateEtl

from conftest import IMAGE, new_stack


@pytest.fixture(scope="module")
def monthly():
    stack = new_stack()
    bucket = s3.Bucket(stack, "Data", enforce_ssl=True)
    etl = ScheduledFargateEtl(
        stack, "MonthlyEtl",
        schedule=events.Schedule.cron(day="1", hour="4", minute="0"),
        image=IMAGE,
        ephemeral_storage_gib=50,
        bucket=bucket,
        environment={"DB_DATABASE_SCHEMA": "reporting"},
        mysql_sidecar={"database_name": "my_database"},
        notification_emails=["data-team@example.com"],
    )
    return stack, etl, Template.from_stack(stack)


def test_fargate_task_with_app_and_mysql_both_essential(monthly):
    _, etl, template = monthly
    template.has_resource_properties("AWS::ECS::TaskDefinition", {
        "Cpu": "1024",
        "Memory": "2048",
        "RequiresCompatibilities": ["FARGATE"],
        "EphemeralStorage": {"SizeInGiB": 50},
    })
    (task,) = template.find_resources("AWS::ECS::TaskDefinition").values()
    containers = {c["Name"]: c for c in task["Properties"]["ContainerDefinitions"]}
    app = containers[etl.app_container.container_name]
    mysql = containers[etl.mysql_container.container_name]
    assert app["Essential"] is True and mysql["Essential"] is True
    assert {"Name": "DB_DATABASE_SCHEMA", "Value": "reporting"} in app["Environment"]
    assert "mysql" in mysql["Image"]
    # the job starts only once MySQL answers
    assert {"ContainerName": mysql["Name"], "Condition": "HEALTHY"} in app["DependsOn"]


def test_runs_at_four_on_the_first_of_the_month(monthly):
    _, _, template = monthly
    template.has_resource_properties("AWS::Events::Rule", {
        "ScheduleExpression": "cron(0 4 1 * ? *)",
        "State": "ENABLED",
    })


def test_failure_rule_and_topic_with_the_email_subscription(monthly):
    stack, etl, template = monthly
    failure_rule_id = stack.get_logical_id(etl.failure_rule.node.default_child)
    failure_rule = template.to_json()["Resources"][failure_rule_id]
    assert failure_rule["Type"] == "AWS::Events::Rule"
    assert "EventPattern" in failure_rule["Properties"]
    template.resource_count_is("AWS::SNS::Topic", 1)
    template.has_resource_properties("AWS::SNS::Subscription", {
        "Protocol": "email",
        "Endpoint": "data-team@example.com",
    })
    assert etl.failure_topic.topic_arn


def test_task_role_reads_and_writes_the_bucket(monthly):
    stack, etl, template = monthly
    role_id = stack.get_logical_id(etl.task_role.node.default_child)
    policies = template.find_resources("AWS::IAM::Policy", {"Properties": {"Roles": [{"Ref": role_id}]}})
    actions = {
        action
        for policy in policies.values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }
    assert {"s3:ListBucket", "s3:GetObject", "s3:PutObject"} <= actions
