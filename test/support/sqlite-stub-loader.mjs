// Node < 22.5 has no `node:sqlite`. fauxqs imports it statically for its optional on-disk persistence, which the
// tests never enable (no dataDir). This resolve hook serves a stub only when the real module is missing.
import { isBuiltin } from 'node:module';

const missing = !isBuiltin('node:sqlite');

export async function resolve(specifier, context, next) {
  if (missing && specifier === 'node:sqlite') {
    return { url: new URL('./sqlite-stub.mjs', import.meta.url).href, shortCircuit: true, format: 'module' };
  }
  return next(specifier, context);
}
