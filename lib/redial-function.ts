import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join } from 'node:path';

export interface RedialFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'runtime' | 'architecture'> {
  /** Handler file under lambdas/handlers, e.g. `intake.handler.ts`. */
  readonly handlerFile: string;
}

/**
 * One function construct with the project's defaults: bundled by the local esbuild (no Docker), latest Node LTS on
 * arm64, X-Ray tracing, source maps, an explicit log group with retention, environment merged rather than replaced.
 * Its role may write only to that log group (not AWSLambdaBasicExecutionRole's logs on every resource).
 */
export class RedialFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: RedialFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    const role = props.role ?? new Role(scope, `${id}ServiceRole`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    super(scope, id, {
      memorySize: 512,
      timeout: Duration.seconds(30),
      ...props,
      entry: join(__dirname, '..', 'lambdas', 'handlers', props.handlerFile),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      environment: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'redial', ...props.environment },
      bundling: { sourceMap: true, minify: true, format: OutputFormat.CJS, target: 'node22', externalModules: ['@aws-sdk/*'], ...props.bundling },
    });
  }

  /** Sets environment variables without dropping the ones already there. */
  withEnvironment(values: Record<string, string>): this {
    for (const [key, value] of Object.entries(values)) this.addEnvironment(key, value);
    return this;
  }
}
