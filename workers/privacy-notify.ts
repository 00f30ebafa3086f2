import { toPublicRequest, type PrivacyRequestRow } from '../core/privacy/requests.js';
import { userRoom } from '../core/rooms.js';
import type { WorkerDeps } from './deps.js';

/** `privacy.updated {request}` to the request's owner. */
export async function announcePrivacy(deps: Pick<WorkerDeps, 'emitter'>, request: PrivacyRequestRow): Promise<void> {
  deps.emitter.to(userRoom(request.user_id)).emit('privacy.updated', { request: toPublicRequest(request) });
}
