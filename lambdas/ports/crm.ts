/** The CRM (Convoso): where human agents record sales and DNC requests. */
export interface CrmLead {
  readonly leadId: string;
  readonly listId: string | null;
  readonly status: string | null;
}

export interface Crm {
  /** First match for the phone across lists, or null if absent. */
  findByPhone(phone: string): Promise<CrmLead | null>;
}
