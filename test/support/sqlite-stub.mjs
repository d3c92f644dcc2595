// Stand-in for node:sqlite on Node 20 (see sqlite-stub-loader.mjs). Using it is an error: persistence is off.
export class DatabaseSync {
  constructor() {
    throw new Error('node:sqlite is not available on this Node version; fauxqs persistence (dataDir) cannot be used');
  }
}
export default { DatabaseSync };
