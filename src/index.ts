export * from './common/scaling-options';
export * from './load-balanced-scaling-service/load-balanced-scaling-service';
export * from './ssm-decoupled-vpc/ssm-decoupled-vpc';
