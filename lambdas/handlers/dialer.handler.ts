import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { makeDialLead } from '../app/dial-lead';
import { makeWatchdog } from '../app/watchdog';
import { makeSendSmsStep } from '../app/sms-follow-up';
import { maskPhone } from '../domain/phone';
import { awsDeps, logger, metrics, requireBlandKey } from './aws-deps';

/** The dial queue consumer: each record is a DialMessage (from Scheduler or the sweeper); failures are retried alone. */
export const dialMessageSchema = z.object({
  v: z.literal(1),
  kind: z.enum(['dial', 'watchdog', 'sms']),
  phone: z.string().regex(/^\+1\d{10}$/),
  scheduleToken: z.string().min(1),
  callId: z.string().min(1).optional(),
  step: z.number().int().min(0).max(20).optional(),
  lane: z.literal('priority').optional(),
});

const processor = new BatchProcessor(EventType.SQS);

async function handleRecord(record: SQSRecord): Promise<void> {
  const parsed = dialMessageSchema.safeParse(JSON.parse(record.body));
  if (!parsed.success) {
    // A malformed message can never succeed: log it (the DLQ keeps it after the retries) and fail the record.
    throw new Error(`invalid dial message: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  const deps = await awsDeps();
  requireBlandKey(deps);
  const message = parsed.data;
  const result = message.kind === 'dial' ? await makeDialLead(deps.loop)(message)
    : message.kind === 'sms' ? await makeSendSmsStep(deps.loop)(message)
      : await makeWatchdog(deps.loop)(message);
  logger.info('dial message', { kind: message.kind, phone: maskPhone(message.phone), result: result.result });
}

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  try {
    // A batch whose every record failed still answers its failures: a thrown error would count as a Lambda error
    // (feeding the error alarms) for what are failed messages, already retried and dead-lettered one by one.
    return await processPartialResponse(event, handleRecord, processor, { throwOnFullBatchFailure: false });
  } finally {
    metrics.publishStoredMetrics();
  }
}
