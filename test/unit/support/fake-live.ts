import { NAMES, fakePassword, fakeRole, fakeRule, fakeToken } from './fake-objects';
import type { LivePassword, LiveRole, LiveRule, LiveToken } from '../../../src/engine/inventory';

/** Live objects (what the inventory finds) for unit tests, each named as owner `access` names it. */

export const APP_NAME = { display: 'app', owner: 'access', object: '1a2b3c4d', generation: '5e6f7a8b' } as const;
export const CI_NAME = { display: 'ci', owner: 'access', object: '3c4d5e6f', generation: '7a8b9c0d' } as const;
export const WAREHOUSE_MARKER = { display: 'warehouse', owner: 'access', object: '4d5e6f7a', generation: '91c5253e' } as const;

/** Password pw1 (app.access.…) on the production branch shop/main. */
export const LIVE_PASSWORD: LivePassword = { value: fakePassword('pw1', NAMES.app), database: 'shop', branch: 'main', production: true, name: APP_NAME };

/** Role r1 (app.access.…) on the development branch analytics/dev. */
export const LIVE_ROLE: LiveRole = { value: fakeRole('r1', NAMES.app), database: 'analytics', branch: 'dev', production: false, name: APP_NAME };

/** Service token tok1 (ci.access.…). */
export const LIVE_TOKEN: LiveToken = { value: fakeToken('tok1', NAMES.ci), name: CI_NAME };

/** IP rule rule1 on analytics, marked warehouse.access.…. */
export const LIVE_RULE: LiveRule = { value: fakeRule('rule1', `BI tools [cdktf:${NAMES.warehouse}]`), database: 'analytics', marker: WAREHOUSE_MARKER };
