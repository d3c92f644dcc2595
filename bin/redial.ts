#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../lambdas/config/config';
import { RedialStack } from '../lib/redial-stack';

const app = new App();
// Configuration overrides (context `redialConfig`, JSON) are validated at synth time, so a bad key fails the
// deploy rather than the first cold start.
const redialConfig: string | undefined = app.node.tryGetContext('redialConfig');
if (redialConfig) parseConfig(JSON.parse(redialConfig));
new RedialStack(app, 'Redial', {
  stage: app.node.tryGetContext('stage') ?? 'dev',
  redialConfig,
  alarmEmail: app.node.tryGetContext('alarmEmail'),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// cdk-nag AwsSolutions: any unacknowledged finding fails synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
