import { createRequire } from 'node:module';

declare const __non_webpack_require__: NodeRequire | undefined;

/**
 * Node's own `require`, also inside a webpack bundle (which rewrites `require` and `require.resolve`
 * into module ids): for optional packages and for files found by path at run time.
 */
export const nodeRequire: NodeRequire = typeof __non_webpack_require__ === 'function' ? __non_webpack_require__ : createRequire(__filename);
