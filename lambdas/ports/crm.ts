/** The CRM (Convoso): where human agents record sales and DNC requests. */
export interface CrmLead {
  readonly leadId: string;
  readonly listId: string | null;
  readonly status: string | null;
  /** The statuses of every entry of the number (it may sit in several lists), first match first. */
  readonly statuses?: readonly string[];
  /** Lead fields the CRM holds, when it has them: they locate the lead for the calling window. */
  readonly details?: {
    readonly firstName?: string | undefined;
    readonly lastName?: string | undefined;
    readonly email?: string | undefined;
    readonly state?: string | undefined;
    readonly zip?: string | undefined;
  };
}

export interface Crm {
  /** First match for the phone across lists, or null if absent. */
  findByPhone(phone: string): Promise<CrmLead | null>;
}

/** SALE or DNC if any entry of the number carries a terminal status (the stricter reading), else undefined. */
export function crmTerminal(lead: CrmLead | null, terminalStatuses: Readonly<Record<string, 'SALE' | 'DNC'>>): { status: string; outcome: 'SALE' | 'DNC' } | undefined {
  if (!lead) return undefined;
  const statuses = [...(lead.statuses ?? []), ...(lead.status ? [lead.status] : [])];
  const found = statuses.map((status) => ({ status, outcome: terminalStatuses[status.trim().toUpperCase()] })).filter((s) => s.outcome !== undefined);
  // DNC outranks SALE: a number that asked not to be called is never called, whatever another list says.
  return (found.find((s) => s.outcome === 'DNC') ?? found[0]) as { status: string; outcome: 'SALE' | 'DNC' } | undefined;
}
