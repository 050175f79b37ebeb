export * from './ssm-decoupled-vpc/ssm-decoupled-vpc';
