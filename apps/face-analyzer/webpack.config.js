module.exports = require('../../tools/scripts/node-app.webpack')('dist/apps/face-analyzer', {
  tsConfig: './tsconfig.app.json',
  sourceMap: true,
});
