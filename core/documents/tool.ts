/**
 * Runs an external converter (pdftotext, catdoc, pdftoppm, tesseract) over pipes: the
 * decrypted bytes go in on stdin and the result comes back on stdout, so plaintext never
 * touches disk. Each run is bounded in time and in output; the binary is found on PATH.
 */
import { spawn } from 'node:child_process';
import { EXTRACT_LIMITS, IngestError } from './extract-common.js';

export interface ToolLimits {
  timeoutMs: number;
  maxBytes: number;
}

/** Why a run failed: the binary is not installed, it ran too long or printed too much, or it exited non-zero. */
export class ToolError extends Error {
  override name = 'ToolError';
  constructor(readonly reason: 'missing' | 'timeout' | 'too_large' | 'failed', readonly tool: string, message: string) {
    super(message);
  }
}

export function runTool(tool: string, args: string[], input: Buffer | undefined, limits: ToolLimits, env: Record<string, string> = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // stderr is ignored: converters echo document text in some of their warnings.
    const child = spawn(tool, args, { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, ...env } });
    const out: Buffer[] = [];
    let size = 0;
    let failure: ToolError | undefined;
    const stop = (err: ToolError) => {
      failure ??= err;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(new ToolError('timeout', tool, `${tool} took longer than ${limits.timeoutMs / 1000} s`)), limits.timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      stop(err.code === 'ENOENT' ? new ToolError('missing', tool, `${tool} is not installed`) : new ToolError('failed', tool, `${tool} did not start: ${err.code ?? err.message}`));
    });
    child.stdout.on('data', (b: Buffer) => {
      size += b.length;
      if (size > limits.maxBytes) stop(new ToolError('too_large', tool, `${tool} printed more than ${limits.maxBytes} bytes`));
      else out.push(b);
    });
    child.stdin.on('error', () => undefined); // the tool may exit before reading everything
    child.stdin.end(input);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failure) reject(failure);
      else if (code !== 0) reject(new ToolError('failed', tool, `${tool} exited with ${code}`));
      else resolve(Buffer.concat(out));
    });
  });
}

/**
 * A converter for extraction: a missing binary is `extract_unavailable` (naming the Debian
 * package that brings it), anything else `extract_failed`.
 */
export async function convert(tool: string, pkg: string, args: string[], input: Buffer, limits: ToolLimits = { timeoutMs: EXTRACT_LIMITS.timeoutMs, maxBytes: EXTRACT_LIMITS.textBytes }): Promise<Buffer> {
  try {
    return await runTool(tool, args, input, limits);
  } catch (err) {
    if (!(err instanceof ToolError)) throw err;
    if (err.reason === 'missing') throw new IngestError('extract_unavailable', `${tool} is not installed on this server (${pkg})`);
    throw new IngestError('extract_failed', err.reason === 'failed' ? `${tool} could not read the file` : err.message);
  }
}
