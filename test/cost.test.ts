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

// The goal, $36, is not reached: the load balancer ($16.43) and its two addresses ($7.30),
// the task (0.25 vCPU / 0.5 GiB on x86, $9.01) and its address ($3.65) make $36.49.
// Graviton would take it to $34.69, but the image is the user's and may be built for x86
// only. Until a default reaches the goal, this pins today's figure, so that any change of it is seen
// (a test.failing on the goal would pass at any cost above it).
test('LoadBalancedScalingService default costs $36.49 a month idle, pinned until it reaches its goal of $36', () => {
  expect(costOf('LoadBalancedScalingService default')).toBeCloseTo(36.49, 2);
});

test('ScheduledFargateEtl default costs at most $5 a month idle', () => {
  expect(costOf('ScheduledFargateEtl default')).toBeLessThanOrEqual(5);
});

test('the README\'s "What it costs" table is the one the model computes (npx projen readme:costs rewrites it)', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
  expect(withCostTable(readme, costTableMarkdown())).toEqual(readme);
});
