import type { BlandCallReport } from '../domain/classify-call';

export interface PlaceCallRequest {
  readonly phone: string;
  readonly from?: string | undefined;
  readonly metadata: { readonly phone: string; readonly leadId: string; readonly scheduleToken: string };
  readonly requestData: Readonly<Record<string, string>>;
}

/** The AI voice platform (Bland). */
export interface VoiceAgent {
  placeCall(request: PlaceCallRequest): Promise<{ callId: string }>;
  /** The call object, or null if the platform does not know the call (yet). */
  getCall(callId: string): Promise<(BlandCallReport & { completed?: boolean | null }) | null>;
}
