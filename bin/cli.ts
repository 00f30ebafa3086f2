/** Operator commands: `npm run cli -- <command> [args]`; `npm run cli -- --help` lists them. */
import { changeAccount, type AccountChange, type AccountEffects } from '../core/auth/accounts.js';
import { normalizeEmail } from '../core/auth/service.js';
import { loadConfig, type Config } from '../core/config.js';
import type { Db } from '../core/db/knex.js';
import { ROLES, type Role } from '../core/db/models/index.js';
import { digestKey, readDigest, type Digest } from '../core/audit-archive.js';
import { verifyAuditChain } from '../core/audit-verify.js';
import { grantPlan } from '../core/billing/subscribe.js';
import { LAW_CODES } from '../core/law/codes.js';
import { importLaws } from '../core/law/library.js';
import { DomainError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { USER_CACHE_TTL_MS } from '../core/auth/user-cache.js';
import { connectedProducer } from '../core/redis.js';
import { resolveSecrets } from '../core/secrets.js';
import { createStorage } from '../core/storage/index.js';
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

/** How far back `audit:verify` looks for the newest signed digest (the digest job runs daily). */
const DIGEST_LOOKBACK_DAYS = 30;

/**
 * The newest signed digest of the audit chain in storage: today's (UTC), else the nearest of
 * the previous DIGEST_LOOKBACK_DAYS days; undefined when there is none. The key is resolved only
 * once a digest is found, so a check without digests touches no secret. Dies on a digest that
 * does not verify.
 */
async function newestDigest(): Promise<Digest | undefined> {
  const config = loadConfig();
  const storage = createStorage(config.storage);
  for (let back = 0; back <= DIGEST_LOOKBACK_DAYS; back++) {
    const day = new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
    const present = await storage.exists(digestKey(day)).catch((err: Error) => die(`storage: ${err.message}`));
    if (!present) continue;
    let encryptionKey: Buffer;
    try {
      encryptionKey = resolveSecrets(config).encryptionKey;
    } catch (err) {
      die((err as Error).message);
    }
    const digest = await readDigest({ storage, encryptionKey }, day).catch((err: Error) => die(`audit digest of ${day} is unreadable: ${err.message}`));
    if (!digest) die(`audit digest of ${day} does not verify: its signature does not match its content (forged, altered, or signed with another ENCRYPTION_KEY)`);
    return digest;
  }
  return undefined;
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
    usage: 'audit:verify              check the audit trail\'s hash chain and its newest signed digest; exits 1 naming what is wrong',
    async run(ctx) {
      const report = await verifyAuditChain(ctx.db);
      if (!report.ok) die(`audit chain broken at entry ${report.seq} (id ${report.id}): ${report.reason}; ${report.entries} entries before it are intact`);
      const digest = await newestDigest();
      if (!digest) return `audit chain intact: ${report.entries} entries`;
      // The chain alone cannot show its newest entries removed; the signed head can.
      if (report.entries < digest.last_seq) {
        die(`audit chain truncated: the digest of ${digest.day} records ${digest.last_seq} entries, the chain has ${report.entries}; the newest ${digest.last_seq - report.entries} were removed`);
      }
      if (digest.last_seq > 0) {
        const signed = await ctx.db('audit_logs').where({ seq: digest.last_seq }).first('hash');
        if (signed?.hash !== digest.last_hash) {
          die(`audit chain does not match the digest of ${digest.day}: entry ${digest.last_seq} has another hash than the one signed (the chain was rewritten)`);
        }
      }
      return `audit chain intact: ${report.entries} entries; digest of ${digest.day} matches`;
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
  const redis = await connectedProducer(config.redis).catch(() => undefined);
  if (!redis) {
    // Nothing running (the first admin, made before the first start) needs telling; if API
    // nodes do run, the operator must know what this change does not reach at once.
    let missed = false;
    const miss = async () => void (missed = true);
    return {
      effects: { changed: miss, blocked: miss },
      close: async () => {
        if (missed) {
          console.error(`warning: Redis is not reachable (${config.redis.url}): running API nodes apply this change within ${USER_CACHE_TTL_MS / 1000} s ` +
            '(their user cache), and a blocked account\'s open sockets stay open until its access token expires');
        }
      },
    };
  }
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
