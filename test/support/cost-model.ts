import { Annotations, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { testApp, testStack, synth } from './app';
import { DEFAULT_CONFIGURATIONS, IMAGE } from './fixtures';
import { LoadBalancedScalingService, SsmDecoupledVpc, WordpressFargateSite } from '../../src';

/**
 * What a template costs a month while nothing happens (no visitor, no run): the resources
 * billed by the hour whether used or not, at us-east-1 on-demand list prices, 730 hours a
 * month; and what a two-hour rush adds on top (every service at its maximum task count and
 * every Aurora Serverless v2 cluster at its maximum capacity for two hours, requests not
 * counted). The one price table of the project: the cost tests and the README's "What it
 * costs" tables (`npx projen readme:costs`) both read it.
 *
 * Prices: us-east-1, list, read on the AWS pricing pages on 2026-12-07.
 * A resource type missing from both PRICES and PER_USE fails: it must be priced before it ships.
 */
export const HOURS_A_MONTH = 730;

/** Each price with its source, in dollars. */
export const PRICES = {
  /** https://aws.amazon.com/vpc/pricing/ (NAT gateway), plus $0.045 per GB processed */
  natGatewayHour: 0.045,
  /** https://aws.amazon.com/vpc/pricing/ (public IPv4 address, in use or idle, an EIP included, since 2024-02-01) */
  publicIpv4Hour: 0.005,
  /** https://aws.amazon.com/privatelink/pricing/ (interface endpoint, per availability zone) */
  interfaceEndpointHour: 0.01,
  /** https://aws.amazon.com/cloudwatch/pricing/ (standard resolution alarm, per metric) */
  alarmMonth: 0.10,
  /** https://aws.amazon.com/cloudwatch/pricing/ (high resolution alarm, period under 60 s, per metric) */
  highResolutionAlarmMonth: 0.30,
  /** https://aws.amazon.com/cloudwatch/pricing/ (custom metric, first 10,000) */
  customMetricMonth: 0.30,
  /** https://aws.amazon.com/secrets-manager/pricing/ */
  secretMonth: 0.40,
  /** https://aws.amazon.com/kms/pricing/ (customer managed key) */
  kmsKeyMonth: 1,
  /** https://aws.amazon.com/elasticloadbalancing/pricing/ (Application Load Balancer hour; LCUs per use) */
  applicationLoadBalancerHour: 0.0225,
  /** https://aws.amazon.com/fargate/pricing/ (Linux/x86) */
  fargateX86VcpuHour: 0.04048,
  fargateX86GbHour: 0.004445,
  /** https://aws.amazon.com/fargate/pricing/ (Linux/ARM) */
  fargateArmVcpuHour: 0.03238,
  fargateArmGbHour: 0.00356,
  /** https://aws.amazon.com/rds/aurora/pricing/ (Aurora Serverless v2, Aurora Standard, per ACU-hour; 0 ACU while paused) */
  auroraAcuHour: 0.12,
  /** https://aws.amazon.com/waf/pricing/ (web ACL a month, each rule or rule group a month; requests per use) */
  webAclMonth: 5,
  webAclRuleMonth: 1,
  /** https://aws.amazon.com/ec2/pricing/on-demand/ (t4g.nano, Linux) */
  t4gNanoHour: 0.0042,
  /** https://aws.amazon.com/ebs/pricing/ (gp3, per GB-month) */
  gp3GbMonth: 0.08,
} as const;

/**
 * Container Insights (https://aws.amazon.com/cloudwatch/pricing/, "Container Insights for
 * Amazon ECS"): billed as custom metrics. Counted here: the 13 metrics a service publishes
 * with the ClusterName and ServiceName dimensions (CpuUtilized, CpuReserved, MemoryUtilized,
 * MemoryReserved, NetworkRxBytes, NetworkTxBytes, StorageReadBytes, StorageWriteBytes,
 * DesiredTaskCount, RunningTaskCount, PendingTaskCount, DeploymentCount, TaskSetCount), a
 * lower bound (cluster-level metrics and the performance log events come on top).
 */
export const CONTAINER_INSIGHTS_METRICS_PER_SERVICE = 13;

/** The WordPress metrics sidecar (assets/wordpress/nginx/cfb-metrics) publishes 4 custom metrics for its site. */
const SIDECAR_METRICS = 4;

/** Billed per use (requests, GB, runs) or free. */
const PER_USE = new Set([
  'AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::RouteTable', 'AWS::EC2::Route', 'AWS::EC2::SubnetRouteTableAssociation',
  'AWS::EC2::InternetGateway', 'AWS::EC2::VPCGatewayAttachment', 'AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress',
  'AWS::EC2::SecurityGroupEgress', 'AWS::EC2::FlowLog', 'AWS::EC2::LaunchTemplate',
  'AWS::Logs::LogGroup', 'AWS::ECS::Cluster', 'AWS::ECS::ClusterCapacityProviderAssociations', 'AWS::ECS::TaskDefinition',
  'AWS::ECR::Repository', 'AWS::Events::Rule', 'AWS::Scheduler::Schedule', 'AWS::Scheduler::ScheduleGroup',
  'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::InstanceProfile', 'AWS::Lambda::Function', 'AWS::Lambda::Permission',
  'Custom::VpcRestrictDefaultSG', 'Custom::AWS',
  'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::SNS::Subscription', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy',
  'AWS::StepFunctions::StateMachine', 'AWS::SSM::Parameter',
  'AWS::ElasticLoadBalancingV2::Listener', 'AWS::ElasticLoadBalancingV2::ListenerRule', 'AWS::ElasticLoadBalancingV2::TargetGroup',
  'AWS::ApplicationAutoScaling::ScalableTarget',
  'AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::EFS::FileSystem', 'AWS::EFS::MountTarget', 'AWS::EFS::AccessPoint',
  'AWS::RDS::DBSubnetGroup', 'AWS::RDS::DBInstance', 'AWS::SecretsManager::SecretTargetAttachment',
  'AWS::CloudFront::Distribution', 'AWS::CloudFront::VpcOrigin', 'AWS::CloudFront::Function', 'AWS::CloudFront::CachePolicy',
  'AWS::CloudFront::OriginRequestPolicy', 'AWS::CloudFront::ResponseHeadersPolicy', 'AWS::WAFv2::WebACLAssociation',
  'AWS::CloudWatch::Dashboard',
]);

type Resources = Record<string, { Type: string; Properties?: any }>;

/** Whether `value` references the resource `logicalId` (Ref or Fn::GetAtt) anywhere inside. */
function references(value: unknown, logicalId: string): boolean {
  const text = JSON.stringify(value ?? null);
  return text.includes(`{"Ref":"${logicalId}"}`) || text.includes(`"Fn::GetAtt":["${logicalId}"`);
}

/** The first resource of `resources` with `type` whose properties satisfy `where`. */
function findResource(resources: Resources, type: string, where: (properties: any) => boolean): any {
  return Object.values(resources).find((r) => r.Type === type && where(r.Properties ?? {}))?.Properties;
}

/** The dollars an hour one task of `taskDefinition` costs on Fargate (on demand: Spot prices move). */
function taskHour(taskDefinition: any): number {
  const vcpu = Number(taskDefinition.Cpu) / 1024;
  const gb = Number(taskDefinition.Memory) / 1024;
  const arm = taskDefinition.RuntimePlatform?.CpuArchitecture === 'ARM64';
  return arm
    ? vcpu * PRICES.fargateArmVcpuHour + gb * PRICES.fargateArmGbHour
    : vcpu * PRICES.fargateX86VcpuHour + gb * PRICES.fargateX86GbHour;
}

/** A Fargate service's tasks: idle (its scaling floor, or desired count) and at most, with what one costs an hour. */
function serviceTasks(resources: Resources, id: string, service: any): { idle: number; max: number; hourly: number } {
  const taskDefinition = resources[service.TaskDefinition?.Ref]?.Properties;
  if (!taskDefinition) {
    throw new Error(`${id}: its task definition is not in the template; the cost model cannot price it`);
  }
  const target = findResource(resources, 'AWS::ApplicationAutoScaling::ScalableTarget',
    (p) => p.ScalableDimension === 'ecs:service:DesiredCount' && references(p.ResourceId, id));
  const idle = target ? target.MinCapacity : service.DesiredCount ?? 1;
  const max = target ? target.MaxCapacity : idle;
  const publicIp = service.NetworkConfiguration?.AwsvpcConfiguration?.AssignPublicIp === 'ENABLED';
  return { idle, max, hourly: taskHour(taskDefinition) + (publicIp ? PRICES.publicIpv4Hour : 0) };
}

/** One line of the bill: what is priced, and its dollars a month while idle. */
export interface CostLine {
  readonly item: string;
  readonly monthly: number;
}

/** The idle monthly cost of `template`, line by line (one line per resource type, or what it runs). */
export function idleCostLines(template: { Resources: Resources }): CostLine[] {
  const resources = template.Resources;
  const lines: Record<string, number> = {};
  const add = (item: string, monthly: number) => { lines[item] = (lines[item] ?? 0) + monthly; };
  const insightsClusters = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::ECS::Cluster'
      && (r.Properties?.ClusterSettings ?? []).some((s: any) => s.Name === 'containerInsights' && s.Value !== 'disabled'))
    .map(([id]) => id);

  for (const [id, resource] of Object.entries(resources)) {
    const p = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::EC2::NatGateway':
        add('NAT gateway', PRICES.natGatewayHour * HOURS_A_MONTH);
        break;
      case 'AWS::EC2::EIP':
        add('public IPv4 addresses', PRICES.publicIpv4Hour * HOURS_A_MONTH);
        break;
      case 'AWS::EC2::Instance': {
        if (p.InstanceType !== 't4g.nano') {
          throw new Error(`${id}: instance type ${p.InstanceType} has no price; add it to test/support/cost-model.ts`);
        }
        add('NAT instance (t4g.nano)', PRICES.t4gNanoHour * HOURS_A_MONTH);
        const gb = (p.BlockDeviceMappings ?? []).reduce((sum: number, m: any) => sum + (m.Ebs?.VolumeSize ?? 0), 0) || 8;
        add('NAT instance (t4g.nano)', gb * PRICES.gp3GbMonth);
        if ((p.NetworkInterfaces ?? []).some((n: any) => n.AssociatePublicIpAddress)) {
          add('public IPv4 addresses', PRICES.publicIpv4Hour * HOURS_A_MONTH);
        }
        break;
      }
      case 'AWS::EC2::VPCEndpoint':
        add('interface endpoints', p.VpcEndpointType === 'Interface' ? PRICES.interfaceEndpointHour * HOURS_A_MONTH * p.SubnetIds.length : 0);
        break;
      case 'AWS::CloudWatch::Alarm': {
        // a metric-math alarm pays for each metric it reads, not for the expressions
        const metrics = p.Metrics ? p.Metrics.filter((m: any) => m.MetricStat) : [p];
        for (const m of metrics) {
          const period = m.MetricStat?.Period ?? m.Period;
          add('alarms', period < 60 ? PRICES.highResolutionAlarmMonth : PRICES.alarmMonth);
        }
        break;
      }
      case 'AWS::SecretsManager::Secret':
        add('secrets', PRICES.secretMonth);
        break;
      case 'AWS::KMS::Key':
        add('KMS keys', PRICES.kmsKeyMonth);
        break;
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
        add('load balancer', PRICES.applicationLoadBalancerHour * HOURS_A_MONTH);
        if (p.Scheme !== 'internal') {
          // an internet-facing load balancer holds a public IPv4 address in each of its subnets
          add('public IPv4 addresses', (p.Subnets ?? p.SubnetMappings).length * PRICES.publicIpv4Hour * HOURS_A_MONTH);
        }
        break;
      case 'AWS::ECS::Service': {
        const tasks = serviceTasks(resources, id, p);
        const taskDefinition = resources[p.TaskDefinition.Ref].Properties;
        const size = `${Number(taskDefinition.Cpu) / 1024} vCPU / ${Number(taskDefinition.Memory) / 1024} GB ${taskDefinition.RuntimePlatform?.CpuArchitecture === 'ARM64' ? 'ARM64' : 'x86'}`;
        const publicIp = p.NetworkConfiguration?.AwsvpcConfiguration?.AssignPublicIp === 'ENABLED';
        add(`Fargate tasks (${tasks.idle} x ${size})`, tasks.idle * taskHour(taskDefinition) * HOURS_A_MONTH);
        if (publicIp) {
          add('public IPv4 addresses', tasks.idle * PRICES.publicIpv4Hour * HOURS_A_MONTH);
        }
        if (insightsClusters.some((cluster) => references(p.Cluster, cluster))) {
          add('Container Insights', CONTAINER_INSIGHTS_METRICS_PER_SERVICE * PRICES.customMetricMonth);
        }
        const sidecars = (taskDefinition.ContainerDefinitions ?? []).filter((c: any) => (c.Command ?? []).includes('/usr/local/bin/cfb-metrics'));
        if (sidecars.length > 0) {
          add('custom metrics (load signal)', SIDECAR_METRICS * PRICES.customMetricMonth);
        }
        break;
      }
      case 'AWS::RDS::DBCluster':
        add('Aurora Serverless v2 floor', (p.ServerlessV2ScalingConfiguration?.MinCapacity ?? 0) * PRICES.auroraAcuHour * HOURS_A_MONTH);
        break;
      case 'AWS::ApplicationAutoScaling::ScalingPolicy':
        // A target tracking policy's alarms are created by Application Auto Scaling, not by the
        // template, and billed as any alarm: one that scales out and, unless scale-in is
        // disabled, one that scales in ("Application Auto Scaling creates and manages the
        // CloudWatch alarms that invoke the scaling policy", Application Auto Scaling User Guide,
        // "How target tracking scaling works"). A step scaling policy's alarm is in the template.
        if (p.PolicyType === 'TargetTrackingScaling') {
          add('alarms', (p.TargetTrackingScalingPolicyConfiguration?.DisableScaleIn ? 1 : 2) * PRICES.alarmMonth);
        }
        break;
      case 'AWS::WAFv2::WebACL':
        add('web ACL and its rules', PRICES.webAclMonth + p.Rules.length * PRICES.webAclRuleMonth);
        break;
      default:
        if (!PER_USE.has(resource.Type)) {
          throw new Error(`${id}: ${resource.Type} has no idle price; add it to test/support/cost-model.ts`);
        }
    }
  }
  return Object.entries(lines).filter(([, monthly]) => monthly > 0).map(([item, monthly]) => ({ item, monthly }));
}

/** The monthly idle cost of `template` in dollars. */
export function idleCost(template: { Resources: Resources }): number {
  return idleCostLines(template).reduce((sum, line) => sum + line.monthly, 0);
}

/** How long the rush of the README's tables lasts. */
export const RUSH_HOURS = 2;

/**
 * What a rush of {@link RUSH_HOURS} adds to the idle cost: every service at its maximum
 * task count, every Aurora Serverless v2 cluster at its maximum capacity, for the whole
 * rush. Requests (load balancer capacity units, CloudFront, WAF) come on top.
 */
export function rushCost(template: { Resources: Resources }): number {
  let extra = 0;
  for (const [id, resource] of Object.entries(template.Resources)) {
    const p = resource.Properties ?? {};
    if (resource.Type === 'AWS::ECS::Service') {
      const tasks = serviceTasks(template.Resources, id, p);
      extra += (tasks.max - tasks.idle) * tasks.hourly * RUSH_HOURS;
    } else if (resource.Type === 'AWS::RDS::DBCluster' && p.ServerlessV2ScalingConfiguration) {
      const { MinCapacity, MaxCapacity } = p.ServerlessV2ScalingConfiguration;
      extra += (MaxCapacity - MinCapacity) * PRICES.auroraAcuHour * RUSH_HOURS;
    }
  }
  return extra;
}

/** A configuration the README's cost table prices: how to build it, in a stack of its own. */
export interface CostConfiguration {
  readonly name: string;
  readonly create: (stack: Stack) => void;
}

/** The configurations the README's "What it costs" table lists, each default and the WordPress rush recipe. */
export const COST_CONFIGURATIONS: CostConfiguration[] = [
  { name: 'WordpressFargateSite default', create: DEFAULT_CONFIGURATIONS.WordpressFargateSite },
  {
    name: 'WordpressFargateSite rush recipe (`cdn`, `firewall`)',
    create: (stack) => {
      const site = new WordpressFargateSite(stack, 'Blog', { cdn: true, firewall: {} });
      Annotations.of(site).acknowledgeWarning('cdk-fargate-blueprints:WordpressFargateSite.cdnOriginReadTimeoutBelowPhpLimit', 'priced, not deployed');
    },
  },
  { name: 'LoadBalancedScalingService default', create: DEFAULT_CONFIGURATIONS.LoadBalancedScalingService },
  {
    name: 'LoadBalancedScalingService on x86 (`cpuArchitecture: X86_64`, for an image built for x86 only)',
    create: (stack) => new LoadBalancedScalingService(stack, 'Web', { image: IMAGE, cpuArchitecture: ecs.CpuArchitecture.X86_64 }),
  },
  { name: 'ScheduledFargateEtl default', create: DEFAULT_CONFIGURATIONS.ScheduledFargateEtl },
  { name: 'SsmDecoupledVpc default', create: DEFAULT_CONFIGURATIONS.SsmDecoupledVpc },
  {
    name: 'SsmDecoupledVpc with `natInstanceType: t4g.nano`',
    create: (stack) => new SsmDecoupledVpc(stack, 'Network', { parameterPrefix: '/my-app/network', natInstanceType: new ec2.InstanceType('t4g.nano') }),
  },
  { name: 'SsmDecoupledVpc with `natGateways: 0`', create: (stack) => new SsmDecoupledVpc(stack, 'Network', { parameterPrefix: '/my-app/network', natGateways: 0 }) },
];

/** The template of `configuration`, synthesized as the tests do (us-east-1). */
export function costTemplate(configuration: CostConfiguration): { Resources: Resources } {
  const app = testApp();
  const stack = testStack(app, 'Priced', { env: { region: 'us-east-1' } });
  configuration.create(stack);
  return synth(app).json(stack);
}

const dollars = (n: number) => `$${n.toFixed(2)}`;

/** The README's "What it costs" table, from the model: one row per configuration. */
export function costTableMarkdown(configurations: CostConfiguration[] = COST_CONFIGURATIONS): string {
  const rows = configurations.map((c) => {
    const template = costTemplate(c);
    const lines = [...idleCostLines(template)].sort((a, b) => b.monthly - a.monthly);
    const total = lines.reduce((sum, l) => sum + l.monthly, 0);
    const items = lines.map((l) => `${l.item} ${dollars(l.monthly)}`).join(', ');
    return `| ${c.name} | ${dollars(total)} | ${items || 'nothing'} | ${dollars(rushCost(template))} |`;
  });
  return [
    `| configuration | idle a month | what the idle cost is made of | a ${RUSH_HOURS}-hour rush adds |`,
    '|---|---:|---|---:|',
    ...rows,
  ].join('\n');
}

/** The markers around the generated table in README.md. */
export const README_COSTS_START = '<!-- costs:start (generated by `npx projen readme:costs` from test/support/cost-model.ts; do not edit) -->';
export const README_COSTS_END = '<!-- costs:end -->';

/** `readme` with the block between the markers replaced by `table`. */
export function withCostTable(readme: string, table: string): string {
  const start = readme.indexOf(README_COSTS_START);
  const end = readme.indexOf(README_COSTS_END);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no block between ${README_COSTS_START} and ${README_COSTS_END}`);
  }
  return `${readme.slice(0, start + README_COSTS_START.length)}\n${table}\n${readme.slice(end)}`;
}
