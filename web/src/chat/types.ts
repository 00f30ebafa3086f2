/** The shapes the chat page reads from the API and its events (API.md, docs/architecture.md). */

export interface Citation {
  n: number;
  source: { type: 'law'; code: string; article: string; title: string } | { type: 'document'; id: string; title: string; version: number };
  quote: string;
}

export interface Message {
  id: string;
  chat_id: string;
  sender: 'user' | 'assistant' | 'lawyer' | 'system';
  content?: string | null;
  status: 'pending' | 'queued' | 'streaming' | 'completed' | 'failed';
  meta?: {
    degraded?: boolean; stopped?: boolean; citations?: Citation[]; error?: { code: string; detail?: string };
    /** A lawyer's message: the verdict on the answer it reviewed. */
    verdict?: 'approved' | 'corrected' | 'rejected';
  };
}

/** A reply that has not ended yet: its answer may still stream, and it can be stopped. */
export const inFlight = (m: Message) => m.sender === 'assistant' && (m.status === 'queued' || m.status === 'streaming');
