export * from './common/scaling-options';
export * from './common/shared-props';
export * from './load-balanced-scaling-service/load-balanced-scaling-service';
export * from './scheduled-fargate-etl/scheduled-fargate-etl';
export * from './ssm-decoupled-vpc/ssm-decoupled-vpc';
export * from './wordpress-fargate-site/wordpress-fargate-site';
