import { writeDailyReport } from '../core/billing/daily-report.js';
import { adminIds } from '../core/reviews/effects.js';
import { userRoom } from '../core/rooms.js';
import { defineProcessor } from './processor.js';

/** Yesterday's (or the given day's) revenue and usage summary, stored and sent to admins. */
export default defineProcessor({
  name: 'billing.daily-report',
  async process(payload, { db, emitter }) {
    const day = payload.day ?? new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const summary = await writeDailyReport(db, day);
    const admins = await adminIds(db);
    if (admins.length) emitter.to(admins.map(userRoom)).emit('report.daily', summary);
    return { day };
  },
});
