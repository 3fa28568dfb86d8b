export * from './api';
export * from './emulator';
