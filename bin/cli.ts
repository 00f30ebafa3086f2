/** Operator commands: `npm run cli -- <command> [args]`; `npm run cli -- --help` lists them. */
import { changeAccount, type AccountChange, type AccountEffects } from '../core/auth/accounts.js';
import { normalizeEmail } from '../core/auth/service.js';
import type { Config } from '../core/config.js';
import type { Db } from '../core/db/knex.js';
import { ROLES, type Role } from '../core/db/models/index.js';
import { verifyAuditChain } from '../core/audit-verify.js';
import { grantPlan } from '../core/billing/subscribe.js';
import { LAW_CODES } from '../core/law/codes.js';
import { importLaws } from '../core/law/library.js';
import { DomainError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { connectedProducer } from '../core/redis.js';
import { createAccountEffects } from '../pipelines/account-effects.js';
import { createQueues } from '../pipelines/queues.js';
import { bootDatabase, die } from './boot.js';

interface Context {
  db: Db;
  effects: AccountEffects;
}

/** Changes an account by e-mail and audits it like an admin's change (actor: the operator). */
async function change(ctx: Context, email: string, patch: AccountChange): Promise<string> {
  const user = await changeAccount(ctx.db, ctx.effects, { email: normalizeEmail(email) }, patch, { actorId: null, via: 'cli' }).catch((err: Error) =>
    die(err instanceof DomainError && err.kind === 'not_found' ? `no account with email ${email}` : err.message),
  );
  return `${user.email} is now ${patch.role ?? user.status}`;
}

const COMMANDS: Record<string, { usage: string; run(ctx: Context, args: string[]): Promise<string> }> = {
  'user:role': {
    usage: 'user:role EMAIL ROLE      set an account role (user | lawyer | admin)',
    async run(ctx, [email, role]) {
      if (!email || !role) die('usage: user:role EMAIL ROLE');
      if (!ROLES.includes(role as Role)) die(`unknown role "${role}": use ${ROLES.join(', ')}`);
      return change(ctx, email, { role: role as Role });
    },
  },
  'user:block': {
    usage: 'user:block EMAIL          block an account: its sockets close and its queued answers are cancelled',
    async run(ctx, [email]) {
      if (!email) die('usage: user:block EMAIL');
      return change(ctx, email, { status: 'blocked' });
    },
  },
  'user:unblock': {
    usage: 'user:unblock EMAIL        let a blocked account sign in again',
    async run(ctx, [email]) {
      if (!email) die('usage: user:unblock EMAIL');
      return change(ctx, email, { status: 'active' });
    },
  },
  'plan:grant': {
    usage: 'plan:grant EMAIL PLAN [DAYS]  put an account on a plan for DAYS (default 30); audited',
    async run(ctx, [email, plan, days]) {
      if (!email || !plan) die('usage: plan:grant EMAIL PLAN [DAYS]');
      const length = days === undefined ? 30 : Number(days);
      if (!Number.isInteger(length) || length < 1 || length > 3660) die('DAYS must be a whole number from 1 to 3660');
      const granted = await grantPlan(ctx.db, normalizeEmail(email), plan, length).catch((err: Error) => die(err.message));
      return `${normalizeEmail(email)} is on ${plan} until ${granted.until.toISOString()}`;
    },
  },
  'audit:verify': {
    usage: 'audit:verify              check the audit trail\'s hash chain; exits 1 naming the first bad entry',
    async run(ctx) {
      const report = await verifyAuditChain(ctx.db);
      if (!report.ok) die(`audit chain broken at entry ${report.seq} (id ${report.id}): ${report.reason}; ${report.entries} entries before it are intact`);
      return `audit chain intact: ${report.entries} entries`;
    },
  },
  'law:import': {
    usage: 'law:import [CODE...]      import the built-in law library (codes missing or changed; all, or those named)',
    async run(ctx, codes) {
      const known = LAW_CODES.map((c) => c.code as string);
      const unknown = codes.filter((c) => !known.includes(c));
      if (unknown.length) die(`unknown code ${unknown.join(', ')}: use ${known.join(', ')}`);
      const report = await importLaws(ctx.db, codes.length ? codes : undefined);
      return `imported: ${report.imported.join(', ') || 'none'}; unchanged: ${report.unchanged.join(', ') || 'none'}`;
    },
  },
};

/**
 * Sockets and queued jobs live in Redis: when it answers, a block reaches them at once. When
 * it does not, nothing runs that could hold them, and the blocked account's jobs, should any
 * remain, find it blocked when they run.
 */
async function effectsFor(config: Config, log: Logger): Promise<{ effects: AccountEffects; close(): Promise<void> }> {
  const redis = await connectedProducer(config.redis.url).catch(() => undefined);
  if (!redis) return { effects: { changed: async () => undefined, blocked: async () => undefined }, close: async () => undefined };
  const queues = createQueues(redis, config.redis.queuePrefix);
  return {
    effects: createAccountEffects({ redis, queues, log }),
    close: async () => {
      await queues.close();
      redis.disconnect();
    },
  };
}

const [command, ...args] = process.argv.slice(2);
if (!command || command === '--help' || command === 'help' || !COMMANDS[command]) {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage}`);
  console.log(`usage: npm run cli -- <command>\n\ncommands:\n${lines.join('\n')}`);
  process.exit(command && command !== '--help' && command !== 'help' ? 2 : 0);
}
const { db, config, log } = await bootDatabase('cli');
const side = await effectsFor(config, log);
try {
  console.log(await COMMANDS[command]!.run({ db, effects: side.effects }, args));
} finally {
  await side.close();
  await db.destroy();
}
