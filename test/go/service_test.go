// The library as a Go CDK app uses it: the module jsii-pacmak built (a local replace to
// dist/go) with aws-cdk-go from the Go module proxy. `npx projen test:go` runs it.
package blueprints_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-fargate-blueprints/cdk-fargate-blueprints-go/cdkfargateblueprints"
)

// CDK's CloudFormation validation in strict mode, as in the TypeScript, Python and Java tests.
var strictValidation = map[string]interface{}{
	"@aws-cdk/core:validateAgainstDefaultRules": true,
	"@aws-cdk/core:strictCfnValidateErrors":     true,
}

func synthesizeService(t *testing.T) (cdkfargateblueprints.LoadBalancedScalingService, assertions.Template) {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{Context: &strictValidation})
	stack := awscdk.NewStack(app, jsii.String("Service"), nil)
	web := cdkfargateblueprints.NewLoadBalancedScalingService(stack, jsii.String("Web"), &cdkfargateblueprints.LoadBalancedScalingServiceProps{
		Image:              awsecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/aws-containers/hello-app-runner:latest"), nil),
		ContainerPorts:     &[]*float64{jsii.Number(8000)},
		Cpu:                jsii.Number(512),
		MemoryLimitMiB:     jsii.Number(1024),
		PublicLoadBalancer: jsii.Bool(false),
		Scaling: &cdkfargateblueprints.ServiceScalingOptions{
			MinCapacity:       jsii.Number(2),
			MaxCapacity:       jsii.Number(6),
			RequestsPerTarget: jsii.Number(500),
		},
	})
	return web, assertions.Template_FromStack(stack, nil)
}

func TestLoadBalancedScalingService(t *testing.T) {
	web, template := synthesizeService(t)

	t.Run("internal application load balancer", func(t *testing.T) {
		template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), map[string]interface{}{
			"Type":   "application",
			"Scheme": "internal",
		})
	})

	t.Run("Fargate task of the size given, its first port behind the load balancer", func(t *testing.T) {
		template.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), map[string]interface{}{
			"Cpu":                     "512",
			"Memory":                  "1024",
			"RequiresCompatibilities": []interface{}{"FARGATE"},
		})
		template.HasResourceProperties(jsii.String("AWS::ECS::Service"), map[string]interface{}{
			"LoadBalancers": []interface{}{assertions.Match_ObjectLike(&map[string]interface{}{"ContainerPort": 8000})},
			"DeploymentConfiguration": assertions.Match_ObjectLike(&map[string]interface{}{
				"DeploymentCircuitBreaker": map[string]interface{}{"Enable": true, "Rollback": true},
			}),
		})
	})

	t.Run("scales between the capacities given on CPU and requests per target", func(t *testing.T) {
		template.HasResourceProperties(jsii.String("AWS::ApplicationAutoScaling::ScalableTarget"), map[string]interface{}{
			"MinCapacity": 2,
			"MaxCapacity": 6,
		})
		for metric, target := range map[string]int{"ECSServiceAverageCPUUtilization": 50, "ALBRequestCountPerTarget": 500} {
			template.HasResourceProperties(jsii.String("AWS::ApplicationAutoScaling::ScalingPolicy"), map[string]interface{}{
				"TargetTrackingScalingPolicyConfiguration": assertions.Match_ObjectLike(&map[string]interface{}{
					"PredefinedMetricSpecification": assertions.Match_ObjectLike(&map[string]interface{}{"PredefinedMetricType": metric}),
					"TargetValue":                   target,
				}),
			})
		}
	})

	t.Run("members reach the parts it created", func(t *testing.T) {
		if !strings.HasPrefix(*web.Url(), "http://") {
			t.Errorf("url %q does not start with http://", *web.Url())
		}
		if web.ScalableTaskCount() == nil || web.LoadBalancer() == nil {
			t.Error("scalableTaskCount or loadBalancer is missing")
		}
	})
}

func TestBadPropsPanicWithTheValidationMessage(t *testing.T) {
	defer func() {
		message := ""
		if r := recover(); r != nil {
			if err, ok := r.(error); ok {
				message = err.Error()
			}
		}
		want := "Service/Web: cpu must be one of 256, 512, 1024, 2048, 4096, 8192 or 16384 (CPU units, 1024 = 1 vCPU), got 300"
		if !strings.Contains(message, want) {
			t.Errorf("got %q, want it to contain %q", message, want)
		}
	}()
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Service"), nil)
	cdkfargateblueprints.NewLoadBalancedScalingService(stack, jsii.String("Web"), &cdkfargateblueprints.LoadBalancedScalingServiceProps{
		Image: awsecs.ContainerImage_FromRegistry(jsii.String("nginx"), nil),
		Cpu:   jsii.Number(300),
	})
}
