import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fake does for one call. Queue steps with `script()`; when the queue is empty `defaultStep` runs. */
export type FakeStep =
  | {
      kind: 'text';
      /** The answer; defaults to the fake's default text. */
      text?: string;
      /** Number of streamed pieces (default 3). */
      chunks?: number;
      /** Delay before every piece, including the first (ms). */
      delayMs?: number;
      usage?: { input: number; output: number };
      /** Fail after this many pieces: Anthropic sends an `overloaded_error` event, the others drop the connection. */
      breakAfter?: number;
    }
  | { kind: 'error'; status: number; retryAfter?: number }
  | { kind: 'hang' };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined when not JSON). */
  body: unknown;
  raw: string;
  /** The credential presented (bearer token, x-api-key or Api-Key). */
  apiKey: string | undefined;
  /** Date.now() when the request arrived, and when the first piece of text was written (if any). */
  receivedAt: number;
  firstTokenAt?: number;
  /** Date.now() when the client closed the connection before the response ended (it aborted the call). */
  abortedAt?: number;
}

export interface StreamPlan {
  pieces: string[];
  text: string;
  delayMs: number;
  usage: { input: number; output: number };
  breakAfter: number | undefined;
  /** Writers call this after writing each piece of text. */
  onPiece(): void;
}

/** How one provider speaks: which route it serves and how it writes answers and errors. */
export interface Protocol {
  route(method: string, path: string): boolean;
  apiKey(headers: IncomingHttpHeaders): string | undefined;
  isStream(body: unknown): boolean;
  writeError(res: ServerResponse, status: number, retryAfter?: number): void;
  writeStream(res: ServerResponse, plan: StreamPlan, req: RecordedRequest): Promise<void>;
  writeJson(res: ServerResponse, plan: StreamPlan, req: RecordedRequest): void;
  /** The provider's embeddings endpoint, when it has one: scripted errors and hangs apply to it too. */
  embeddings?: {
    route(method: string, path: string): boolean;
    write(res: ServerResponse, req: RecordedRequest): void;
  };
}

/**
 * A deterministic 256-dimensional unit vector for `text`: a signed, hashed bag of its
 * lower-cased character trigrams, so texts sharing words are near and unrelated ones are not.
 */
export function fakeEmbedding(text: string, dims = 256): number[] {
  const v = new Array<number>(dims).fill(0);
  const padded = ` ${text.toLowerCase().replace(/\s+/g, ' ')} `;
  for (let i = 0; i + 3 <= padded.length; i++) {
    let h = 0x811c9dc5; // FNV-1a
    for (let j = i; j < i + 3; j++) h = Math.imul(h ^ padded.charCodeAt(j), 0x01000193) >>> 0;
    v[h % dims]! += h & 0x80000000 ? -1 : 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

export interface FakeProviderOptions {
  /** Step used when nothing is scripted (default: a text answer with `text`). */
  defaultStep?: FakeStep;
  /** Default answer text. */
  text?: string;
  /** Only these keys are accepted; others get 401. Unset = any key. */
  keys?: string[];
}

export interface FakeProvider {
  /** Base URL to give the SDK / env var (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, YANDEX_BASE_URL). */
  url: string;
  /** Calls served on the provider's route so far. */
  readonly calls: number;
  /** Every request received on the provider's route, oldest first. */
  requests: RecordedRequest[];
  /** Queues steps for the next calls, in order. */
  script(...steps: FakeStep[]): void;
  setDefault(step: FakeStep): void;
  /** Forgets recorded requests, the call count and the queued steps. */
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_TEXT = 'Согласно ст. 81 ТК РФ, увольнение допускается только по основаниям, указанным в законе.';

/** Splits text into `n` pieces on code-point boundaries (never inside a surrogate pair). */
export function splitText(text: string, n: number): string[] {
  const chars = Array.from(text);
  const count = Math.max(1, Math.min(n, chars.length));
  const size = Math.ceil(chars.length / count);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
  return pieces.length > 0 ? pieces : [''];
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Stops a fake at once, dropping kept-alive connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

export async function startFakeServer(protocol: Protocol, opts: FakeProviderOptions, basePath = ''): Promise<FakeProvider> {
  const defaultText = opts.text ?? DEFAULT_TEXT;
  let defaultStep: FakeStep = opts.defaultStep ?? { kind: 'text' };
  let queue: FakeStep[] = [];
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    res.on('error', () => undefined); // the client may go away mid-answer; that is not the fake's problem
    void (async () => {
      const raw = await readBody(req);
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const method = req.method ?? 'GET';
      const embeddings = protocol.embeddings?.route(method, path) ? protocol.embeddings : undefined;
      if (!embeddings && !protocol.route(method, path)) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      const recorded: RecordedRequest = {
        method,
        path,
        headers: req.headers,
        body: parseJson(raw),
        raw,
        apiKey: protocol.apiKey(req.headers),
        receivedAt: Date.now(),
      };
      requests.push(recorded);
      res.on('close', () => {
        if (!res.writableFinished) recorded.abortedAt ??= Date.now();
      });
      if (opts.keys && !opts.keys.includes(recorded.apiKey ?? '')) {
        protocol.writeError(res, 401);
        return;
      }
      const step = queue.shift() ?? defaultStep;
      if (step.kind === 'hang') return; // never answers; close() drops the socket
      if (step.kind === 'error') {
        protocol.writeError(res, step.status, step.retryAfter);
        return;
      }
      if (embeddings) {
        embeddings.write(res, recorded);
        return;
      }
      const text = step.text ?? defaultText;
      const pieces = splitText(text, step.chunks ?? 3);
      const plan: StreamPlan = {
        pieces,
        text,
        delayMs: step.delayMs ?? 0,
        usage: step.usage ?? { input: Math.ceil(raw.length / 4), output: pieces.length },
        breakAfter: step.breakAfter,
        onPiece: () => {
          recorded.firstTokenAt ??= Date.now();
        },
      };
      if (protocol.isStream(recorded.body)) await protocol.writeStream(res, plan, recorded);
      else protocol.writeJson(res, plan, recorded);
    })().catch(() => res.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    get calls() {
      return requests.length;
    },
    requests,
    script: (...steps) => {
      queue.push(...steps);
    },
    setDefault: (step) => {
      defaultStep = step;
    },
    reset: () => {
      requests.length = 0;
      queue = [];
    },
    close: () => closeServer(server),
  };
}

/** Cuts the connection mid-response, after what was already written has reached the socket. */
export async function dropConnection(res: ServerResponse): Promise<void> {
  await new Promise<void>((resolve) => res.write('', () => resolve()));
  await pause(20);
  res.destroy();
}
