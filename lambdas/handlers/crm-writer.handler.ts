import { METRIC } from '../ports/metrics';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { systemClock } from '../adapters/system-clock';
import { makeCrmWriteBack } from '../app/crm-write-back';
import { maskPhone } from '../domain/phone';
import { awsDeps, logger, metrics } from './aws-deps';

/** The CRM outbox consumer: each record is a CrmWriteMessage; a failure is retried alone, then kept in the DLQ. */
export const crmWriteMessageSchema = z.object({
  v: z.literal(1),
  kind: z.literal('crm-write'),
  callId: z.string().min(1),
  phone: z.string().regex(/^\+1\d{10}$/),
  crmLeadId: z.string().min(1).nullable(),
  status: z.string().min(1).nullable(),
  outcome: z.string().min(1),
  fields: z.record(z.string(), z.string()),
  dnc: z.boolean(),
});

const processor = new BatchProcessor(EventType.SQS);

async function handleRecord(record: SQSRecord): Promise<void> {
  const parsed = crmWriteMessageSchema.safeParse(JSON.parse(record.body));
  if (!parsed.success) throw new Error(`invalid CRM write message: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  const deps = await awsDeps();
  if (!deps.convoso) throw new Error('CRM write-back needs convosoAuthToken in the secret (docs/deploy.md)');
  const writeBack = makeCrmWriteBack({ crm: deps.convoso, parked: deps.store, terminalStatuses: deps.loop.config.crm.terminalStatuses, clock: systemClock, log: (line) => logger.info(line) });
  const result = await writeBack(parsed.data);
  metrics.addMetric(result === 'parked' ? METRIC.crmWritesParked : METRIC.crmWrites, MetricUnit.Count, 1);
  logger.info('crm write', { phone: maskPhone(parsed.data.phone), callId: parsed.data.callId, result });
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
