/** Every processor of this codebase. The bootstrap checks it covers each job name once. */
import billingExpireSubscriptions from './billing-expire-subscriptions.js';
import notifyUser from './notify-user.js';
import type { Processor } from './processor.js';

export const PROCESSORS: Processor[] = [notifyUser, billingExpireSubscriptions] as Processor[];
