import type { Route } from './route';
import { ipRuleRoutes } from './routes-ip-rules';
import { passwordRoutes } from './routes-passwords';
import { scopeRoutes } from './routes-scope';
import { serviceTokenRoutes } from './routes-service-tokens';

/** Every route the emulator serves, in match order. */
export const ROUTES: readonly Route[] = [...scopeRoutes, ...passwordRoutes, ...serviceTokenRoutes, ...ipRuleRoutes];
