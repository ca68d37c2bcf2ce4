module.exports = require('../scripts/node-app.webpack')('dist/tools/bench', {
  additionalEntryPoints: [
    { entryName: 'http-load.worker', entryPath: './src/http-load.worker.ts' },
    { entryName: 'upload-load.worker', entryPath: './src/upload-load.worker.ts' },
    { entryName: 'bullmq-peer', entryPath: './src/bullmq-peer.ts' },
  ],
});
