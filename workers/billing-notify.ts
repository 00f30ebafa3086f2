import { subscriptionOf } from '../core/billing/view.js';
import { userRoom } from '../core/rooms.js';
import type { WorkerDeps } from './deps.js';

/** `subscription.updated` with what `GET /api/subscriptions/me` now shows, to each user whose billing changed. */
export async function announceBilling(deps: Pick<WorkerDeps, 'db' | 'emitter'>, userIds: string[] | undefined): Promise<void> {
  for (const userId of new Set(userIds ?? [])) deps.emitter.to(userRoom(userId)).emit('subscription.updated', await subscriptionOf(deps.db, userId));
}
