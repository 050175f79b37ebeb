import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { LoadBalancedScalingService, LoadBalancedScalingServiceProps, SsmDecoupledVpc } from '../src';
import { APP_IMAGE_DIRECTORY, appWithVpcToLookUp, assetImage, buildAndSynth, Built as BuiltIn, IMAGE, ingressOf, logicalIdOf, only, REGION_ENV, synth } from './support';

/** The service the tests build, with `props` (plus what `extra` builds first), synthesized in a fresh app. */
type Built = Omit<BuiltIn<LoadBalancedScalingService>, 'construct'> & { readonly web: LoadBalancedScalingService };

function build(props: Partial<LoadBalancedScalingServiceProps> = {}, extra?: (stack: Stack) => Partial<LoadBalancedScalingServiceProps>): Built {
  const { construct: web, ...built } = buildAndSynth((stack) =>
    new LoadBalancedScalingService(stack, 'Web', { image: IMAGE, ...extra?.(stack), ...props }), { env: REGION_ENV });
  return { web, ...built };
}

describe('LoadBalancedScalingService with default props', () => {
  let b: Built;
  beforeAll(() => {
    b = build();
  });

  test('creates its own VPC with two zones, no NAT gateway, public and isolated subnets at the addresses they had, and flow logs', () => {
    b.template.resourceCountIs('AWS::EC2::VPC', 1);
    b.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    b.template.resourceCountIs('AWS::EC2::EIP', 0);
    b.template.resourceCountIs('AWS::EC2::FlowLog', 1);
    expect(b.web.vpc.publicSubnets).toHaveLength(2);
    expect(b.web.vpc.isolatedSubnets).toHaveLength(2);
    // the private subnets keep their construct ids (PrivateSubnet1, 2) and addresses: an
    // update from the layout with a NAT gateway replaces no subnet
    const subnets = b.template.findResources('AWS::EC2::Subnet');
    expect(Object.keys(subnets).filter((id) => /PrivateSubnet\d/.test(id))).toHaveLength(2);
    expect(Object.values(subnets).map((r) => r.Properties.CidrBlock)).toEqual(['10.0.0.0/18', '10.0.64.0/18', '10.0.128.0/18', '10.0.192.0/18']);
  });

  test('creates a cluster without Container Insights (opt-in, billed per metric) in that VPC', () => {
    b.template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }] });
    expect(b.web.cluster.vpc).toBe(b.web.vpc);
  });

  test('the task definition requires FARGATE with 256 CPU units and 512 MiB on ARM64 (Graviton)', () => {
    b.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '256',
      Memory: '512',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
  });

  test('the circuit breaker, which stops a deployment whose image is built for another architecture, is on with rollback', () => {
    // what makes Graviton a safe default: an x86-only image exits at once on ARM64, and
    // ECS stops the deployment after 3 failed tasks instead of retrying it for ever
    b.template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
    });
  });

  test('the container maps port 80 over tcp and logs to a log group kept one month', () => {
    const logGroup = logicalIdOf(b.template, 'AWS::Logs::LogGroup', /^WebLogs/);
    b.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Name: 'web',
        Image: 'public.ecr.aws/aws-containers/hello-app-runner:latest',
        Essential: true,
        PortMappings: [{ ContainerPort: 80, Protocol: 'tcp' }],
        LogConfiguration: { LogDriver: 'awslogs', Options: Match.objectLike({ 'awslogs-group': { Ref: logGroup } }) },
      })],
    });
    b.template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
  });

  test('in its own VPC (no NAT gateway) the service runs on the latest Fargate platform in public subnets, with public IPs for its outbound calls', () => {
    const service = only(b.template, 'AWS::ECS::Service').Properties;
    expect(service.LaunchType).toBe('FARGATE');
    expect(service.PlatformVersion).toBe('LATEST');
    expect(service.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('ENABLED');
    expect(service.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups).toHaveLength(1);
    expect(service.NetworkConfiguration.AwsvpcConfiguration.Subnets).toEqual(
      b.web.vpc.publicSubnets.map((s) => b.stack.resolve(s.subnetId)));
  });

  test('sets no desired count, so deployments keep the number of tasks scaling chose', () => {
    expect(only(b.template, 'AWS::ECS::Service').Properties.DesiredCount).toBeUndefined();
  });

  test('rolls a failed deployment back, keeping 100% healthy during deployments', () => {
    b.template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
      HealthCheckGracePeriodSeconds: 60,
    });
  });

  test('the load balancer is an internet-facing application load balancer', () => {
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'application',
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' }]),
    });
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
  });

  test('the load balancer admits 0.0.0.0/0 on the listener port, and nothing else', () => {
    const lbSecurityGroup = b.stack.resolve(b.web.loadBalancer.connections.securityGroups[0].securityGroupId)['Fn::GetAtt'][0];
    expect(b.template.toJSON().Resources[lbSecurityGroup].Properties.SecurityGroupIngress).toEqual([
      { CidrIp: '0.0.0.0/0', Description: 'Allow from anyone on port 80', FromPort: 80, ToPort: 80, IpProtocol: 'tcp' },
    ]);
  });

  test('the container port admits traffic only from the load balancer\'s security group', () => {
    const lbSecurityGroup = b.stack.resolve(b.web.loadBalancer.connections.securityGroups[0].securityGroupId);
    const serviceSecurityGroup = b.stack.resolve(b.web.service.connections.securityGroups[0].securityGroupId);
    const ingress = Object.values(b.template.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter((r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify(serviceSecurityGroup));
    expect(ingress.map((r) => r.Properties)).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, SourceSecurityGroupId: lbSecurityGroup }),
    ]);
    const inline = Object.values(b.template.findResources('AWS::EC2::SecurityGroup'))
      .find((r) => r.Properties.GroupDescription?.includes('Web/Service/Service/SecurityGroup'));
    expect(inline).toBeDefined();
    expect(inline!.Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('health checks / with 200, every 10 seconds, two passes put a task into service', () => {
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      HealthCheckPath: '/',
      Matcher: { HttpCode: '200' },
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
  });

  test('scales between 1 and 4 tasks on the service\'s desired count', () => {
    b.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'ecs:service:DesiredCount',
      ServiceNamespace: 'ecs',
      MinCapacity: 1,
      MaxCapacity: 4,
    });
  });

  test('tracks 50% average CPU, scaling out after 60 s and in after 300 s', () => {
    b.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 50,
        ScaleOutCooldown: 60,
        ScaleInCooldown: 300,
      },
    });
    b.template.resourcePropertiesCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', { PolicyType: 'TargetTrackingScaling' }, 1);
  });

  test('scales out on a single one-minute datapoint of CPU at 80%: +50%, +100% from 95%', () => {
    const policy = logicalIdOf(b.template, 'AWS::ApplicationAutoScaling::ScalingPolicy', /CpuSpikeScaling/);
    b.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: {
        AdjustmentType: 'PercentChangeInCapacity',
        MinAdjustmentMagnitude: 1,
        Cooldown: 60,
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 15, ScalingAdjustment: 50 },
          { MetricIntervalLowerBound: 15, ScalingAdjustment: 100 },
        ],
      },
    });
    b.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 80,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: policy }],
    });
    // no scale-in from the step policy: target tracking owns scale-in
    b.template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
  });

  test('writes access logs to an encrypted, private, TLS-only bucket that keeps them 90 days and is retained', () => {
    const bucket = logicalIdOf(b.template, 'AWS::S3::Bucket');
    b.template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: { Rules: [{ ExpirationInDays: 90, Status: 'Enabled' }] },
      },
      DeletionPolicy: 'Retain',
    });
    b.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: bucket } },
      ]),
    });
    expect(b.web.accessLogsBucket).toBeDefined();
  });

  test('exposes the url of the load balancer', () => {
    expect(b.stack.resolve(b.web.url)).toEqual({ 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [logicalIdOf(b.template, 'AWS::ElasticLoadBalancingV2::LoadBalancer'), 'DNSName'] }]] });
  });

  test('exposes the parts it creates', () => {
    expect(b.web.service).toBe(b.web.loadBalancedService.service);
    expect(b.web.taskDefinition.defaultContainer).toBe(b.web.container);
    expect(b.web.targetGroup).toBe(b.web.loadBalancedService.targetGroup);
    expect(b.web.listener).toBe(b.web.loadBalancedService.listener);
    expect(b.web.redirectListener).toBeUndefined();
    expect(b.web.logGroup).toBeDefined();
    expect(b.web.scalableTaskCount).toBeDefined();
  });

  test('synthesizes without warnings (no minHealthyPercent or circuit breaker notice from CDK)', () => {
    expect(b.synthesized.allWarnings()).toEqual([]);
  });

  test('matches the reviewed snapshot', () => {
    expect(b.json).toMatchSnapshot();
  });
});

describe('LoadBalancedScalingService in an imported VPC, internal, with every container prop', () => {
  let b: Built;
  let tableParameter: ssm.IStringParameter;
  beforeAll(() => {
    b = build({
      containerPorts: [8000, 9000],
      containerName: 'app',
      cpu: 1024,
      memoryLimitMiB: 4096,
      ephemeralStorageGiB: 40,
      family: 'webapp',
      cpuArchitecture: ecs.CpuArchitecture.ARM64,
      environment: { STAGE: 'test' },
      command: ['python', 'app.py'],
      containerHealthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8000/ || exit 1'] },
      logRetention: logs.RetentionDays.ONE_WEEK,
      publicLoadBalancer: false,
      listenerPort: 8080,
      healthCheckPath: '/health',
      healthyHttpCodes: '200,401',
      healthCheckInterval: Duration.seconds(15),
      healthCheckGracePeriod: Duration.seconds(120),
      deregistrationDelay: Duration.seconds(5),
      desiredCount: 2,
      minHealthyPercent: 50,
      maxHealthyPercent: 150,
      serviceName: 'webapp',
      taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      containerInsights: false,
      accessLogs: false,
    }, (stack) => {
      tableParameter = new ssm.StringParameter(stack, 'TableParameter', { parameterName: '/go-on-aws/table', stringValue: 'items' });
      const secret = new secretsmanager.Secret(stack, 'ApiKey');
      return {
        vpc: SsmDecoupledVpc.fromParameters(stack, 'Vpc', { parameterPrefix: '/my-app/network' }),
        ssmParameters: { TABLE_PARAMETER: tableParameter },
        secrets: { API_KEY: ecs.Secret.fromSecretsManager(secret, 'key') },
      };
    });
  });

  test('the cluster uses the VPC given', () => {
    b.template.resourceCountIs('AWS::EC2::VPC', 0);
    expect(b.web.cluster.vpc).toBe(b.web.vpc);
    const vpcId = Object.entries<any>(b.json.Parameters).find(([, p]) => p.Default === '/my-app/network/vpc-id')![0];
    b.template.allResourcesProperties('AWS::EC2::SecurityGroup', { VpcId: { Ref: vpcId } });
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { VpcId: { Ref: vpcId } });
  });

  test('in a VPC given, the tasks run in its private subnets without public IPs', () => {
    const network = only(b.template, 'AWS::ECS::Service').Properties.NetworkConfiguration.AwsvpcConfiguration;
    expect(network.AssignPublicIp).toBe('DISABLED');
    expect(network.Subnets).toEqual(b.web.vpc.privateSubnets.map((s) => b.stack.resolve(s.subnetId)));
  });

  test('the task definition carries the cpu, memory, storage, family and architecture given', () => {
    b.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '1024',
      Memory: '4096',
      EphemeralStorage: { SizeInGiB: 40 },
      Family: 'webapp',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
  });

  test('the container maps every port given, and the first receives the load balancer\'s traffic', () => {
    b.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Name: 'app',
        PortMappings: [{ ContainerPort: 8000, Protocol: 'tcp' }, { ContainerPort: 9000, Protocol: 'tcp' }],
        Command: ['python', 'app.py'],
        HealthCheck: Match.objectLike({ Command: ['CMD-SHELL', 'curl -f http://localhost:8000/ || exit 1'] }),
      })],
    });
    b.template.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [Match.objectLike({ ContainerName: 'app', ContainerPort: 8000 })] });
  });

  test('environment variables, secrets and SSM parameter names reach the container', () => {
    const container = only(b.template, 'AWS::ECS::TaskDefinition').Properties.ContainerDefinitions[0];
    expect(container.Environment).toEqual([
      { Name: 'STAGE', Value: 'test' },
      { Name: 'TABLE_PARAMETER', Value: b.stack.resolve(tableParameter.parameterName) },
    ]);
    expect(container.Secrets).toEqual([{ Name: 'API_KEY', ValueFrom: expect.anything() }]);
  });

  test('the task role may read exactly the SSM parameter given', () => {
    const taskRole = b.stack.resolve(b.web.taskDefinition.taskRole.roleName);
    const policies = Object.values(b.template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([taskRole]));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: ['ssm:DescribeParameters', 'ssm:GetParameter', 'ssm:GetParameterHistory', 'ssm:GetParameters'],
      Resource: b.stack.resolve(tableParameter.parameterArn),
    }]);
  });

  test('the internal load balancer admits only the VPC\'s CIDR on the listener port', () => {
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8080, Protocol: 'HTTP' });
    const lbSecurityGroup = b.stack.resolve(b.web.loadBalancer.connections.securityGroups[0].securityGroupId)['Fn::GetAtt'][0];
    const cidr = Object.entries<any>(b.json.Parameters).find(([, p]) => p.Default === '/my-app/network/vpc-cidr')![0];
    expect(b.template.toJSON().Resources[lbSecurityGroup].Properties.SecurityGroupIngress).toEqual([
      { CidrIp: { Ref: cidr }, Description: 'from the VPC', FromPort: 8080, ToPort: 8080, IpProtocol: 'tcp' },
    ]);
    expect(JSON.stringify(b.json)).not.toContain('0.0.0.0/0"},{"');
  });

  test('health check path, healthy codes, interval, grace period and deregistration delay as given', () => {
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health',
      Matcher: { HttpCode: '200,401' },
      HealthCheckIntervalSeconds: 15,
      HealthCheckTimeoutSeconds: 5,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }]),
    });
    b.template.hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: 120 });
  });

  test('the service has the desired count, deployment limits and name given', () => {
    b.template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 2,
      ServiceName: 'webapp',
      DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 50, MaximumPercent: 150 }),
    });
  });

  test('logs are kept as long as asked', () => {
    b.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  test('without Container Insights and without access logs when asked', () => {
    b.template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }] });
    b.template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(b.web.accessLogsBucket).toBeUndefined();
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.not(Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }])),
    });
  });

  test('the url names the listener port', () => {
    expect(JSON.stringify(b.stack.resolve(b.web.url))).toContain(':8080');
  });

  test('synthesizes without warnings', () => {
    expect(b.synthesized.allWarnings()).toEqual([]);
  });

  test('matches the reviewed snapshot', () => {
    expect(b.json).toMatchSnapshot();
  });
});

describe('LoadBalancedScalingService over HTTPS, on Spot, with every scaling option', () => {
  let b: Built;
  beforeAll(() => {
    b = build({
      containerPorts: [8000],
      scaling: {
        minCapacity: 2,
        maxCapacity: 20,
        cpuTargetPercent: 60,
        memoryTargetPercent: 70,
        requestsPerTarget: 400,
        scaleOutCooldown: Duration.seconds(30),
        scaleInCooldown: Duration.minutes(10),
        schedules: [
          { id: 'PreWarm', schedule: appscaling.Schedule.cron({ hour: '8', minute: '50' }), minCapacity: 10, timeZone: TimeZone.EUROPE_BERLIN },
          { id: 'CoolDown', schedule: appscaling.Schedule.cron({ hour: '10', minute: '0' }), minCapacity: 2, maxCapacity: 20 },
        ],
      },
      fargateSpot: true,
      onDemandBaseTasks: 2,
      spotWeight: 4,
      enableExecuteCommand: true,
    }, (stack) => {
      const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
      return {
        certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd1234-ab12-cd34-ef56-abcdef123456'),
        domainName: 'web.example.com',
        domainZone: zone,
      };
    });
  });

  test('serves HTTPS on 443 with the certificate and a TLS 1.2+ policy', () => {
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd1234-ab12-cd34-ef56-abcdef123456' }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
  });

  test('redirects HTTP on 80 to HTTPS', () => {
    b.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' } }],
    });
    expect(b.web.redirectListener).toBeDefined();
  });

  test('points the domain name at the load balancer and uses it in the url', () => {
    b.template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'web.example.com.', Type: 'A', HostedZoneId: 'Z0123456789ABCDEFGHIJ' });
    expect(b.web.url).toBe('https://web.example.com');
  });

  test('tracks CPU, memory and requests per target with the cooldowns given', () => {
    const tracking = (metric: string, value: number) => b.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: metric }),
        TargetValue: value,
        ScaleOutCooldown: 30,
        ScaleInCooldown: 600,
      }),
    });
    tracking('ECSServiceAverageCPUUtilization', 60);
    tracking('ECSServiceAverageMemoryUtilization', 70);
    tracking('ALBRequestCountPerTarget', 400);
    b.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 20 });
  });

  test('adds a fast step on requests: 600 per target and minute (+50%), 1200 (+100%)', () => {
    b.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'RequestCountPerTarget',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 600,
    });
    b.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyName: Match.stringLikeRegexp('RequestSpikeScaling'),
      StepScalingPolicyConfiguration: Match.objectLike({
        Cooldown: 30,
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 600, ScalingAdjustment: 50 },
          { MetricIntervalLowerBound: 600, ScalingAdjustment: 100 },
        ],
      }),
    });
    b.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Threshold: 90 });
  });

  test('pre-warms on schedule, in the time zone given', () => {
    b.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScheduledActions: [
        { ScheduledActionName: 'PreWarm', Schedule: 'cron(50 8 * * ? *)', ScalableTargetAction: { MinCapacity: 10 }, Timezone: 'Europe/Berlin' },
        { ScheduledActionName: 'CoolDown', Schedule: 'cron(0 10 * * ? *)', ScalableTargetAction: { MinCapacity: 2, MaxCapacity: 20 } },
      ],
    });
  });

  test('runs on Fargate Spot beyond an on-demand base', () => {
    b.template.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: [
        { CapacityProvider: 'FARGATE', Base: 2, Weight: 1 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 4 },
      ],
    });
    b.template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
    });
    expect(only(b.template, 'AWS::ECS::Service').Properties.LaunchType).toBeUndefined();
  });

  test('the service is created after the cluster\'s capacity provider associations, not before', () => {
    const association = logicalIdOf(b.template, 'AWS::ECS::ClusterCapacityProviderAssociations');
    expect(only(b.template, 'AWS::ECS::Service').DependsOn).toContain(association);
  });

  test('allows ECS Exec, with the Session Manager channel on the task role', () => {
    b.template.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: true });
    b.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
        })]),
      },
    });
  });

  test('synthesizes without warnings', () => {
    expect(b.synthesized.allWarnings()).toEqual([]);
  });

  test('matches the reviewed snapshot', () => {
    expect(b.json).toMatchSnapshot();
  });
});

/**
 * Fargate runs a task on the architecture its definition names (ECS Developer Guide,
 * "Specifying the ARM architecture in an Amazon ECS task definition"); a container built for
 * the other one exits at once. An image asset with a platform says what it is built for; a
 * registry image does not, and runs on Graviton unless told (the hello-app-runner image is
 * built for x86 only and must be told); an asset without a platform is built for the
 * deploying machine, most often x86, and Fargate Spot runs x86 only.
 */
describe('LoadBalancedScalingService runs where its image is built', () => {
  const architectureOf = (b: Built) => only(b.template, 'AWS::ECS::TaskDefinition').Properties.RuntimePlatform.CpuArchitecture;

  test('an image asset built for linux/arm64 runs on ARM64 (Graviton) without being told, and is built for it', () => {
    const b = build({ image: assetImage(ecrAssets.Platform.LINUX_ARM64) });
    expect(architectureOf(b)).toBe('ARM64');
    expect(b.synthesized.dockerImages(b.stack).map((i) => i.platform)).toEqual(['linux/arm64']);
    expect(b.synthesized.allWarnings()).toEqual([]);
  });

  test('an image asset built for linux/amd64 runs on x86', () => {
    expect(architectureOf(build({ image: assetImage(ecrAssets.Platform.LINUX_AMD64) }))).toBe('X86_64');
  });

  test('a registry image runs on ARM64 unless told, and on x86 when told', () => {
    expect(architectureOf(build({ image: IMAGE }))).toBe('ARM64');
    expect(architectureOf(build({ image: IMAGE, cpuArchitecture: ecs.CpuArchitecture.X86_64 }))).toBe('X86_64');
  });

  test('an ECR image, and one named by a tag parameter, run on ARM64 unless told', () => {
    const repository = (stack: Stack) => ecr.Repository.fromRepositoryName(stack, 'Repository', 'app');
    expect(architectureOf(build({}, (stack) => ({ image: ecs.ContainerImage.fromEcrRepository(repository(stack), 'v1') })))).toBe('ARM64');
    expect(architectureOf(build({}, (stack) => ({ image: new ecs.TagParameterContainerImage(repository(stack)) })))).toBe('ARM64');
  });

  test('an image the deploying machine builds without saying for which platform runs on x86, that machine\'s most likely architecture', () => {
    expect(architectureOf(build({ image: assetImage() }))).toBe('X86_64');
    // fromDockerImageAsset hides the asset's platform, and fromTarball has none
    expect(architectureOf(build({}, (stack) => ({
      image: ecs.ContainerImage.fromDockerImageAsset(new ecrAssets.DockerImageAsset(stack, 'Built', { directory: APP_IMAGE_DIRECTORY })),
    })))).toBe('X86_64');
    const tarball = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tarball-')), 'image.tar');
    fs.writeFileSync(tarball, 'an image saved with docker save');
    expect(architectureOf(build({ image: ecs.ContainerImage.fromTarball(tarball) }))).toBe('X86_64');
  });

  test('Fargate Spot, which runs x86 only, keeps a registry image on x86 without being told', () => {
    const b = build({ fargateSpot: true });
    expect(architectureOf(b)).toBe('X86_64');
    expect(b.synthesized.allWarnings()).toEqual([]);
  });

  test('a platform is read as Docker reads it: aarch64 is arm64, case and variant do not matter', () => {
    expect(architectureOf(build({ image: assetImage(ecrAssets.Platform.custom('linux/aarch64')) }))).toBe('ARM64');
    expect(architectureOf(build({ image: assetImage(ecrAssets.Platform.custom('LINUX/ARM64/v8')) }))).toBe('ARM64');
    expect(architectureOf(build({ image: assetImage(ecrAssets.Platform.custom('linux/x86_64')) }))).toBe('X86_64');
  });

  test('an asset built for both architectures runs on ARM64 unless told, and on x86 when told', () => {
    const both = () => assetImage(ecrAssets.Platform.custom('linux/amd64,linux/arm64'));
    expect(architectureOf(build({ image: both() }))).toBe('ARM64');
    expect(architectureOf(build({ image: both(), cpuArchitecture: ecs.CpuArchitecture.X86_64 }))).toBe('X86_64');
  });

  test('the architecture given is kept when the asset agrees with it or says nothing', () => {
    expect(architectureOf(build({ image: assetImage(ecrAssets.Platform.LINUX_ARM64), cpuArchitecture: ecs.CpuArchitecture.ARM64 }))).toBe('ARM64');
    expect(architectureOf(build({ image: assetImage(), cpuArchitecture: ecs.CpuArchitecture.ARM64 }))).toBe('ARM64');
  });
});

describe('LoadBalancedScalingService gives its tasks a public IP in public subnets, their only way out', () => {
  const networkOf = (b: Built) => only(b.template, 'AWS::ECS::Service').Properties.NetworkConfiguration.AwsvpcConfiguration;

  test('the public subnets of its own VPC, chosen explicitly', () => {
    const b = build({ taskSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
    expect(networkOf(b).AssignPublicIp).toBe('ENABLED');
    expect(networkOf(b).Subnets).toEqual(b.web.vpc.publicSubnets.map((s) => b.stack.resolve(s.subnetId)));
  });

  test('public subnets of a VPC given, chosen by group name or by id, are public subnets too', () => {
    const onlyPublic = (stack: Stack) => new ec2.Vpc(stack, 'Shared', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Front', subnetType: ec2.SubnetType.PUBLIC }] });
    expect(networkOf(build({ taskSubnets: { subnetGroupName: 'Front' } }, (stack) => ({ vpc: onlyPublic(stack) }))).AssignPublicIp).toBe('ENABLED');
    expect(networkOf(build({}, (stack) => {
      const vpc = onlyPublic(stack);
      const [first] = vpc.publicSubnets;
      return { vpc, taskSubnets: { subnets: [ec2.Subnet.fromSubnetAttributes(stack, 'ById', { subnetId: first.subnetId, routeTableId: first.routeTable.routeTableId })] } };
    })).AssignPublicIp).toBe('ENABLED');
  });

  test('the public subnets of a VPC given, and none in its private ones', () => {
    const extra = (stack: Stack) => ({ vpc: new ec2.Vpc(stack, 'Shared', { maxAzs: 2, natGateways: 1 }) });
    expect(networkOf(build({ taskSubnets: { subnetType: ec2.SubnetType.PUBLIC } }, extra)).AssignPublicIp).toBe('ENABLED');
    expect(networkOf(build({}, extra)).AssignPublicIp).toBe('DISABLED');
  });
});

describe('LoadBalancedScalingService, other choices', () => {
  test('records Container Insights when asked (opt-in: billed per metric)', () => {
    const { template } = build({ containerInsights: true });
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });

  test('looks a VPC up by name from the values cached in cdk.context.json', () => {
    const { app, env } = appWithVpcToLookUp('go-on-aws');
    const stack = new Stack(app, 'TestStack', { env });
    const web = new LoadBalancedScalingService(stack, 'Web', { image: IMAGE, vpcName: 'go-on-aws' });
    const synthesized = synth(app);
    expect(web.vpc.vpcId).toBe('vpc-0a1b2c3d4e5f60718');
    expect(synthesized.assembly.manifest.missing).toBeUndefined();
    synthesized.template(stack).hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ Subnets: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'] }) },
    });
  });

  test('runs in a cluster given, and enables the Fargate capacity providers on it for Spot', () => {
    const { template, web } = build({ fargateSpot: true }, (stack) => {
      const vpc = new ec2.Vpc(stack, 'SharedVpc', { maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false });
      vpc.addFlowLog('FlowLog');
      return { cluster: new ecs.Cluster(stack, 'Shared', { vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED }) };
    });
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }] });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', { CapacityProviders: ['FARGATE', 'FARGATE_SPOT'] });
    template.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 1, Weight: 1 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 3 }],
    });
    expect(web.vpc).toBe(web.cluster.vpc);
    // the cluster given gets its capacity providers associated before the service uses them
    expect(only(template, 'AWS::ECS::Service').DependsOn).toContain(logicalIdOf(template, 'AWS::ECS::ClusterCapacityProviderAssociations'));
  });

  test('keeps idle connections 60 seconds unless told otherwise', () => {
    const idleTimeout = (t: any) => only(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer').Properties.LoadBalancerAttributes
      .find((a: any) => a.Key === 'idle_timeout.timeout_seconds')?.Value;
    expect(idleTimeout(build().template)).toBe('60');
    expect(idleTimeout(build({ idleTimeout: Duration.minutes(5) }).template)).toBe('300');
  });

  test('an internal load balancer with HTTPS admits its VPC on 443 and on the redirect port 80, and nobody else', () => {
    const { template, web, stack } = build({ publicLoadBalancer: false }, (s) => ({
      certificate: acm.Certificate.fromCertificateArn(s, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd1234-ab12-cd34-ef56-abcdef123456'),
    }));
    const lbSecurityGroup = stack.resolve(web.loadBalancer.connections.securityGroups[0].securityGroupId)['Fn::GetAtt'][0];
    const vpcCidr = stack.resolve(web.vpc.vpcCidrBlock);
    expect(ingressOf(template, lbSecurityGroup)).toEqual([
      { CidrIp: vpcCidr, Description: 'from the VPC', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' },
      { CidrIp: vpcCidr, Description: 'from the VPC', FromPort: 80, ToPort: 80, IpProtocol: 'tcp' },
    ]);
  });

  test('writes access logs to the bucket given', () => {
    const { template } = build({}, (stack) => ({ accessLogsBucket: new s3.Bucket(stack, 'Logs', { enforceSSL: true }) }));
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.bucket', Value: { Ref: Match.stringLikeRegexp('^Logs') } }]),
    });
  });

  test('in a stack without a region, access logs are on, delivered by the identity of the region the stack lands in', () => {
    const { template, json, synthesized } = buildAndSynth((stack) => new LoadBalancedScalingService(stack, 'Web', { image: IMAGE }));
    expect(synthesized.allWarnings()).toEqual([]);
    const bucket = logicalIdOf(template, 'AWS::S3::Bucket');
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: bucket } },
      ]),
    });
    // the load balancer checks its write access when it is configured: the policy comes first
    const policy = logicalIdOf(template, 'AWS::S3::BucketPolicy');
    expect(only(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').DependsOn).toContain(policy);
    const logObjects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/AWSLogs/', { Ref: 'AWS::AccountId' }, '/*']] };
    const statements = only(template, 'AWS::S3::BucketPolicy').Properties.PolicyDocument.Statement;
    const allows = statements.filter((st: any) => st.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    const [regional] = allows;
    expect(regional).toMatchObject({ Action: 's3:PutObject', Resource: logObjects });
    // regions opened in or after August 2022: the log delivery service principal
    expect(regional.Principal.Service).toBe('logdelivery.elasticloadbalancing.amazonaws.com');
    // older regions: Elastic Load Balancing's account of that region, from a mapping, chosen by a condition
    const [arn, partition, iam, account, root] = regional.Principal.AWS['Fn::Join'][1];
    expect([arn, partition, iam, root]).toEqual(['arn:', { Ref: 'AWS::Partition' }, ':iam::', ':root']);
    const [conditionName, inRegion, ownAccount] = account['Fn::If'];
    expect(inRegion).toEqual({ 'Fn::FindInMap': [expect.any(String), { Ref: 'AWS::Region' }, 'account'] });
    expect(ownAccount).toEqual({ Ref: 'AWS::AccountId' });
    const mapping = json.Mappings[inRegion['Fn::FindInMap'][0]];
    expect(mapping['eu-west-1']).toEqual({ account: '156460612806' });
    expect(mapping['us-east-1']).toEqual({ account: '127311923021' });
    expect(mapping['ap-southeast-5']).toBeUndefined();
    expect(Object.keys(mapping)).toHaveLength(31);
    // the condition is true in exactly the regions of the mapping
    const regionsOf = (expression: any): string[] => expression['Fn::Or']
      ? expression['Fn::Or'].flatMap(regionsOf)
      : [expression['Fn::Equals'][1]];
    expect(regionsOf(json.Conditions[conditionName]).sort()).toEqual(Object.keys(mapping).sort());
  });

  test('two services in one environment-agnostic stack share the region mapping and condition', () => {
    const { json } = buildAndSynth((stack) => {
      new LoadBalancedScalingService(stack, 'Web', { image: IMAGE });
      new LoadBalancedScalingService(stack, 'Api', { image: IMAGE });
    });
    expect(Object.keys(json.Mappings)).toHaveLength(1);
    expect(Object.keys(json.Conditions)).toHaveLength(1);
  });

  test('in a stack without a region, accessLogs: false is a choice, and no mapping is added', () => {
    const { template, json } = buildAndSynth((stack) => new LoadBalancedScalingService(stack, 'Web', { image: IMAGE, accessLogs: false }));
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(json.Mappings).toBeUndefined();
  });

  test('fastScaleOut: false leaves scaling to target tracking alone', () => {
    const { template } = build({ scaling: { fastScaleOut: false } });
    template.resourcePropertiesCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', { PolicyType: 'StepScaling' }, 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('defaults memory to the smallest value Fargate allows for the cpu given', () => {
    const { template } = build({ cpu: 2048 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '2048', Memory: '4096' });
  });

  test('a high CPU target moves the fast step up, staying above the target', () => {
    const { template } = build({ scaling: { cpuTargetPercent: 88 } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Threshold: 93 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      StepScalingPolicyConfiguration: Match.objectLike({
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 5, ScalingAdjustment: 50 },
          { MetricIntervalLowerBound: 5, ScalingAdjustment: 100 },
        ],
      }),
    });
  });

  test('HTTPS on another port keeps the redirect pointing at it', () => {
    const { template, web, stack } = build({ listenerPort: 8443 }, (s) => ({
      certificate: acm.Certificate.fromCertificateArn(s, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd1234-ab12-cd34-ef56-abcdef123456'),
    }));
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [{ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '8443', Protocol: 'HTTPS' }) }],
    });
    expect(JSON.stringify(stack.resolve(web.url))).toMatch(/"https:\/\/",.*":8443"/);
  });

  test('without redirect when asked, HTTPS only', () => {
    const { template } = build({ redirectHttp: false }, (s) => ({
      certificate: acm.Certificate.fromCertificateArn(s, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd1234-ab12-cd34-ef56-abcdef123456'),
      sslPolicy: undefined,
    }));
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
  });
});
