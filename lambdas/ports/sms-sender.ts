/** Texts out (Bland's SMS API). The idempotency key makes a retried send one text, not two. */
export interface SmsSender {
  sendSms(request: { readonly to: string; readonly from: string; readonly text: string; readonly idempotencyKey: string }): Promise<{ readonly conversationId: string | null }>;
}
