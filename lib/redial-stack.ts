import { Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { LeadStore } from './lead-store';

export interface RedialStackProps extends StackProps {
  /** Deployment stage, used only in tags (`dev`, `prod`). */
  readonly stage?: string;
}

/**
 * The whole of redial on AWS. One construct per capability; this issue lands the data layer, and the
 * webhooks API, dialer and observability constructs join it as they are built.
 */
export class RedialStack extends Stack {
  readonly leadStore: LeadStore;

  constructor(scope: Construct, id: string, props: RedialStackProps = {}) {
    super(scope, id, props);
    Tags.of(this).add('app', 'redial');
    Tags.of(this).add('stage', props.stage ?? 'dev');
    this.leadStore = new LeadStore(this, 'LeadStore');
  }
}
