import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import { IConstruct } from 'constructs';
import { LoadBalancedScalingService, ScheduledFargateEtl, SsmDecoupledVpc, WordpressFargateSite } from '../../src';

/**
 * What the test suites, the nag checks and the synth benchmark build again and again:
 * the sample images, the monthly schedule, the region-only environment, and each
 * construct's default configuration.
 */

/** A public image the load-balanced service runs (the go-on-aws example app). */
export const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-containers/hello-app-runner:latest');

/**
 * A public image built for linux/amd64 and linux/arm64 (Docker's official nginx, served on
 * port 80, the service's default): what the default service runs on Graviton.
 */
export const MULTI_ARCH_IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable');

/** The directory of a small Dockerfile the image asset tests build. */
export const APP_IMAGE_DIRECTORY = path.join(__dirname, '..', 'fixtures', 'app-image');

/** An image built from test/fixtures/app-image at deployment, for the `platform` given (none: the deploying machine's). */
export const assetImage = (platform?: ecrAssets.Platform) => ecs.ContainerImage.fromAsset(APP_IMAGE_DIRECTORY, { platform });

/** 04:00 UTC on the first day of every month: the ETL of the seed article. */
export const MONTHLY = events.Schedule.cron({ day: '1', hour: '4', minute: '0' });

/** Region-specific, account-agnostic: synthesizes without credentials; access logs need a region. */
export const REGION_ENV = { region: 'eu-west-1' };

/** Each construct in its default configuration, under the construct id the tests use. */
export const DEFAULT_CONFIGURATIONS: Record<string, (stack: Stack) => IConstruct> = {
  SsmDecoupledVpc: (stack) => new SsmDecoupledVpc(stack, 'Network', { parameterPrefix: '/my-app/network' }),
  LoadBalancedScalingService: (stack) => new LoadBalancedScalingService(stack, 'Web', { image: MULTI_ARCH_IMAGE }),
  ScheduledFargateEtl: (stack) => new ScheduledFargateEtl(stack, 'MonthlyEtl', { schedule: MONTHLY, image: IMAGE }),
  WordpressFargateSite: (stack) => new WordpressFargateSite(stack, 'Blog'),
};
