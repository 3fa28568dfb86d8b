import type { Route } from './route';
import { ipRuleRoutes } from './routes-ip-rules';
import { passwordRoutes } from './routes-passwords';
import { roleRoutes } from './routes-roles';
import { scopeRoutes } from './routes-scope';
import { serviceTokenRoutes } from './routes-service-tokens';

/** Every route the emulator serves, in match order. */
export const ROUTES: readonly Route[] = [...scopeRoutes, ...passwordRoutes, ...roleRoutes, ...serviceTokenRoutes, ...ipRuleRoutes];
