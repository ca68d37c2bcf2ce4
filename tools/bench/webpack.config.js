module.exports = require('../scripts/node-app.webpack')('dist/tools/bench', {
  additionalEntryPoints: [{ entryName: 'http-load.worker', entryPath: './src/http-load.worker.ts' }],
});
