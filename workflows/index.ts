// The worker's workflow bundle entry point.
export { lockdownFlow } from './lockdown-flow';
export { lockdownUser } from './lockdown-user';
