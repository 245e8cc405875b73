// The worker's workflow bundle entry point.
export { deliverNotifications } from './deliver-notifications';
export { deliverSecurityEvents } from './deliver-security-events';
export { lockdownDownstream, retryDownstream } from './lockdown-downstream';
export { lockdownFlow } from './lockdown-flow';
export { lockdownUser } from './lockdown-user';
