import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from './nag';

/**
 * A bucket that receives a service's logs: encrypted (SSE-S3, which Elastic Load
 * Balancing requires), private, TLS only, logs expire after 90 days, retained with the
 * stack like the other logs (its name is generated, so a redeploy never collides with it).
 * `objectOwnership` is the writer's need: ACLs off for Elastic Load Balancing, object
 * writer for CloudFront's standard logs. `whose` names the writer in the cdk-nag
 * acknowledgement of server access logging (a log bucket logging its own access would
 * need yet another bucket).
 */
export function createLogBucket(scope: Construct, id: string, objectOwnership: s3.ObjectOwnership, whose: string): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership,
    lifecycleRules: [{ expiration: Duration.days(90) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeNagFinding(bucket, 'AwsSolutions-S1',
    `This bucket only receives ${whose}; logging access to it would need yet another bucket.`);
  return bucket;
}
