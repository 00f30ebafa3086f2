/**
 * Upload benchmarks, against an in-process runtime on loopback (local files, no embeddings
 * provider, no OCR):
 * - a ~10 MB text PDF (thousands of pages of Russian contract text in a real text layer),
 *   from the POST to `status: ready`, against `pdftotext` alone on the same bytes (the
 *   extract stage's own command) measured in the same run; the goal is <= 5 s;
 * - memory while uploading: the process's peak RSS growth, sampled every 5 ms, during
 *   streamed uploads of 50 MB and 200 MB TXT files. The API runs without workers, so only
 *   the upload is measured (extraction reads a version whole, by design). The client shares
 *   the process, but it streams its body from a generator: it holds one 64 KiB chunk. Flat
 *   means a ratio near 1.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { cyrillicPdf } from '../test/helpers/documents.js';
import { registerUser, request } from '../test/helpers/http.js';
import { setPlanLimits } from '../test/helpers/plans.js';
import { startTestRuntime } from '../test/helpers/runtime.js';

/** The bench uploads far more than the free plan's month allows. */
const ROOM = { documents_per_month: 1_000_000, storage_mb: 1_000_000 };

const PDF_MB = Number(process.env.BENCH_DOC_PDF_MB ?? 10);
const RUNS = Number(process.env.BENCH_DOC_RUNS ?? 3);
const MEMORY_SIZES_MB = [50, 200];
const LINES_PER_PAGE = 26;
const POLL_MS = 20;

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const PARTIES = ['Арендодатель', 'Арендатор', 'Поставщик', 'Покупатель', 'Исполнитель', 'Заказчик'];
const DUTIES = [
  'обязуется своевременно вносить плату за пользование имуществом',
  'вправе потребовать расторжения договора в судебном порядке',
  'несёт ответственность за сохранность переданного имущества',
  'уведомляет другую сторону о изменении реквизитов в течение пяти дней',
  'возмещает убытки, причинённые неисполнением обязательства',
  'уплачивает неустойку в размере одной десятой процента за каждый день просрочки',
  'не вправе передавать свои права третьим лицам без письменного согласия',
  'принимает товар по количеству и качеству в день поставки',
];

/** Contract text set in lines of about 45 characters: articles, numbered clauses, duties. */
function contractLines(count: number): string[] {
  const lines: string[] = [];
  for (let n = 0; lines.length < count; n++) {
    if (n % 12 === 0) lines.push(`Статья ${n / 12 + 1}. Права и обязанности сторон`);
    const sentence = `${Math.floor(n / 12) + 1}.${(n % 12) + 1}. ${PARTIES[n % PARTIES.length]} ${DUTIES[(n * 7) % DUTIES.length]} по договору № ${1000 + n} от ${(n % 28) + 1}.0${(n % 9) + 1}.2024 «о порядке расчётов».`;
    let line = '';
    for (const word of sentence.split(' ')) {
      if (line && line.length + word.length > 45) {
        lines.push(line);
        line = '';
      }
      line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
  }
  return lines.slice(0, count);
}

/** A text PDF of about `mb` MiB: sized from a sample, since each line's bytes vary little. */
function textPdf(mb: number): { pdf: Buffer; pages: number } {
  const sample = 2000;
  const perLine = (cyrillicPdf(contractLines(2 * sample), LINES_PER_PAGE).length - cyrillicPdf(contractLines(sample), LINES_PER_PAGE).length) / sample;
  const lines = Math.ceil((mb * 1024 * 1024 - cyrillicPdf(contractLines(sample), LINES_PER_PAGE).length) / perLine) + sample;
  return { pdf: cyrillicPdf(contractLines(lines), LINES_PER_PAGE), pages: Math.ceil(lines / LINES_PER_PAGE) };
}

function pdftotext(pdf: Buffer): Promise<{ ms: number; chars: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = execFile('pdftotext', ['-layout', '-enc', 'UTF-8', '-', '-'], { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, out) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') reject(new Error('pdftotext is not installed: apt-get install poppler-utils (as .ci/run does)'));
      else if (err) reject(err);
      else resolve({ ms: performance.now() - started, chars: out.length });
    });
    // A tool that did not start fails its stdin too: the callback above reports it.
    child.stdin!.on('error', () => undefined).end(pdf);
  });
}

function multipart(name: string, data: Buffer): FormData {
  const form = new FormData();
  form.append('file', new Blob([data]), name);
  return form;
}

/** POST -> `ready`, polled; also when each stage was first seen, from the POST. */
async function uploadToReady(url: string, token: string, pdf: Buffer) {
  const started = performance.now();
  const res = await request(url, 'POST', '/api/documents', { token, raw: multipart('договор.pdf', pdf) });
  if (res.status !== 202) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  const acceptedMs = performance.now() - started;
  const stages: Record<string, number> = {};
  for (;;) {
    const doc = (await request(url, 'GET', `/api/documents/${res.body.document.id}`, { token })).body;
    stages[doc.progress?.stage ?? doc.status] ??= round(performance.now() - started);
    if (doc.status === 'ready') return { ms: performance.now() - started, acceptedMs, stages, pages: doc.pages as number };
    if (doc.status === 'failed') throw new Error(`ingestion failed: ${JSON.stringify(doc.error)}`);
    if (performance.now() - started > 300_000) throw new Error('not ready after 5 minutes');
    await sleep(POLL_MS);
  }
}

async function pdfToReady() {
  const { pdf, pages } = textPdf(PDF_MB);
  const rt = await startTestRuntime('benchdocs', { env: { UPLOAD_MAX_MB: String(PDF_MB + 5) } });
  await setPlanLimits('free', ROOM);
  try {
    const user = await registerUser(rt.url, 'benchdocs');
    const baseline: number[] = [];
    const service: Array<Awaited<ReturnType<typeof uploadToReady>>> = [];
    let chars = 0;
    for (let i = 0; i < RUNS; i++) {
      const extracted = await pdftotext(pdf);
      baseline.push(extracted.ms);
      chars = extracted.chars;
      service.push(await uploadToReady(rt.url, user.token, pdf));
    }
    const mid = service.find((s) => s.ms === median(service.map((x) => x.ms)))!;
    return {
      pdf_bytes: pdf.length, pages, text_chars: chars, runs: RUNS,
      upload_to_ready_ms: round(mid.ms), accepted_ms: round(mid.acceptedMs), stage_first_seen_ms: mid.stages,
      all_runs_ms: service.map((s) => round(s.ms)),
      pdftotext_ms: round(median(baseline)),
      ratio: round(mid.ms / median(baseline), 2),
      goal_ms: 5000,
    };
  } finally {
    await rt.close();
  }
}

/** Printable ASCII, spaces and newlines: a TXT the inspector accepts, random in content. */
const TEXT_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => (i % 64 === 0 ? 0x0a : i % 8 === 0 ? 0x20 : 0x41 + (i % 26) + (i & 32))));

async function* textBody(bytes: number, boundary: string): AsyncGenerator<Buffer> {
  yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n`);
  for (let sent = 0; sent < bytes;) {
    const chunk = randomBytes(Math.min(64 * 1024, bytes - sent));
    for (let i = 0; i < chunk.length; i++) chunk[i] = TEXT_BYTES[chunk[i]!]!;
    sent += chunk.length;
    yield chunk;
  }
  yield Buffer.from(`\r\n--${boundary}--\r\n`);
}

/** Streams a multipart upload of `bytes` random text (chunked, never held whole). */
function streamUpload(url: string, token: string, bytes: number): Promise<number> {
  const boundary = `bench${randomBytes(8).toString('hex')}`;
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    void (async () => {
      for await (const chunk of textBody(bytes, boundary)) {
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(reject);
  });
}

async function peakRssGrowth(url: string, token: string, bytes: number) {
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  const started = performance.now();
  try {
    const status = await streamUpload(url, token, bytes);
    if (status !== 202) throw new Error(`upload of ${bytes} bytes answered ${status}`);
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  return { growth_mb: round((peak - before) / 2 ** 20), rss_before_mb: round(before / 2 ** 20), mb_per_s: round(bytes / 2 ** 20 / seconds) };
}

async function uploadMemory() {
  const largest = Math.max(...MEMORY_SIZES_MB);
  const rt = await startTestRuntime('benchdocsmem', { mode: 'api', env: { UPLOAD_MAX_MB: String(largest + 1) } });
  await setPlanLimits('free', ROOM);
  try {
    const user = await registerUser(rt.url, 'benchmem');
    await streamUpload(rt.url, user.token, 8 * 2 ** 20); // warm-up: code paths loaded, buffers allocated
    const uploads = [];
    for (const mb of MEMORY_SIZES_MB) uploads.push({ size_mb: mb, ...(await peakRssGrowth(rt.url, user.token, mb * 2 ** 20)) });
    const [small, large] = uploads.map((u) => u.growth_mb);
    // Growth is floored at 1 MiB: sampling noise must not make a tiny denominator.
    return { sample_every_ms: 5, uploads, ratio: round(Math.max(large!, 1) / Math.max(small!, 1), 2) };
  } finally {
    await rt.close();
  }
}

export async function runDocumentsBench() {
  return { pdf_to_ready: await pdfToReady(), upload_memory: await uploadMemory() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { default: setup } = await import('../test/helpers/global-setup.js');
  await setup();
  console.log(JSON.stringify(await runDocumentsBench(), null, 2));
}
