/**
 * What a template costs a month while nothing runs: the resources billed by the hour
 * whether or not a run happens, at us-east-1 on-demand list prices, 730 hours a month.
 *
 * Prices (us-east-1, as published on the AWS pricing pages in 2026):
 * - NAT gateway $0.045 an hour, plus $0.045 per GB processed (https://aws.amazon.com/vpc/pricing/)
 * - public IPv4 address, an EIP included, $0.005 an hour (https://aws.amazon.com/vpc/pricing/, since 1 February 2024)
 * - interface VPC endpoint $0.01 an hour per availability zone (https://aws.amazon.com/privatelink/pricing/)
 * - CloudWatch alarm $0.10 a month per metric it evaluates, standard resolution (https://aws.amazon.com/cloudwatch/pricing/)
 * - Secrets Manager secret $0.40 a month (https://aws.amazon.com/secrets-manager/pricing/)
 *
 * Everything else in the templates priced here bills per use (state transitions, requests,
 * messages, GB of logs) or not at all. A resource type missing from both lists fails:
 * it must be priced before it ships.
 */
export const HOURS_A_MONTH = 730;

const HOURLY: Record<string, (properties: any) => number> = {
  'AWS::EC2::NatGateway': () => 0.045 * HOURS_A_MONTH,
  'AWS::EC2::EIP': () => 0.005 * HOURS_A_MONTH,
  'AWS::EC2::VPCEndpoint': (p) => p.VpcEndpointType === 'Interface' ? 0.01 * HOURS_A_MONTH * p.SubnetIds.length : 0,
  // a metric-math alarm pays for each metric it reads, not for the expressions
  'AWS::CloudWatch::Alarm': (p) => 0.10 * (p.Metrics ? p.Metrics.filter((m: any) => m.MetricStat).length : 1),
  'AWS::SecretsManager::Secret': () => 0.40,
};

/** Billed per use or free: VPC parts, roles, rules, topics and queues, state machines, task definitions, log groups (per GB). */
const PER_USE = new Set([
  'AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::RouteTable', 'AWS::EC2::Route', 'AWS::EC2::SubnetRouteTableAssociation',
  'AWS::EC2::InternetGateway', 'AWS::EC2::VPCGatewayAttachment', 'AWS::EC2::SecurityGroup', 'AWS::EC2::FlowLog',
  'AWS::Logs::LogGroup', 'AWS::ECS::Cluster', 'AWS::ECS::ClusterCapacityProviderAssociations', 'AWS::ECS::TaskDefinition',
  'AWS::ECR::Repository', 'AWS::Events::Rule', 'AWS::Scheduler::Schedule', 'AWS::Scheduler::ScheduleGroup',
  'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::Lambda::Function', 'Custom::VpcRestrictDefaultSG',
  'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::SNS::Subscription', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy',
  'AWS::StepFunctions::StateMachine',
]);

/** The monthly idle cost of `template` in dollars, by resource type. */
export function idleCostByType(template: { Resources: Record<string, any> }): Record<string, number> {
  const cost: Record<string, number> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    const price = HOURLY[resource.Type];
    if (!price && !PER_USE.has(resource.Type)) {
      throw new Error(`${id}: ${resource.Type} has no idle price; add it to test/support/idle-cost.ts`);
    }
    cost[resource.Type] = (cost[resource.Type] ?? 0) + (price ? price(resource.Properties ?? {}) : 0);
  }
  return cost;
}

/** The monthly idle cost of `template` in dollars. */
export function idleCost(template: { Resources: Record<string, any> }): number {
  return Object.values(idleCostByType(template)).reduce((a, b) => a + b, 0);
}
