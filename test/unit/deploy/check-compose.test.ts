/**
 * deploy/check-compose.ts on variants of the real docker-compose.yml: a variable that
 * .env.example offers must reach a service with the user's value, not be set to a fixed one.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-compose-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the checker on the real file with `edit` applied; its exit code and output. */
async function check(edit: (compose: string) => string) {
  const file = path.join(dir, `compose-${Math.random().toString(36).slice(2)}.yml`);
  fs.writeFileSync(file, edit(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')));
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(root, 'deploy/check-compose.ts'), file, path.join(root, '.env.example')], { cwd: root });
  return run.then(({ stdout }) => ({ code: 0, output: stdout }), (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, output: err.stdout + err.stderr }));
}

describe('check-compose', () => {
  it('passes the real file', async () => {
    expect(await check((c) => c)).toMatchObject({ code: 0 });
  });

  it('refuses a documented variable set to a fixed value, which the user can no longer set', async () => {
    const fixed = await check((c) => c.replace(/^(\s+)EMBEDDINGS_PROVIDER:\s*$/m, '$1EMBEDDINGS_PROVIDER: none'));
    expect(fixed.code).not.toBe(0);
    expect(fixed.output).toContain('EMBEDDINGS_PROVIDER is documented but reaches no service');
  });
});
