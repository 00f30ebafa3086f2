/** Operator commands: `npm run cli -- <command> [args]`; `npm run cli -- --help` lists them. */
import { audit } from '../core/audit.js';
import { normalizeEmail } from '../core/auth/service.js';
import { ROLES, User, type Role } from '../core/db/models/index.js';
import { bootDatabase, die } from './boot.js';

const COMMANDS: Record<string, { usage: string; run(args: string[]): Promise<string> }> = {
  'user:role': {
    usage: 'user:role EMAIL ROLE      set an account role (user | lawyer | admin)',
    async run([email, role]) {
      if (!email || !role) die('usage: user:role EMAIL ROLE');
      if (!ROLES.includes(role as Role)) die(`unknown role "${role}": use ${ROLES.join(', ')}`);
      const user = await User.query().findOne({ email: normalizeEmail(email) });
      if (!user) die(`no account with email ${email}`);
      await user.$query().patch({ role: role as Role });
      await audit({ action: 'admin.role_change', targetType: 'user', targetId: user.id, meta: { role, from: user.role, via: 'cli' } });
      return `${user.email} is now ${role}`;
    },
  },
  'user:block': {
    usage: 'user:block EMAIL          block an account (it can do nothing)',
    async run([email]) {
      const user = email ? await User.query().findOne({ email: normalizeEmail(email) }) : undefined;
      if (!user) die(`no account with email ${email ?? '(missing)'}`);
      await user.$query().patch({ status: 'blocked' });
      await audit({ action: 'admin.user_block', targetType: 'user', targetId: user.id, meta: { via: 'cli' } });
      return `${user.email} is blocked`;
    },
  },
};

const [command, ...args] = process.argv.slice(2);
if (!command || command === '--help' || command === 'help' || !COMMANDS[command]) {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage}`);
  console.log(`usage: npm run cli -- <command>\n\ncommands:\n${lines.join('\n')}`);
  process.exit(command && command !== '--help' && command !== 'help' ? 2 : 0);
}
const { db } = await bootDatabase('cli');
try {
  console.log(await COMMANDS[command]!.run(args));
} finally {
  await db.destroy();
}
