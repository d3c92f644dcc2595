import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import type { AttemptScheduler, DialMessage } from '../../ports/attempt-scheduler';
import type { Clock } from '../../ports/clock';

export interface EventBridgeSchedulerConfig {
  /** Schedule group (`redial`). */
  readonly groupName: string;
  /** ARN of the dial queue (the target). */
  readonly queueArn: string;
  /** ARN of the priority dial queue, the target of `lane: 'priority'` messages (absent: the dial queue). */
  readonly priorityQueueArn?: string | undefined;
  /** Role EventBridge Scheduler assumes; allowed only sqs:SendMessage on the queue. */
  readonly roleArn: string;
  /** Where undeliverable invocations go. */
  readonly deadLetterArn: string;
}

/** Scheduler fires at most this much in the past: a time already gone is moved to now + 1 minute. */
export const MIN_LEAD_MS = 60_000;

/** `at(2026-07-15T15:00:00)` in UTC, rounded up to the whole second. */
export function atExpression(instant: number): string {
  const seconds = Math.ceil(instant / 1000) * 1000;
  return `at(${new Date(seconds).toISOString().slice(0, 19)})`;
}

/**
 * One one-off EventBridge Scheduler schedule per pending attempt, delivering the DialMessage to the dial queue.
 * FlexibleTimeWindow OFF (60 s precision), deleted after it fires, retried and dead-lettered on failure.
 */
export class EventBridgeAttemptScheduler implements AttemptScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly config: EventBridgeSchedulerConfig,
    private readonly clock: Clock,
  ) {}

  request(name: string, at: number, message: DialMessage): CreateScheduleCommandInput {
    const when = Math.max(at, this.clock.now() + MIN_LEAD_MS);
    return {
      Name: name,
      GroupName: this.config.groupName,
      ScheduleExpression: atExpression(when),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: {
        Arn: message.lane === 'priority' ? (this.config.priorityQueueArn ?? this.config.queueArn) : this.config.queueArn,
        RoleArn: this.config.roleArn,
        Input: JSON.stringify(message),
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        DeadLetterConfig: { Arn: this.config.deadLetterArn },
      },
    };
  }

  async schedule(name: string, at: number, message: DialMessage): Promise<void> {
    const input = this.request(name, at, message);
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (error) {
      if (!(error instanceof ConflictException || (error as { name?: string }).name === 'ConflictException')) throw error;
      // Same name already scheduled (a retry of this step): make it say what we asked now.
      await this.client.send(new UpdateScheduleCommand(input));
    }
  }

  async cancel(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.config.groupName }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException || (error as { name?: string }).name === 'ResourceNotFoundException') return;
      throw error;
    }
  }
}
