"""WordpressFargateSite: EFS, Aurora Serverless v2 with a floor of 0, and the two containers."""
import pytest
from aws_cdk import RemovalPolicy
from aws_cdk.assertions import Match, Template

from cdk_fargate_blueprints import WordpressFargateSite

from conftest import new_stack


@pytest.fixture(scope="module")
def blog():
    stack = new_stack()
    site = WordpressFargateSite(stack, "Blog", database={"min_capacity": 0, "max_capacity": 4})
    return stack, site, Template.from_stack(stack)


def test_encrypted_efs_web_root_kept_by_default(blog):
    _, site, template = blog
    template.has_resource("AWS::EFS::FileSystem", {
        "Properties": Match.object_like({"Encrypted": True}),
        # kept on delete and replacement (not after a failed first creation)
        "DeletionPolicy": "RetainExceptOnCreate",
        "UpdateReplacePolicy": "Retain",
    })
    template.resource_count_is("AWS::EFS::AccessPoint", 1)
    assert site.file_system.file_system_id


def test_aurora_mysql_serverless_v2_that_can_pause(blog):
    _, site, template = blog
    template.has_resource_properties("AWS::RDS::DBCluster", {
        "Engine": "aurora-mysql",
        "StorageEncrypted": True,
        "ServerlessV2ScalingConfiguration": {"MinCapacity": 0, "MaxCapacity": 4},
    })
    template.has_resource_properties("AWS::RDS::DBInstance", {"DBInstanceClass": "db.serverless"})
    assert site.database.cluster_identifier


def test_nginx_and_php_share_the_web_root(blog):
    _, site, template = blog
    (task,) = template.find_resources("AWS::ECS::TaskDefinition").values()
    containers = {c["Name"]: c for c in task["Properties"]["ContainerDefinitions"]}
    for member in (site.nginx_container, site.wordpress_container):
        container = containers[member.container_name]
        assert container["Essential"] is True
        assert [m["ContainerPath"] for m in container["MountPoints"]] == ["/var/www/html"]
    assert containers[site.nginx_container.container_name]["MountPoints"][0]["ReadOnly"] is True
    assert containers[site.wordpress_container.container_name]["MountPoints"][0]["ReadOnly"] is False


def test_behind_a_load_balancer_with_scaling(blog):
    _, site, template = blog
    template.resource_count_is("AWS::ElasticLoadBalancingV2::LoadBalancer", 1)
    template.has_resource_properties("AWS::ApplicationAutoScaling::ScalableTarget", {"MinCapacity": 1})
    assert site.url.startswith("http")


def test_snapshot_removal_policy_snapshots_the_database():
    stack = new_stack()
    WordpressFargateSite(stack, "Blog", removal_policy=RemovalPolicy.SNAPSHOT)
    Template.from_stack(stack).has_resource("AWS::RDS::DBCluster", {"DeletionPolicy": "Snapshot"})
