export { startEmulator, type EmulatorOptions, type RunningEmulator } from './server';
export type { AccessTokenOptions } from './token-issuer';
export { DEFAULT_SEED, type Seed } from './seed';
export type { FaultSpec, FaultKind } from './faults';
export { DEFAULT_BEHAVIOUR, type EmulatorBehaviour } from './behaviour';
export type { OAuthScopes } from './model';
export { ROUTES } from './routes';
