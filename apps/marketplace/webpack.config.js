module.exports = require('../../tools/scripts/node-app.webpack')('dist/apps/marketplace', {
  tsConfig: './tsconfig.app.json',
  sourceMap: true,
});
