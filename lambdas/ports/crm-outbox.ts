/**
 * Convoso write-back (docs/convoso-write-back.md): after every call the CRM lead gets the status mapped from the
 * outcome and the call's facts, through an outbox queue, so a CRM outage loses nothing and never blocks the dialer.
 */
export interface CrmWriteMessage {
  readonly v: 1;
  readonly kind: 'crm-write';
  /** The call that produced it: the idempotency key of the write (a redelivery writes the same values again). */
  readonly callId: string;
  readonly phone: string;
  /** Known from intake; else the writer looks the number up. */
  readonly crmLeadId: string | null;
  /** The CRM status code for the outcome, or null to leave the status as it is. */
  readonly status: string | null;
  readonly outcome: string;
  readonly fields: Readonly<Record<string, string>>;
  /** Also add the number to the CRM's DNC list. */
  readonly dnc: boolean;
}

export interface CrmOutbox {
  send(message: CrmWriteMessage): Promise<void>;
}

/** What the CRM answers an update: done, or it has no such lead (kept for replay, never dropped). */
export type CrmUpdateResult = 'updated' | 'no-such-lead';

export interface CrmWriter {
  updateLead(leadId: string, status: string | null, fields: Readonly<Record<string, string>>): Promise<CrmUpdateResult>;
  insertDnc(phone: string): Promise<void>;
}

/** Writes the CRM could not take (no such lead), kept until an operator replays them. */
export interface ParkedCrmWrite {
  readonly message: CrmWriteMessage;
  readonly reason: string;
  readonly parkedAt: number;
}

export interface ParkedCrmWrites {
  parkCrmWrite(write: ParkedCrmWrite): Promise<void>;
  listParkedCrmWrites(): Promise<ParkedCrmWrite[]>;
  removeParkedCrmWrite(callId: string): Promise<void>;
}
