export { startEmulator, type EmulatorOptions, type RunningEmulator } from './server';
export { DEFAULT_SEED, type Seed } from './seed';
export type { FaultSpec, FaultKind } from './faults';
export { ROUTES } from './routes';
