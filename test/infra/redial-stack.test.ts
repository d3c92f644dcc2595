import { App, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RedialStack } from '../../lib/redial-stack';

function synth() {
  const app = new App();
  const stack = new RedialStack(app, 'Redial', { stage: 'test' });
  return { app, stack, template: Template.fromStack(stack) };
}

describe('RedialStack', () => {
  const { stack, template } = synth();

  it('has one on-demand, encrypted, point-in-time-recoverable table with the due index', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'due', KeySchema: [{ AttributeName: 'dueShard', KeyType: 'HASH' }, { AttributeName: 'dueAt', KeyType: 'RANGE' }] })],
    });
  });

  it('keeps the table when the stack is deleted and sets no physical name', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const tables = template.findResources('AWS::DynamoDB::Table');
    for (const table of Object.values(tables)) expect(table.Properties.TableName).toBeUndefined();
  });

  it('exposes the table to the constructs that follow', () => {
    expect(stack.leadStore.table.tableName).toBeDefined();
  });

  it('passes cdk-nag AwsSolutions with no finding', () => {
    const app = new App();
    const nagged = new RedialStack(app, 'Nagged');
    const report = new AwsSolutionsChecks(app).validateScope(nagged);
    expect(report.violations).toEqual([]);
    // The same pack runs on every `npm run synth` through bin/redial.ts.
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('the cdk-nag check is not vacuous: a table without point-in-time recovery is reported', () => {
    const app = new App();
    const bare = new Stack(app, 'Bare');
    new Table(bare, 'T', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    const report = new AwsSolutionsChecks(app).validateScope(bare);
    expect(JSON.stringify(report.violations)).toContain('DDB3');
  });
});
