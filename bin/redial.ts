#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RedialStack } from '../lib/redial-stack';

const app = new App();
new RedialStack(app, 'Redial', {
  stage: app.node.tryGetContext('stage') ?? 'dev',
  redialConfig: app.node.tryGetContext('redialConfig'),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// cdk-nag AwsSolutions: any unacknowledged finding fails synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
