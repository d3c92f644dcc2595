/** The CRM (Convoso): where human agents record sales and DNC requests. */
export interface CrmLead {
  readonly leadId: string;
  readonly listId: string | null;
  readonly status: string | null;
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
