import * as fs from 'fs';
import * as path from 'path';
import { COST_CONFIGURATIONS, costTableMarkdown, costTemplate, HOURS_A_MONTH, idleCost, PRICES, withCostTable } from './support/cost-model';

/**
 * The idle monthly cost of each default, computed from its synthesized template with the
 * project's one price table (test/support/cost-model.ts: us-east-1 list prices, 730 hours),
 * against the design's goals: half of what the first measurement found
 * (WordPress default $101, its rush recipe $105, LoadBalancedScalingService $72).
 */
const idle: Record<string, number> = {};
beforeAll(() => {
  for (const c of COST_CONFIGURATIONS) {
    idle[c.name] = idleCost(costTemplate(c));
  }
});

const costOf = (prefix: string) => idle[COST_CONFIGURATIONS.find((c) => c.name.startsWith(prefix))!.name];

test('the price table gives the figures AWS publishes for a month of a task and a load balancer', () => {
  const month = (hourly: number) => Math.round(hourly * HOURS_A_MONTH * 100) / 100;
  expect(month(PRICES.fargateX86VcpuHour + 2 * PRICES.fargateX86GbHour)).toBe(36.04);
  expect(month(PRICES.fargateArmVcpuHour + 2 * PRICES.fargateArmGbHour)).toBe(28.84);
  expect(month(0.5 * PRICES.fargateArmVcpuHour + PRICES.fargateArmGbHour)).toBe(14.42);
  expect(month(PRICES.applicationLoadBalancerHour)).toBe(16.43);
  expect(month(PRICES.publicIpv4Hour)).toBe(3.65);
});

test('WordpressFargateSite default costs at most $50 a month idle', () => {
  expect(costOf('WordpressFargateSite default')).toBeLessThanOrEqual(50);
});

test('the WordpressFargateSite rush recipe (cdn, firewall) costs at most $52 a month idle', () => {
  expect(costOf('WordpressFargateSite rush recipe')).toBeLessThanOrEqual(52);
});

// The goal, $36, is not reached by the default: the load balancer ($16.43) and its two
// addresses ($7.30), the smallest task Fargate runs (0.25 vCPU / 0.5 GiB on x86, $9.01), its
// address ($3.65) and the three alarms of its scaling ($0.30) make $36.69, and no part of that
// can go without giving up something the issue keeps: an internet-facing load balancer needs
// two zones, a task without a public address needs a NAT ($7.36 as an instance) or endpoints.
// Graviton takes it to $34.88, but a registry image says nothing of its architecture and may be
// built for x86 only (the design's own example, hello-app-runner, is: its image is built on an
// x86 runner for no other platform), and such a task exits at once on ARM64. So the service
// runs on ARM64 when its image asset is built for it or when told, and the next test holds
// that configuration to the goal. This pins the default's figure, so that any change is seen
// (a test.failing on the goal would pass at any cost above it).
test('LoadBalancedScalingService default costs $36.69 a month idle (x86: its image may be built for nothing else)', () => {
  expect(costOf('LoadBalancedScalingService default')).toBeCloseTo(36.69, 2);
});

test('LoadBalancedScalingService on Graviton (an image asset built for linux/arm64) costs at most $36 a month idle', () => {
  expect(costOf('LoadBalancedScalingService on Graviton')).toBeLessThanOrEqual(36);
});

test('a target tracking policy is billed for the alarms Application Auto Scaling creates for it: two, one with scale-in disabled', () => {
  const policy = (configuration: object) => ({
    Resources: { Policy: { Type: 'AWS::ApplicationAutoScaling::ScalingPolicy', Properties: configuration } },
  });
  expect(idleCost(policy({ PolicyType: 'TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration: { TargetValue: 50 } }))).toBeCloseTo(0.20, 2);
  expect(idleCost(policy({ PolicyType: 'TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, DisableScaleIn: true } }))).toBeCloseTo(0.10, 2);
  // a step scaling policy is invoked by an alarm of the template, priced as such
  expect(idleCost(policy({ PolicyType: 'StepScaling', StepScalingPolicyConfiguration: {} }))).toBe(0);
});

test('ScheduledFargateEtl default costs at most $5 a month idle', () => {
  expect(costOf('ScheduledFargateEtl default')).toBeLessThanOrEqual(5);
});

test('the README\'s "What it costs" table is the one the model computes (npx projen readme:costs rewrites it)', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
  expect(withCostTable(readme, costTableMarkdown())).toEqual(readme);
});
