package io.github.cdkfargateblueprints.bindingtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkfargateblueprints.LoadBalancedScalingService;
import io.github.cdkfargateblueprints.ScheduledCapacity;
import io.github.cdkfargateblueprints.ServiceScalingOptions;
import io.github.cdkfargateblueprints.SsmDecoupledVpc;
import io.github.cdkfargateblueprints.SsmDecoupledVpcImportProps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.applicationautoscaling.CronOptions;
import software.amazon.awscdk.services.applicationautoscaling.Schedule;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ecs.ContainerImage;

/**
 * The sample's network and service stacks, written in Java: an SsmDecoupledVpc publishes the
 * network through SSM, and a LoadBalancedScalingService in another stack runs in it, found
 * through those parameters only.
 */
class NetworkAndServiceTest {
  private static final String PREFIX = "/go-on-aws/network";
  /** CDK's CloudFormation validation in strict mode, as in the TypeScript and Python tests. */
  private static final Map<String, Object> STRICT_VALIDATION = Map.of(
      "@aws-cdk/core:validateAgainstDefaultRules", true,
      "@aws-cdk/core:strictCfnValidateErrors", true);

  private static Template network;
  private static Template service;
  private static LoadBalancedScalingService web;

  @BeforeAll
  static void synthesize() {
    App app = new App(AppProps.builder().context(STRICT_VALIDATION).build());

    Stack networkStack = new Stack(app, "Network");
    SsmDecoupledVpc.Builder.create(networkStack, "Network")
        .parameterPrefix(PREFIX)
        .vpcIdParameterName("/go-on-aws/vpc")
        .build();

    Stack serviceStack = new Stack(app, "Service");
    IVpc vpc = SsmDecoupledVpc.fromParameters(serviceStack, "Vpc",
        SsmDecoupledVpcImportProps.builder().parameterPrefix(PREFIX).build());
    web = LoadBalancedScalingService.Builder.create(serviceStack, "Web")
        .image(ContainerImage.fromRegistry("public.ecr.aws/aws-containers/hello-app-runner:latest"))
        .containerPorts(List.of(8000))
        .cpu(512)
        .memoryLimitMiB(1024)
        .vpc(vpc)
        .scaling(ServiceScalingOptions.builder()
            .minCapacity(1)
            .maxCapacity(5)
            .cpuTargetPercent(50)
            .memoryTargetPercent(50)
            .schedules(List.of(ScheduledCapacity.builder()
                .id("MorningRush")
                .schedule(Schedule.cron(CronOptions.builder().weekDay("MON-FRI").hour("8").minute("45").build()))
                .minCapacity(3)
                .build()))
            .build())
        .build();
    serviceStack.addStackDependency(networkStack);

    network = Template.fromStack(networkStack);
    service = Template.fromStack(serviceStack);
  }

  @Test
  void networkPublishesTheVpcInSsm() {
    network.resourceCountIs("AWS::EC2::VPC", 1);
    for (String name : List.of(PREFIX + "/vpc-id", PREFIX + "/availability-zones",
        PREFIX + "/public/subnet-ids", PREFIX + "/private-with-egress/subnet-ids", "/go-on-aws/vpc")) {
      network.hasResourceProperties("AWS::SSM::Parameter", Map.of("Name", name, "Type", "String"));
    }
  }

  @Test
  void serviceFindsTheVpcThroughSsmParametersNotExports() {
    service.hasParameter("*", Map.of(
        "Type", "AWS::SSM::Parameter::Value<String>",
        "Default", PREFIX + "/private-with-egress/subnet-ids"));
    String template = service.toJSON().toString() + network.toJSON().toString();
    assertFalse(template.contains("Fn::ImportValue"), "no stack imports an export");
    service.resourceCountIs("AWS::EC2::VPC", 0);
  }

  @Test
  void serviceBehindAnInternetFacingLoadBalancerRollsBackFailedDeployments() {
    service.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer",
        Map.of("Scheme", "internet-facing", "Type", "application"));
    service.hasResourceProperties("AWS::ECS::Service", Map.of(
        "LaunchType", "FARGATE",
        "DeploymentConfiguration", Match.objectLike(Map.of(
            "DeploymentCircuitBreaker", Map.of("Enable", true, "Rollback", true)))));
    service.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of(
        "Cpu", "512",
        "Memory", "1024",
        "ContainerDefinitions", List.of(Match.objectLike(Map.of(
            "PortMappings", List.of(Match.objectLike(Map.of("ContainerPort", 8000))))))));
  }

  @Test
  void scalesOnCpuAndMemoryAndOnSchedule() {
    service.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Map.of(
        "MinCapacity", 1,
        "MaxCapacity", 5,
        "ScheduledActions", List.of(Match.objectLike(Map.of(
            "Schedule", "cron(45 8 ? * MON-FRI *)",
            "ScalableTargetAction", Map.of("MinCapacity", 3))))));
    for (String metric : List.of("ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization")) {
      service.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Map.of(
          "TargetTrackingScalingPolicyConfiguration", Match.objectLike(Map.of(
              "PredefinedMetricSpecification", Map.of("PredefinedMetricType", metric),
              "TargetValue", 50))));
    }
  }

  @Test
  void exposesTheUrlAndTheParts() {
    assertTrue(web.getUrl().startsWith("http://"));
    assertNotNull(web.getScalableTaskCount());
    assertEquals(List.of("public.ecr.aws/aws-containers/hello-app-runner:latest"),
        service.findResources("AWS::ECS::TaskDefinition").values().stream()
            .map(task -> ((Map<?, ?>) ((List<?>) ((Map<?, ?>) ((Map<?, ?>) task).get("Properties")).get("ContainerDefinitions")).get(0)).get("Image"))
            .toList());
  }

  @Test
  void badPropsRaiseTheValidationMessage() {
    Stack stack = new Stack(new App(), "TestStack");
    RuntimeException error = assertThrows(RuntimeException.class, () ->
        SsmDecoupledVpc.Builder.create(stack, "Network").parameterPrefix("my-app/network").build());
    assertTrue(error.getMessage().startsWith("TestStack/Network: parameterPrefix must start with \"/\""), error.getMessage());
    assertTrue(error.getMessage().contains("got \"my-app/network\""), error.getMessage());
  }

  @Test
  void aMissingRequiredPropIsRefusedByTheBuilder() {
    Stack stack = new Stack(new App(), "TestStack");
    NullPointerException error = assertThrows(NullPointerException.class, () ->
        SsmDecoupledVpc.Builder.create(stack, "Network").build());
    assertTrue(error.getMessage().contains("parameterPrefix"), error.getMessage());
  }
}
